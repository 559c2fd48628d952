// `npm start` leaves nothing running however it is stopped: SIGINT or SIGTERM to the npm process
// (what a process manager or `kill` sends), SIGHUP to it (a closed terminal), and a port already
// taken gets a message naming the likely culprit. "Nothing running" = the API port and DynamoDB
// Local's port both refuse connections, and npm has exited.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../infra/local/stack';

const ROOT = join(import.meta.dirname, '../..');

const canListen = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

const refuses = (url: string): Promise<boolean> =>
  fetch(url, { signal: AbortSignal.timeout(5_000) }).then(
    () => false,
    (err: Error) => /ECONNREFUSED/.test(String((err.cause as Error | undefined)?.message ?? err.message)),
  );

/** Polls `check` until it holds or `ms` pass (a bound, not a timing assertion). */
async function eventually(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return check();
}

async function npmStart(): Promise<{ npm: ChildProcess; url: string; dynamodb: string; pid: number; output: () => string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'threadguard-npm-start-'));
  const port = await freePort();
  let output = '';
  const npm = spawn('npm', ['start'], { cwd: ROOT, env: { ...process.env, PORT: String(port), DATA_DIR: dataDir }, stdio: ['ignore', 'pipe', 'pipe'] });
  npm.stdout!.on('data', (d) => (output += d));
  npm.stderr!.on('data', (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  const up = await eventually(async () => (await fetch(`${url}/health`).catch(() => null))?.status === 200, 90_000);
  if (!up) throw new Error(`npm start did not come up:\n${output}`);
  const { dynamodbEndpoint, pid } = JSON.parse(readFileSync(join(dataDir, 'local-stack.json'), 'utf8')) as { dynamodbEndpoint: string; pid: number };
  return { npm, url, dynamodb: dynamodbEndpoint, pid, output: () => output };
}

describe('npm start', () => {
  it.each(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)('stops the API and DynamoDB Local when npm gets %s', async (signal) => {
    const { npm, url, dynamodb, output } = await npmStart();
    const npmExited = new Promise((r) => npm.once('exit', r));
    expect(await refuses(dynamodb)).toBe(false);
    npm.kill(signal);
    expect(await eventually(() => refuses(`${url}/health`), 20_000), output()).toBe(true);
    expect(await eventually(() => refuses(dynamodb), 20_000), output()).toBe(true);
    await npmExited;
  });

  it('takes DynamoDB Local with it when the stack process is killed outright (SIGKILL)', async () => {
    const { npm, url, dynamodb, pid, output } = await npmStart();
    const npmExited = new Promise((r) => npm.once('exit', r));
    expect(await refuses(dynamodb)).toBe(false);
    process.kill(pid, 'SIGKILL');
    expect(await eventually(() => refuses(dynamodb), 20_000), output()).toBe(true);
    expect(await eventually(() => refuses(`${url}/health`), 20_000), output()).toBe(true);
    await npmExited;
  });

  it('says an earlier stack may hold a taken port, how to find it, and a free pair of ports (API, web client) to use instead', async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as { port: number }).port;
    const dataDir = mkdtempSync(join(tmpdir(), 'threadguard-port-'));
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/main.ts'], {
        cwd: ROOT,
        env: { ...process.env, PORT: String(port), DATA_DIR: dataDir },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr!.on('data', (d) => (stderr += d));
      const code = await new Promise((r) => child.once('exit', r));
      expect(code).toBe(1);
      expect(stderr).toContain(`Port ${port} is already in use: an earlier local stack (npm start) may still be running.`);
      expect(stderr).toContain(`lsof -nP -iTCP:${port} -sTCP:LISTEN`);
      // Not PORT+1: that is the web client's own port next to a busy one.
      const [, api, web] = /PORT=(\d+) npm start {3}\(web client on (\d+)\)/.exec(stderr) ?? [];
      expect(Number(web), stderr).toBe(Number(api) + 1);
      expect([port, port + 1]).not.toContain(Number(api));
      for (const p of [Number(api), Number(web)]) expect(await canListen(p), `port ${p}`).toBe(true);
      expect(readdirSync(dataDir), 'a refused start leaves DATA_DIR empty').toEqual([]);
    } finally {
      taken.close();
    }
  });
});
