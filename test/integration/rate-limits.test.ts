// THREATS T10 over HTTP: per-user limits hold under concurrent bursts. A second local stack with a
// low RATE_LIMIT_PER_MINUTE keeps the shared one at the documented default.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintDevToken } from '../../infra/local/dev-issuer';
import { DynamoDbRateCounter } from '../../functions/shared/adapters/rate-counter';
import { fixedWindow } from '../../functions/shared/core/rate-limit';
import { api } from '../helpers/http';
import { recordCredential } from '../helpers/credentials';
import { baseUrl, devToken, uniqueUser } from '../helpers/dev-tokens';
import { localDb } from '../helpers/local-db';
import { startStackProcess, type StackProcess } from '../helpers/stack-process';

const LIMIT = 5;

/** A burst must not straddle a window boundary, or two windows' budgets would be counted. */
async function awayFromWindowEnd(marginSeconds = 5): Promise<void> {
  while (fixedWindow(new Date()).resetAt - Date.now() / 1000 < marginSeconds) await new Promise((r) => setTimeout(r, 250));
}

describe('per-user rate limits (T10)', () => {
  let stack: StackProcess;
  const token = (sub: string) => {
    const t = mintDevToken(stack.dataDir, sub);
    recordCredential(t);
    return t;
  };

  beforeAll(async () => {
    stack = await startStackProcess({ RATE_LIMIT_PER_MINUTE: String(LIMIT), RESPOND_LIMIT_PER_MINUTE: '2' });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it(`admits exactly ${LIMIT} of ${LIMIT + 5} concurrent requests and answers the rest 429 with Retry-After`, async () => {
    await awayFromWindowEnd();
    const t = token(uniqueUser('burst'));
    const results = await Promise.all(Array.from({ length: LIMIT + 5 }, () => api(stack.baseUrl, 'GET', '/me', { token: t })));
    const ok = results.filter((r) => r.status === 200);
    const limited = results.filter((r) => r.status === 429);
    expect(ok).toHaveLength(LIMIT);
    expect(limited).toHaveLength(5);
    expect(ok.map((r) => Number(r.headers.get('x-ratelimit-remaining'))).sort()).toEqual([0, 1, 2, 3, 4]);
    for (const r of limited) {
      expect(r.body).toEqual({ error: { code: 'rate_limited', message: 'Rate limit exceeded' } });
      const retryAfter = Number(r.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(r.headers.get('x-ratelimit-limit')).toBe(String(LIMIT));
      expect(r.headers.get('x-ratelimit-remaining')).toBe('0');
      expect(Number(r.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000);
    }
  });

  it("keeps one user's exhausted budget from touching another's, and leaves public routes alone", async () => {
    await awayFromWindowEnd();
    const noisy = token(uniqueUser('noisy'));
    await Promise.all(Array.from({ length: LIMIT + 2 }, () => api(stack.baseUrl, 'GET', '/tools/available', { token: noisy })));
    expect((await api(stack.baseUrl, 'GET', '/me', { token: noisy })).status).toBe(429);
    expect((await api(stack.baseUrl, 'GET', '/me', { token: token(uniqueUser('quiet')) })).status).toBe(200);
    const health = await Promise.all(Array.from({ length: LIMIT + 2 }, () => api(stack.baseUrl, 'GET', '/health')));
    expect(health.every((r) => r.status === 200)).toBe(true);
  });
});

describe('rate-limit headers on the shared stack (default limits)', () => {
  it('puts X-RateLimit-* on successes and on errors alike', async () => {
    const t = devToken(uniqueUser('hdr'));
    const me = await api(baseUrl(), 'GET', '/me', { token: t });
    const denied = await api(baseUrl(), 'GET', '/admin/audit', { token: t });
    expect(denied.status).toBe(403);
    for (const res of [me, denied]) {
      expect(res.headers.get('x-ratelimit-limit')).toBe('120');
      expect(Number(res.headers.get('x-ratelimit-remaining'))).toBeLessThan(120);
      expect(res.headers.get('x-ratelimit-reset')).toMatch(/^\d{10}$/);
    }
    expect(Number(denied.headers.get('x-ratelimit-remaining'))).toBe(Number(me.headers.get('x-ratelimit-remaining')) - 1);
  });
});

describe('DynamoDbRateCounter against DynamoDB Local', () => {
  it('admits exactly N of N+5 concurrent hits on one window', async () => {
    const { client, tableName } = localDb();
    const counter = new DynamoDbRateCounter(client, tableName);
    const input = { subject: uniqueUser('counter'), bucket: 'respond' as const, windowStart: 1_700_000_000, limit: 20, expiresAt: 1_700_000_120 };
    const results = await Promise.all(Array.from({ length: 25 }, () => counter.hit(input)));
    expect(results.filter((r) => r.admitted)).toHaveLength(20);
    expect(results.filter((r) => r.admitted).map((r) => r.count).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });
});
