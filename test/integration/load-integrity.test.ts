// The load and fault suite's invariants on a small scale, on every run: a mixed workload through a
// fault proxy (throttling, 500s, replies lost after the write, latency) never gets a 5xx other than
// the documented 503, and leaves no half exchange, no duplicate message, no task created twice, no
// orphan item of a deleted thread, API-key counters equal to the keys stored, and every
// acknowledged write in place.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaultPolicy } from '../../bench/fault-proxy';
import { checkIntegrity, localStackCipher } from '../../bench/integrity';
import { loadUser, runLoad } from '../../bench/load-driver';
import { startFaultStack, type FaultStack } from '../helpers/fault-stack';
import { uniqueUser } from '../helpers/dev-tokens';
import { localDb } from '../helpers/local-db';

/** Denser faults than the bench's, so a short run meets every kind. */
const FAULTS: FaultPolicy = () => {
  const r = Math.random();
  if (r < 0.03) return { kind: 'throttle' };
  if (r < 0.06) return { kind: 'error500' };
  if (r < 0.1) return { kind: 'dropAfterForward' };
  if (r < 0.15) return { kind: 'delay', ms: 30 };
  return { kind: 'pass' };
};

let fs: FaultStack;
beforeAll(async () => {
  fs = await startFaultStack({ RATE_LIMIT_PER_MINUTE: '100000', RESPOND_LIMIT_PER_MINUTE: '100000' });
});
afterAll(async () => {
  await fs?.stop();
});

describe('mixed load through a fault proxy, small scale', () => {
  it('answers 2xx or the documented 503 and leaves the data whole', async () => {
    const users = Array.from({ length: 4 }, () => {
      const sub = uniqueUser('load');
      return loadUser(fs.token(sub), fs.userId(sub));
    });
    fs.proxy.setPolicy(FAULTS);
    const result = await runLoad({ url: fs.stack.baseUrl, users, concurrency: users.length, maxRequests: 80, workerPerUser: true }).finally(() => fs.proxy.setPolicy(() => ({ kind: 'pass' })));
    expect(result.requests).toBeGreaterThanOrEqual(80);
    expect(result.unexpected).toEqual([]);
    // No user races itself here, so any 4xx is the service's mistake; the list names the request.
    expect(result.refused).toEqual([]);
    for (const status of Object.keys(result.statuses)) expect(['200', '201', '204', '503']).toContain(status);
    expect(Object.values(fs.proxy.injected).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    const { client, tableName } = localDb();
    expect(await checkIntegrity(client, tableName, users.map((u) => u.ack), localStackCipher(fs.stack.dataDir, client, tableName))).toEqual([]);
  });
});
