// Idempotency-Key on POST routes over HTTP: the same key, body and caller replays the first
// response; another body is 409; another caller is independent; failures are not remembered.
// Replies (message posts, ChatKit) replay their stored exchange, in the retry's own framing.
import { describe, expect, it } from 'vitest';
import { api } from '../helpers/http';
import { userIdFor } from '../../functions/shared/adapters/node-crypto';
import { baseUrl, devIssuer, devToken, uniqueUser } from '../helpers/dev-tokens';
import { postSse } from '../helpers/sse';
import { localDb } from '../helpers/local-db';
import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../functions/shared/core/keys';

const post = (path: string, token: string, body: unknown, key?: string) =>
  api(baseUrl(), 'POST', path, { token, body, headers: key === undefined ? {} : { 'Idempotency-Key': key } });

describe('Idempotency-Key', () => {
  it('replays the first POST /threads response for the same key and body, storing one thread', async () => {
    const token = devToken(uniqueUser('idem'));
    const key = `create-${crypto.randomUUID()}`;
    const first = await post('/threads', token, { title: 'once' }, key);
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const again = await post('/threads', token, { title: 'once' }, key);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const list = await api(baseUrl(), 'GET', '/threads', { token });
    expect(list.body.data.map((t: { id: string }) => t.id)).toEqual([first.body.id]);
  });

  it('refuses the same key with another body with 409 conflict', async () => {
    const token = devToken(uniqueUser('idem'));
    const key = `k-${crypto.randomUUID()}`;
    expect((await post('/tasks', token, { title: 'one' }, key)).status).toBe(201);
    const other = await post('/tasks', token, { title: 'two' }, key);
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('conflict');
    const tasks = await api(baseUrl(), 'GET', '/tasks', { token });
    expect(tasks.body.data.map((t: { title: string }) => t.title)).toEqual(['one']);
  });

  it('keeps callers apart: the same key from another user is a request of its own', async () => {
    const key = `shared-${crypto.randomUUID()}`;
    const a = await post('/threads', devToken(uniqueUser('idem-a')), { title: 'same' }, key);
    const b = await post('/threads', devToken(uniqueUser('idem-b')), { title: 'same' }, key);
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.body.id).not.toBe(a.body.id);
    expect(b.headers.get('idempotent-replayed')).toBeNull();
  });

  it('does not remember a refused request: the corrected retry with the same key runs', async () => {
    const token = devToken(uniqueUser('idem'));
    const key = `fix-${crypto.randomUUID()}`;
    const bad = await post('/tasks', token, { title: '' }, key);
    expect(bad.status).toBe(400);
    const fixed = await post('/tasks', token, { title: 'fixed' }, key);
    expect(fixed.status).toBe(201);
    expect(fixed.headers.get('idempotent-replayed')).toBeNull();
  });

  it('runs concurrent repeats once', async () => {
    const token = devToken(uniqueUser('idem'));
    const key = `race-${crypto.randomUUID()}`;
    const results = await Promise.all(Array.from({ length: 6 }, () => post('/threads', token, { title: 'race' }, key)));
    for (const r of results) expect([201, 409], JSON.stringify(r.body)).toContain(r.status);
    const ids = new Set(results.filter((r) => r.status === 201).map((r) => r.body.id));
    expect(ids.size).toBe(1);
    const list = await api(baseUrl(), 'GET', '/threads', { token });
    expect(list.body.data).toHaveLength(1);
  });

  it.each([
    ['empty', ''],
    ['201 characters', 'k'.repeat(201)],
    ['non-ASCII', 'schlüssel'],
    ['a control character', 'a\tb'],
  ])('refuses a key that is %s with 400, storing nothing', async (_name, key) => {
    const token = devToken(uniqueUser('idem'));
    const res = await post('/threads', token, { title: 'never' }, key);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('bad_request');
    expect((await api(baseUrl(), 'GET', '/threads', { token })).body.data).toEqual([]);
  });
});

const items = async (token: string, threadId: string) =>
  (await api(baseUrl(), 'GET', `/threads/${threadId}/items?limit=100&order=asc`, { token })).body.data as Array<{ id: string; type: string; content: string }>;

const newThread = async (token: string) => (await post('/threads', token, { title: 'replies' })).body.id as string;

