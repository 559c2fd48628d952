// Writes stay correct when DynamoDB's reply is lost after the write happened (the SDK retries the
// same request), and throttling or DynamoDB 5xx that outlast the SDK's retries answer the
// documented 503. A stack whose functions reach DynamoDB through a fault proxy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attr, faultOnce, type Fault, type ProxiedRequest } from '../../bench/fault-proxy';
import { keys } from '../../functions/shared/core/keys';
import { tenantIdOf } from '../../functions/shared/adapters/tenant-id';
import { startFaultStack, type FaultStack } from '../helpers/fault-stack';
import { api } from '../helpers/http';
import { uniqueUser } from '../helpers/dev-tokens';
import { rowsWithPrefix } from '../helpers/local-db';

const DROP: Fault = { kind: 'dropAfterForward' };

let fs: FaultStack;
const url = () => fs.stack.baseUrl;

beforeAll(async () => {
  fs = await startFaultStack();
});
afterAll(async () => {
  await fs?.stop();
});

/** Arms one dropped reply for the first request matching `when`, runs `fn`, checks it fired. */
async function withLostReply<T>(when: (r: ProxiedRequest) => boolean, fn: () => Promise<T>): Promise<T> {
  const before = fs.proxy.injected.dropAfterForward ?? 0;
  fs.proxy.setPolicy(faultOnce(when, DROP));
  try {
    return await fn();
  } finally {
    fs.proxy.setPolicy(() => ({ kind: 'pass' }));
    expect(fs.proxy.injected.dropAfterForward ?? 0, 'the fault was injected').toBe(before + 1);
  }
}

const putOf = (skPrefix: string) => (r: ProxiedRequest) => r.op === 'PutItem' && (attr(r.body.Item, 'SK') ?? '').startsWith(skPrefix);

describe('a write whose reply was lost', () => {
  it('POST /threads answers 201 and stores one thread', async () => {
    const sub = uniqueUser('lost-thread');
    const token = fs.token(sub);
    const res = await withLostReply(putOf('THREAD#'), () => api(url(), 'POST', '/threads', { token, body: { title: 'once' } }));
    expect(res.status).toBe(201);
    const threads = await rowsWithPrefix(keys.userPk(tenantIdOf(fs.userId(sub))), keys.threadSkPrefix());
    expect(threads.map((t) => t.id)).toEqual([res.body.id]);
  });

  it('POST /tasks answers 201 and stores one task', async () => {
    const sub = uniqueUser('lost-task');
    const token = fs.token(sub);
    // A create is one transaction (the task and the per-user task counter): its retry carries the same ClientRequestToken.
    const res = await withLostReply(
      (r) => r.op === 'TransactWriteItems' && JSON.stringify(r.body).includes('TASK#'),
      () => api(url(), 'POST', '/tasks', { token, body: { title: 'buy milk' } }),
    );
    expect(res.status).toBe(201);
    const tasks = await rowsWithPrefix(keys.userPk(tenantIdOf(fs.userId(sub))), keys.taskSkPrefix());
    expect(tasks.map((t) => t.id)).toEqual([res.body.id]);
  });

  it('DELETE /tasks/{id} answers 204 and the task is gone', async () => {
    const sub = uniqueUser('lost-delete');
    const token = fs.token(sub);
    const created = await api(url(), 'POST', '/tasks', { token, body: { title: 'to delete' } });
    expect(created.status).toBe(201);
    const res = await withLostReply(
      (r) => r.op === 'TransactWriteItems' && JSON.stringify(r.body).includes('TASK#'),
      () => api(url(), 'DELETE', `/tasks/${created.body.id}`, { token }),
    );
    expect(res.status).toBe(204);
    expect(await rowsWithPrefix(keys.userPk(tenantIdOf(fs.userId(sub))), keys.taskSkPrefix())).toEqual([]);
  });

  it('a message post stores its exchange once', async () => {
    const sub = uniqueUser('lost-message');
    const token = fs.token(sub);
    const thread = await api(url(), 'POST', '/threads', { token, body: { title: 'chat' } });
    const res = await withLostReply(
      (r) => r.op === 'TransactWriteItems' && JSON.stringify(r.body).includes('ITEM#'),
      () => api(url(), 'POST', `/threads/${thread.body.id}/messages`, { token, body: { content: 'hello once' } }),
    );
    expect(res.status).toBe(201);
    const items = await rowsWithPrefix(keys.userPk(tenantIdOf(fs.userId(sub))), keys.itemSkPrefix(thread.body.id));
    expect(items.map((i) => i.itemType)).toEqual(['user_message', 'assistant_message']);
  });

  it('a reply holds and charges its tokens once when those replies are lost', async () => {
    // The same message from two users: one with every budget write's reply lost once, one without.
    const post = async (sub: string) => {
      const token = fs.token(sub);
      const thread = await api(url(), 'POST', '/threads', { token, body: { title: 'budget' } });
      return api(url(), 'POST', `/threads/${thread.body.id}/messages`, { token, body: { content: 'what should I do today?' } });
    };
    const tokensOf = async (sub: string) => (await rowsWithPrefix(keys.userPk(tenantIdOf(fs.userId(sub))), 'TOKENS#'))[0]!;
    const plain = uniqueUser('budget-plain');
    expect((await post(plain)).status).toBe(201);
    const lossy = uniqueUser('budget-lossy');
    // The first attempt of the hold and the first of the settle each lose their reply (the SDK retries).
    const dropped = new Set<string>();
    const before = fs.proxy.injected.dropAfterForward ?? 0;
    fs.proxy.setPolicy((r) => {
      if (r.op !== 'UpdateItem' || !(attr(r.body.Key, 'SK') ?? '').startsWith('TOKENS#')) return { kind: 'pass' };
      const kind = String(r.body.UpdateExpression).startsWith('ADD') ? 'settle' : 'hold';
      if (dropped.has(kind)) return { kind: 'pass' };
      dropped.add(kind);
      return DROP;
    });
    const res = await post(lossy).finally(() => fs.proxy.setPolicy(() => ({ kind: 'pass' })));
    expect(fs.proxy.injected.dropAfterForward ?? 0, 'both faults were injected').toBe(before + 2);
    expect(res.status).toBe(201);
    const [expected, got] = [await tokensOf(plain), await tokensOf(lossy)];
    expect(got.tokens).toBe(expected.tokens);
    expect(got.committed).toBe(expected.committed); // the hold was taken once and given back once
  });

  it('one request counts one rate-limit unit', async () => {
    const sub = uniqueUser('lost-rate');
    const token = fs.token(sub);
    const res = await withLostReply(
      (r) => r.op === 'UpdateItem' && (attr(r.body.Key, 'PK') ?? '').startsWith('RATE#'),
      () => api(url(), 'GET', '/threads', { token }),
    );
    expect(res.status).toBe(200);
    const limit = Number(res.headers.get('x-ratelimit-limit'));
    expect(Number(res.headers.get('x-ratelimit-remaining'))).toBe(limit - 1);
    const [counter] = await rowsWithPrefix(keys.ratePk(tenantIdOf(fs.userId(sub)), 'requests'), '');
    expect(counter!.count).toBe(1);
    const next = await api(url(), 'GET', '/threads', { token });
    expect(Number(next.headers.get('x-ratelimit-remaining'))).toBe(limit - 2);
  });

  it('a webhook whose claim reply was lost is processed, and its redelivery is a duplicate', async () => {
    const userId = fs.userId(uniqueUser('lost-hook'));
    const key = `lost-${crypto.randomUUID()}`;
    const deliver = () =>
      api(url(), 'POST', '/webhooks/tasks', {
        body: { type: 'task.created', userId, title: 'from the tracker' },
        headers: { Authorization: `Bearer ${fs.webhookToken}`, 'Idempotency-Key': key },
      });
    const first = await withLostReply((r) => r.op === 'PutItem' && (attr(r.body.Item, 'PK') ?? '').startsWith('WEBHOOK#'), deliver);
    expect(first.status).toBe(202);
    const again = await deliver();
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ id: first.body.id, duplicate: true });
    expect(await rowsWithPrefix(keys.userPk(tenantIdOf(userId)), keys.taskSkPrefix())).toHaveLength(1);
  });
});

