// THREATS T10 over HTTP: per-user limits hold under concurrent bursts, and the reply limit refuses
// before anything is stored. A second local stack with low limits keeps the shared one at the
// documented defaults.
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintDevToken, readDevIssuer } from '../../infra/local/dev-issuer';
import { DynamoDbRateCounter } from '../../functions/shared/adapters/rate-counter';
import { singleClient } from '../../functions/shared/adapters/tenant-clients';
import { userIdFor } from '../../functions/shared/adapters/node-crypto';
import { keys } from '../../functions/shared/core/keys';
import { tenantIdOf } from '../../functions/shared/adapters/tenant-id';
import { fixedWindow } from '../../functions/shared/core/rate-limit';
import { api, type ApiResponse } from '../helpers/http';
import { recordCredential } from '../helpers/credentials';
import { baseUrl, devToken, uniqueUser } from '../helpers/dev-tokens';
import { localDb } from '../helpers/local-db';
import { postSse } from '../helpers/sse';
import { startStackProcess, type StackProcess } from '../helpers/stack-process';

const LIMIT = 5;
const RESPOND_LIMIT = 2;

/** A burst must not straddle a window boundary, or two windows' budgets would be counted. */
async function awayFromWindowEnd(marginSeconds = 5): Promise<void> {
  while (fixedWindow(new Date()).resetAt - Date.now() / 1000 < marginSeconds) await new Promise((r) => setTimeout(r, 250));
}

/** A 429 from the reply limit: the documented body, Retry-After, and the reply bucket's own X-RateLimit-*. */
function expectReplyLimited(res: { status: number; body: unknown; header: (name: string) => string | null }, what: string) {
  expect(res.status, what).toBe(429);
  expect(res.body, what).toEqual({ error: { code: 'rate_limited', message: 'Rate limit exceeded' } });
  const retryAfter = Number(res.header('retry-after'));
  expect(retryAfter, what).toBeGreaterThanOrEqual(1);
  expect(retryAfter, what).toBeLessThanOrEqual(60);
  expect(res.header('x-ratelimit-limit'), what).toBe(String(RESPOND_LIMIT));
  expect(res.header('x-ratelimit-remaining'), what).toBe('0');
  expect(Number(res.header('x-ratelimit-reset')), what).toBeGreaterThan(Date.now() / 1000);
}

describe('per-user rate limits (T10)', () => {
  let stack: StackProcess;
  const token = (sub: string) => {
    const t = mintDevToken(stack.dataDir, sub);
    recordCredential(t);
    return t;
  };

  beforeAll(async () => {
    stack = await startStackProcess({ RATE_LIMIT_PER_MINUTE: String(LIMIT), RESPOND_LIMIT_PER_MINUTE: String(RESPOND_LIMIT) });
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

  describe('the reply limit (respond bucket) over HTTP (T10)', () => {
    // LIMIT requests leave room for RESPOND_LIMIT + 1 replies and the one setup request around them.
    const user = () => {
      const sub = uniqueUser('replies');
      return { token: token(sub), userId: userIdFor(readDevIssuer(stack.dataDir).issuer, sub) };
    };
    /** The user's threads, items and tasks, read straight from the stack's table. */
    const stored = async (userId: string) => {
      const { doc, tableName } = localDb(stack.dataDir);
      const res = await doc.send(
        new QueryCommand({ TableName: tableName, KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': keys.userPk(tenantIdOf(userId)) }, ConsistentRead: true }),
      );
      return (res.Items ?? []).filter((r) => /^(THREAD|ITEM|TASK)#/.test(String(r.SK)));
    };
    const rest = (r: ApiResponse) => ({ status: r.status, body: r.body, header: (n: string) => r.headers.get(n) });
    const input = (text: string) => ({ content: [{ type: 'input_text', text }], attachments: [], inference_options: {} });
    const chatkit = async (token: string, body: unknown) => {
      const r = await postSse(`${stack.baseUrl}/chatkit`, { token, body });
      const header = (n: string) => {
        const v = r.headers[n];
        return v === undefined ? null : String(v);
      };
      return { status: r.status, body: header('content-type')?.startsWith('application/json') ? JSON.parse(r.body) : r.body, header, events: r.events };
    };

    it(`refuses message post ${RESPOND_LIMIT + 1} with 429 and stores nothing for it`, async () => {
      await awayFromWindowEnd();
      const { token, userId } = user();
      const thread = await api(stack.baseUrl, 'POST', '/threads', { token, body: { title: 'replies' } });
      expect(thread.status).toBe(201);
      const path = `/threads/${thread.body.id}/messages`;
      for (let n = 1; n <= RESPOND_LIMIT; n++) {
        expect((await api(stack.baseUrl, 'POST', path, { token, body: { content: `hello ${n}` } })).status).toBe(201);
      }
      const before = await stored(userId);
      expect(before.filter((r) => r.itemType === 'user_message')).toHaveLength(RESPOND_LIMIT);
      const refused = rest(await api(stack.baseUrl, 'POST', path, { token, body: { content: 'one too many' } }));
      expect(await stored(userId)).toEqual(before);
      expectReplyLimited(refused, 'message post');
    });

    it(`refuses ChatKit threads.create ${RESPOND_LIMIT + 1} with 429 before a thread is made`, async () => {
      await awayFromWindowEnd();
      const { token, userId } = user();
      for (let n = 1; n <= RESPOND_LIMIT; n++) {
        const res = await chatkit(token, { type: 'threads.create', params: { input: input(`hello ${n}`) } });
        expect(res.status).toBe(200);
        expect(res.events[0].type).toBe('thread.created');
      }
      const before = await stored(userId);
      expect(before.filter((r) => String(r.SK).startsWith('THREAD#'))).toHaveLength(RESPOND_LIMIT);
      const refused = await chatkit(token, { type: 'threads.create', params: { input: input('one too many') } });
      expect(await stored(userId)).toEqual(before);
      expectReplyLimited(refused, 'threads.create');
    });

    it(`refuses ChatKit threads.add_user_message ${RESPOND_LIMIT + 1} with 429 and stores nothing for it`, async () => {
      await awayFromWindowEnd();
      const { token, userId } = user();
      const thread = await api(stack.baseUrl, 'POST', '/threads', { token, body: { title: 'replies' } });
      const add = (text: string) => chatkit(token, { type: 'threads.add_user_message', params: { thread_id: thread.body.id, input: input(text) } });
      for (let n = 1; n <= RESPOND_LIMIT; n++) {
        const res = await add(`hello ${n}`);
        expect(res.status).toBe(200);
        expect(res.events.at(-1)).toMatchObject({ type: 'thread.item.done', item: { type: 'assistant_message' } });
      }
      const before = await stored(userId);
      expect(before.filter((r) => r.itemType === 'user_message')).toHaveLength(RESPOND_LIMIT);
      const refused = await add('one too many');
      expect(await stored(userId)).toEqual(before);
      expectReplyLimited(refused, 'threads.add_user_message');
    });
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
    const counter = new DynamoDbRateCounter(singleClient(client), tableName);
    const input = { subject: uniqueUser('counter'), bucket: 'respond' as const, windowStart: 1_700_000_000, limit: 20, expiresAt: 1_700_000_120 };
    const results = await Promise.all(Array.from({ length: 25 }, () => counter.hit(input)));
    expect(results.filter((r) => r.admitted)).toHaveLength(20);
    expect(results.filter((r) => r.admitted).map((r) => r.count).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });
});
