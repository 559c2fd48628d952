// Runs the local stack as `npm start` does, in a child process, on a free port with its own DATA_DIR;
// its output goes to a log file that security tests read afterwards.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../infra/local/stack';

export interface StackProcess {
  readonly baseUrl: string;
  /** The web client's URL (its own port, on the stack's CORS allow-list). */
  readonly webUrl: string;
  readonly dataDir: string;
  readonly logFile: string;
  stop(): Promise<void>;
}

const localStacks = new Set<string>();

/** Records a stack's base URL, so the contract check (test/integration/contract-setup.ts) knows its responses. */
export const registerLocalStack = (baseUrl: string): void => void localStacks.add(baseUrl);

export const isLocalStack = (url: string): boolean => [...localStacks].some((b) => url === b || url.startsWith(`${b}/`));

export async function startStackProcess(env: Record<string, string> = {}): Promise<StackProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'threadguard-test-'));
  const logFile = join(dataDir, 'stack.log');
  const port = await freePort();
  const webPort = await freePort();
  const out = createWriteStream(logFile);
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'infra/local/main.ts'], {
    cwd: join(import.meta.dirname, '../..'),
    env: { ...process.env, PORT: String(port), WEB_PORT: String(webPort), DATA_DIR: dataDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.pipe(out, { end: false });
  child.stderr!.pipe(out, { end: false });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  let dead = false;
  void exited.then(() => (dead = true));
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  // Readiness by polling /health (the stack prints its URL once ready).
  for (;;) {
    if (dead) throw new Error(`local stack exited during start; see ${logFile}`);
    try {
      const res = await fetch(`${baseUrl}/health`);
      if (res.status === 200) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`local stack did not become healthy; see ${logFile}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  registerLocalStack(baseUrl);
  return {
    baseUrl,
    webUrl: `http://127.0.0.1:${env.WEB_PORT ?? webPort}`,
    dataDir,
    logFile,
    async stop() {
      if (!dead) {
        child.kill('SIGINT');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      out.end();
    },
  };
}