const chatkitInput = (text: string) => ({ content: [{ type: 'input_text', text }], attachments: [], inference_options: {} });

describe('Idempotency-Key on replies', () => {
  it('replays a message post as the stored exchange: one exchange stored, the same items returned', async () => {
    const token = devToken(uniqueUser('idem-msg'));
    const threadId = await newThread(token);
    const key = `msg-${crypto.randomUUID()}`;
    const first = await post(`/threads/${threadId}/messages`, token, { content: 'add a task: renew passport' }, key);
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const again = await post(`/threads/${threadId}/messages`, token, { content: 'add a task: renew passport' }, key);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    expect((await items(token, threadId)).map((i) => i.id)).toEqual([first.body.userMessage.id, first.body.assistantMessage.id]);
    // The task the agent made once is there once.
    const tasks = await api(baseUrl(), 'GET', '/tasks', { token });
    expect(tasks.body.data.map((t: { title: string }) => t.title)).toEqual(['renew passport']);
  });

  it('replays a streamed reply as a stream of the same exchange, and to a JSON retry as JSON', async () => {
    const token = devToken(uniqueUser('idem-sse'));
    const threadId = await newThread(token);
    const key = `sse-${crypto.randomUUID()}`;
    const url = `${baseUrl()}/threads/${threadId}/messages`;
    const headers = { 'Idempotency-Key': key };
    const first = await postSse(url, { token, body: { content: 'hello there' }, headers });
    expect(first.status).toBe(200);
    const done = first.events.at(-1);
    expect(done.type).toBe('item.done');

    const again = await postSse(url, { token, body: { content: 'hello there' }, headers });
    expect(again.status).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.events.map((e) => e.type)).toEqual(['item.added', 'item.added', 'text.delta', 'item.done']);
    expect(again.events[0].item).toEqual(first.events[0].item);
    expect(again.events[2]).toEqual({ type: 'text.delta', itemId: done.item.id, delta: done.item.content });
    expect(again.events[3]).toEqual(done);

    const asJson = await post(`/threads/${threadId}/messages`, token, { content: 'hello there' }, key);
    expect(asJson.status).toBe(201);
    expect(asJson.body).toEqual({ userMessage: first.events[0].item, assistantMessage: done.item });
    expect(await items(token, threadId)).toHaveLength(2);
  });

  it('refuses the same key with other content with 409 and stores nothing more', async () => {
    const token = devToken(uniqueUser('idem-msg'));
    const threadId = await newThread(token);
    const key = `other-${crypto.randomUUID()}`;
    expect((await post(`/threads/${threadId}/messages`, token, { content: 'one' }, key)).status).toBe(201);
    const other = await post(`/threads/${threadId}/messages`, token, { content: 'two' }, key);
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('conflict');
    expect((await items(token, threadId)).map((i) => i.content)).toEqual(['one', expect.any(String)]);
  });

  it('does not remember a refused message post: the retry to an existing thread runs', async () => {
    const token = devToken(uniqueUser('idem-msg'));
    const key = `refused-${crypto.randomUUID()}`;
    const missing = await post(`/threads/no-such-thread/messages`, token, { content: 'hi' }, key);
    expect(missing.status).toBe(403);
    const again = await post(`/threads/no-such-thread/messages`, token, { content: 'hi' }, key);
    expect(again.status).toBe(403);
    expect(again.headers.get('idempotent-replayed')).toBeNull();
  });

  it('runs concurrent repeats of a message post once', async () => {
    const token = devToken(uniqueUser('idem-msg'));
    const threadId = await newThread(token);
    const key = `race-${crypto.randomUUID()}`;
    const results = await Promise.all(Array.from({ length: 5 }, () => post(`/threads/${threadId}/messages`, token, { content: 'race' }, key)));
    for (const r of results) expect([201, 409], JSON.stringify(r.body)).toContain(r.status);
    const ids = new Set(results.filter((r) => r.status === 201).map((r) => r.body.assistantMessage.id));
    expect(ids.size).toBe(1);
    expect(await items(token, threadId)).toHaveLength(2);
  });

  it('replays ChatKit threads.create as the same thread and exchange, creating one thread', async () => {
    const token = devToken(uniqueUser('idem-ck'));
    const key = `ck-${crypto.randomUUID()}`;
    const body = { type: 'threads.create', params: { input: chatkitInput('add a task: water plants') } };
    const first = await postSse(`${baseUrl()}/chatkit`, { token, body, headers: { 'Idempotency-Key': key } });
    expect(first.status).toBe(200);
    const again = await postSse(`${baseUrl()}/chatkit`, { token, body, headers: { 'Idempotency-Key': key } });
    expect(again.status).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.events[0]).toEqual(first.events[0]); // thread.created, same thread
    expect(again.events[1]).toEqual(first.events[1]); // the user message
    expect(again.events.at(-1)).toEqual(first.events.at(-1)); // the stored reply
    const deltas = again.events.filter((e) => e.update?.type === 'assistant_message.content_part.text_delta');
    expect(deltas.map((e) => e.update.delta)).toEqual([first.events.at(-1).item.content[0].text]);
    const threads = await api(baseUrl(), 'GET', '/threads', { token });
    expect(threads.body.data.map((t: { id: string }) => t.id)).toEqual([first.events[0].thread.id]);
    expect((await api(baseUrl(), 'GET', '/tasks', { token })).body.data).toHaveLength(1);
  });

  it('replays ChatKit writes and ignores the key on ChatKit reads, which change nothing', async () => {
    const token = devToken(uniqueUser('idem-ck'));
    const threadId = await newThread(token);
    const chatkit = (body: unknown, key: string) => post('/chatkit', token, body, key);
    const key = `upd-${crypto.randomUUID()}`;
    const update = { type: 'threads.update', params: { thread_id: threadId, title: 'Renamed' } };
    const first = await chatkit(update, key);
    expect(first.status).toBe(200);
    const again = await chatkit(update, key);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    expect((await chatkit({ type: 'threads.update', params: { thread_id: threadId, title: 'Other' } }, key)).status).toBe(409);

    const readKey = `read-${crypto.randomUUID()}`;
    const list = { type: 'threads.list', params: { limit: 10 } };
    expect((await chatkit(list, readKey)).body.data).toHaveLength(1);
    await post('/threads', token, { title: 'second' });
    const reread = await chatkit(list, readKey);
    expect(reread.headers.get('idempotent-replayed')).toBeNull();
    expect(reread.body.data).toHaveLength(2);
  });

  it('keys a record to its path: the same key on another thread is a post of its own', async () => {
    const token = devToken(uniqueUser('idem-path'));
    const [a, b] = [await newThread(token), await newThread(token)];
    const key = `path-${crypto.randomUUID()}`;
    expect((await post(`/threads/${a}/messages`, token, { content: 'yes' }, key)).status).toBe(201);
    const onB = await post(`/threads/${b}/messages`, token, { content: 'yes' }, key);
    expect(onB.status).toBe(201);
    expect(onB.headers.get('idempotent-replayed')).toBeNull();
    expect(onB.body.userMessage.threadId).toBe(b);
    expect(await items(token, b)).toHaveLength(2);
  });

  it('gives no replay to a caller made read-only since: the retry is judged by today\'s rights', async () => {
    const sub = uniqueUser('idem-demoted');
    const token = devToken(sub);
    const threadId = await newThread(token);
    const key = `demoted-${crypto.randomUUID()}`;
    expect((await post(`/threads/${threadId}/messages`, token, { content: 'hello' }, key)).status).toBe(201);
    const asGuest = await post(`/threads/${threadId}/messages`, devToken(sub, { roles: ['guest'] }), { content: 'hello' }, key);
    expect(asGuest.status).toBe(403);
    expect(asGuest.body.error.code).toBe('read_only');
  });

  it('serves no replay of a deleted thread\'s exchange', async () => {
    const token = devToken(uniqueUser('idem-deleted'));
    const threadId = await newThread(token);
    const key = `deleted-${crypto.randomUUID()}`;
    expect((await post(`/threads/${threadId}/messages`, token, { content: 'secret note' }, key)).status).toBe(201);
    expect((await api(baseUrl(), 'DELETE', `/threads/${threadId}`, { token })).status).toBe(204);
    const replay = await post(`/threads/${threadId}/messages`, token, { content: 'secret note' }, key);
    expect(replay.status).toBe(403);
    expect(JSON.stringify(replay.body)).not.toContain('secret note');
  });

  it('runs an admin key disable again for another key under the same Idempotency-Key', async () => {
    const owner = uniqueUser('idem-owner');
    const ownerToken = devToken(owner);
    const ownerId = userIdFor(devIssuer().issuer, owner);
    const mint = async () => (await api(baseUrl(), 'POST', '/api-keys', { token: ownerToken, body: { name: 'k' } })).body as { id: string; key: string };
    const [k1, k2] = [await mint(), await mint()];
    const admin = devToken(uniqueUser('idem-admin'), { roles: ['admin'] });
    const key = `disable-${crypto.randomUUID()}`;
    for (const k of [k1, k2]) {
      const res = await post(`/admin/users/${encodeURIComponent(ownerId)}/api-keys/${k.id}/disable`, admin, undefined, key);
      expect(res.status).toBe(200);
      expect(res.headers.get('idempotent-replayed')).toBeNull();
    }
    for (const k of [k1, k2]) expect((await api(baseUrl(), 'GET', '/me', { apiKey: k.key })).status).toBe(401);
  });
});

