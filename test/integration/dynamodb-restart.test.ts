// The local stack notices DynamoDB Local dying, logs it and starts it again on the same data, while
// the stack itself keeps running; meanwhile requests answer 200 or 503, never 500.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintDevToken } from '../../infra/local/dev-issuer';
import { recordCredential } from '../helpers/credentials';
import { api } from '../helpers/http';
import { startStackProcess, type StackProcess } from '../helpers/stack-process';

let stack: StackProcess;

beforeAll(async () => {
  stack = await startStackProcess();
});
afterAll(async () => {
  await stack?.stop();
});

const info = () => JSON.parse(readFileSync(join(stack.dataDir, 'local-stack.json'), 'utf8')) as { dynamodbPid: number };

describe('DynamoDB Local supervision', () => {
  it('restarts DynamoDB Local after it is killed, keeping the data, without restarting the stack', async () => {
    const token = mintDevToken(stack.dataDir, 'restart-user');
    recordCredential(token);
    const created = await api(stack.baseUrl, 'POST', '/threads', { token, body: { title: 'survives' } });
    expect(created.status).toBe(201);

    const pid = info().dynamodbPid;
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, 'SIGKILL');

    // Poll until the data answers again; every answer on the way is a 200 or the documented 503.
    const statuses = new Set<number>();
    const deadline = Date.now() + 60_000;
    let listed: string[] = [];
    while (Date.now() < deadline) {
      const res = await api(stack.baseUrl, 'GET', '/threads', { token });
      statuses.add(res.status);
      if (res.status === 503) expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
      if (res.status === 200) {
        listed = res.body.data.map((t: { id: string }) => t.id);
        if (listed.length > 0) break;
      }
    }
    expect([...statuses].every((s) => s === 200 || s === 503), `statuses ${[...statuses]}`).toBe(true);
    expect(listed).toEqual([created.body.id]);

    const log = readFileSync(stack.logFile, 'utf8');
    expect(log).toContain('DynamoDB Local exited; restarting it on the same data');
    expect(log).toContain('DynamoDB Local restarted');
    expect((await fetch(`${stack.baseUrl}/health`)).status).toBe(200);
  });
});
