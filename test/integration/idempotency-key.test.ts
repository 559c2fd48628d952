// Idempotency-Key on POST routes over HTTP: the same key, body and caller replays the first
// response; another body is 409; another caller is independent; failures are not remembered.
// Replies (message posts, ChatKit) replay their stored exchange, in the retry's own framing.
import { describe, expect, it } from 'vitest';
import { api } from '../helpers/http';
import { userIdFor } from '../../functions/shared/core/authenticate';
import { baseUrl, devIssuer, devToken, uniqueUser } from '../helpers/dev-tokens';
import { postSse } from '../helpers/sse';

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