/** Every stored Idempotency-Key record (the table's own records: `IDEMPOTENCY#…` partitions) holding `text`. */
/** The idempotency records listed under a thread that still exist (core/keys.ts: replayRefPk). */
async function recordsOfThread(userId: string, threadId: string): Promise<number> {
  const { doc, tableName } = localDb();
  const ref = await doc.send(new GetCommand({ TableName: tableName, Key: { PK: keys.replayRefPk(userId, threadId), SK: keys.idempotencySk() }, ConsistentRead: true }));
  const ids = ref.Item?.recordIds instanceof Set ? [...(ref.Item.recordIds as Set<string>)] : [];
  const found = await Promise.all(ids.map((id) => doc.send(new GetCommand({ TableName: tableName, Key: { PK: keys.idempotencyPk(id), SK: keys.idempotencySk() }, ConsistentRead: true }))));
  return found.filter((r) => r.Item).length;
}

async function recordsHolding(text: string): Promise<number> {
  const { doc, tableName } = localDb();
  let count = 0;
  let start: Record<string, unknown> | undefined;
  do {
    // A test-only look at the whole table: no function may Scan.
    const page = await doc.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start, FilterExpression: 'begins_with(PK, :p)', ExpressionAttributeValues: { ':p': 'IDEMPOTENCY#' } }));
    count += (page.Items ?? []).filter((r) => JSON.stringify(r).includes(text)).length;
    start = page.LastEvaluatedKey;
  } while (start);
  return count;
}