describe('throttling and DynamoDB errors past the SDK retries', () => {
  it.each([
    ['throttling', { kind: 'throttle' } as Fault],
    ['a DynamoDB 500', { kind: 'error500' } as Fault],
  ])('%s answers 503 service_unavailable with Retry-After, and nothing half-stored', async (_name, fault) => {
    const sub = uniqueUser('throttled');
    const token = fs.token(sub);
    const pk = keys.userPk(tenantIdOf(fs.userId(sub)));
    // Every request touching this user's partition fails; the rate counter and audit still work.
    fs.proxy.setPolicy((r) => (JSON.stringify(r.body).includes(JSON.stringify(pk)) ? fault : { kind: 'pass' }));
    try {
      for (const [method, path, body] of [
        ['GET', '/threads', undefined],
        ['POST', '/threads', { title: 'never' }],
      ] as const) {
        const res = await api(url(), method, path, { token, body });
        expect(res.status, `${method} ${path}`).toBe(503);
        expect(res.body).toEqual({ error: { code: 'service_unavailable', message: 'Service temporarily unavailable; retry later' } });
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      }
    } finally {
      fs.proxy.setPolicy(() => ({ kind: 'pass' }));
    }
    expect(await rowsWithPrefix(pk, '')).toEqual([]);
    expect((await api(url(), 'GET', '/threads', { token })).status).toBe(200);
  });

  it('an API key whose lookup is throttled gets 503 service_unavailable from the gateway, not a 401', async () => {
    const token = fs.token(uniqueUser('key-lookup'));
    const created = await api(url(), 'POST', '/api-keys', { token, body: { name: 'ci' } });
    expect(created.status).toBe(201);
    const apiKey = created.body.key as string;
    fs.proxy.setPolicy((r) => (r.op === 'GetItem' && (attr(r.body.Key, 'PK') ?? '').startsWith('APIKEY#') ? { kind: 'throttle' } : { kind: 'pass' }));
    try {
      const res = await api(url(), 'GET', '/threads', { apiKey });
      expect(res.status).toBe(503);
      expect(res.body).toEqual({ error: { code: 'service_unavailable', message: 'Service temporarily unavailable; retry later' } });
      expect(res.headers.get('retry-after')).toBe('5');
    } finally {
      fs.proxy.setPolicy(() => ({ kind: 'pass' }));
    }
    expect((await api(url(), 'GET', '/threads', { apiKey })).status).toBe(200);
  });
});