describe('T22 Idempotency-Key: what a replay may show', () => {
  it('exposes Idempotent-Replayed to browser scripts (Access-Control-Expose-Headers)', async () => {
    const token = devToken(uniqueUser('idem-cors'));
    const res = await api(baseUrl(), 'POST', '/threads', { token, body: { title: 'x' }, headers: { Origin: 'https://app.example.com', 'Idempotency-Key': `c-${crypto.randomUUID()}` } });
    expect(res.status).toBe(201);
    expect(res.headers.get('access-control-expose-headers')?.split(',')).toContain('Idempotent-Replayed');
  });

  it('serves no replay of POST /threads once the thread is deleted, and deletes the records holding its content', async () => {
    const token = devToken(uniqueUser('idem-del'));
    const key = `create-${crypto.randomUUID()}`;
    const marker = `ssn-${crypto.randomUUID()}`;
    const first = await post('/threads', token, { title: 'private', metadata: { ssn: marker } }, key);
    expect(first.status).toBe(201);
    const threadId = first.body.id as string;
    const msgKey = `msg-${crypto.randomUUID()}`;
    const note = `secret note ${marker}`;
    expect((await post(`/threads/${threadId}/messages`, token, { content: note }, msgKey)).status).toBe(201);
    // Two records hold the thread's content (sealed: no record holds its text), listed under the thread.
    expect(await recordsHolding(marker)).toBe(0);
    const userId = (await api(baseUrl(), 'GET', '/me', { token })).body.userId as string;
    expect(await recordsOfThread(userId, threadId)).toBe(2);

    expect((await api(baseUrl(), 'DELETE', `/threads/${threadId}`, { token })).status).toBe(204);
    expect(await recordsOfThread(userId, threadId)).toBe(0);
    // The record went with the thread: the retry is a request of its own, never the deleted thread.
    const retry = await post('/threads', token, { title: 'private', metadata: { ssn: marker } }, key);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
    expect(retry.body.id).not.toBe(threadId);
    const msgRetry = await post(`/threads/${threadId}/messages`, token, { content: note }, msgKey);
    expect(msgRetry.status).toBe(403);
    expect(msgRetry.text).not.toContain(marker);
  });

  it('serves no replay of a ChatKit threads.update once the thread is deleted', async () => {
    const token = devToken(uniqueUser('idem-ck-del'));
    const threadId = await newThread(token);
    const key = `upd-${crypto.randomUUID()}`;
    const update = { type: 'threads.update', params: { thread_id: threadId, title: 'Deleted title' } };
    expect((await post('/chatkit', token, update, key)).status).toBe(200);
    expect((await post('/chatkit', token, { type: 'threads.delete', params: { thread_id: threadId } })).status).toBe(200);
    const replay = await post('/chatkit', token, update, key);
    expect(replay.headers.get('idempotent-replayed')).toBeNull();
    expect(replay.text).not.toContain('Deleted title');
  });

  it('keys records on decoded path parameters: a percent-encoded thread id is the same post, replayed', async () => {
    const token = devToken(uniqueUser('idem-enc'));
    const threadId = await newThread(token);
    const key = `enc-${crypto.randomUUID()}`;
    expect((await post(`/threads/${threadId}/messages`, token, { content: 'add a task: once' }, key)).status).toBe(201);
    const encoded = `%${threadId.charCodeAt(0).toString(16).toUpperCase()}${threadId.slice(1)}`;
    const again = await post(`/threads/${encoded}/messages`, token, { content: 'add a task: once' }, key);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await items(token, threadId)).toHaveLength(2);
    expect((await api(baseUrl(), 'GET', '/tasks', { token })).body.data).toHaveLength(1);
  });
});

describe('T22 Idempotency-Key: security actions always run', () => {
  it('signs out again when a later session repeats POST /me/sign-out with the same key', async () => {
    const sub = uniqueUser('idem-signout');
    const key = `out-${crypto.randomUUID()}`;
    const first = await post('/me/sign-out', devToken(sub), undefined, key);
    expect(first.status).toBe(200);
    // A session signed in after that sign-out's second, which the repeat (in a later second) must end.
    const later = devToken(sub, { now: Date.parse(first.body.signedOutAt) + 1_000 });
    while (Date.now() < Date.parse(first.body.signedOutAt) + 1_000) await new Promise((r) => setTimeout(r, 50));
    expect((await api(baseUrl(), 'GET', '/me', { token: later })).status).toBe(200);
    const again = await post('/me/sign-out', later, undefined, key);
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBeNull();
    // The later session is ended too (the authorizers may answer from a 5 s cache).
    const deadline = Date.now() + 5_500;
    let status = 200;
    while (status !== 401 && Date.now() < deadline) {
      status = (await api(baseUrl(), 'GET', '/me', { token: later })).status;
      if (status !== 401) await new Promise((r) => setTimeout(r, 200));
    }
    expect(status).toBe(401);
  });

  it('disables a key again when an admin repeats the disable with the same key after the owner re-enabled it', async () => {
    const owner = uniqueUser('idem-owner2');
    const ownerToken = devToken(owner);
    const ownerId = userIdFor(devIssuer().issuer, owner);
    const k = (await api(baseUrl(), 'POST', '/api-keys', { token: ownerToken, body: { name: 'k' } })).body as { id: string; key: string };
    const admin = devToken(uniqueUser('idem-admin2'), { roles: ['admin'] });
    const key = `disable-${crypto.randomUUID()}`;
    const path = `/admin/users/${encodeURIComponent(ownerId)}/api-keys/${k.id}/disable`;
    expect((await post(path, admin, undefined, key)).status).toBe(200);
    expect((await api(baseUrl(), 'PATCH', `/api-keys/${k.id}`, { token: ownerToken, body: { enabled: true } })).status).toBe(200);
    expect((await api(baseUrl(), 'GET', '/me', { apiKey: k.key })).status).toBe(200);
    const again = await post(path, admin, undefined, key);
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBeNull();
    expect((await api(baseUrl(), 'GET', '/me', { apiKey: k.key })).status).toBe(401);
  });
});
