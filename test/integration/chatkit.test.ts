// The ChatKit server protocol over real HTTP: a conversation from threads.create through items.list,
// checked against the protocol's shapes, shared storage with the REST routes, and THREATS T1/T7.
import { describe, expect, it } from 'vitest';
import { keys } from '../../functions/shared/core/keys';
import { tenantIdOf } from '../../functions/shared/adapters/tenant-id';
import { api } from '../helpers/http';
import { baseUrl } from '../helpers/dev-tokens';
import { auditRows, rowsWithPrefix } from '../helpers/local-db';
import { postSse } from '../helpers/sse';
import { call, newThread, testUser, THREAD_FORBIDDEN, type TestUser } from '../helpers/threads';

const chatkit = (user: TestUser, body: unknown) => call(user, 'POST', '/chatkit', body);
const chatkitStream = (user: TestUser, body: unknown) => postSse(`${baseUrl()}/chatkit`, { token: user.token, body });
const input = (text: string) => ({ content: [{ type: 'input_text', text }], attachments: [], inference_options: {} });

describe('ChatKit protocol', () => {
  it('runs a conversation: threads.create streams the canonical sequence, then get_by_id, list, items.list', async () => {
    const alice = testUser('ck');
    // threads.create
    const created = await chatkitStream(alice, { type: 'threads.create', params: { input: input('add a task to renew my passport') } });
    expect(created.status).toBe(200);
    expect(String(created.headers['content-type'])).toMatch(/^text\/event-stream/);
    const types = created.events.map((e) => (e.type === 'thread.item.updated' ? `${e.type}:${e.update.type}` : e.type));
    expect(types.slice(0, 5)).toEqual([
      'thread.created',
      'thread.item.done',
      'stream_options',
      'thread.item.added',
      'thread.item.updated:assistant_message.content_part.added',
    ]);
    expect(created.events[2]).toEqual({ type: 'stream_options', stream_options: { allow_cancel: true } });
    expect(types.filter((t) => t.endsWith('text_delta')).length).toBeGreaterThan(1);
    expect(types.slice(-2)).toEqual(['thread.item.updated:assistant_message.content_part.done', 'thread.item.done']);
    expect(created.body.split('\n\n').filter(Boolean).every((block) => /^data: \{.*\}$/.test(block))).toBe(true);
    const thread = created.events[0].thread;
    expect(thread).toMatchObject({ id: expect.any(String), status: { type: 'active' }, metadata: {}, items: { data: [], has_more: false } });
    const userItem = created.events[1].item;
    expect(userItem).toMatchObject({ type: 'user_message', thread_id: thread.id, content: [{ type: 'input_text', text: 'add a task to renew my passport' }] });
    const reply = created.events.at(-1).item;
    expect(reply).toMatchObject({ type: 'assistant_message', thread_id: thread.id, content: [{ type: 'output_text', annotations: [] }] });

    // threads.add_user_message on the same thread
    const next = await chatkitStream(alice, { type: 'threads.add_user_message', params: { thread_id: thread.id, input: input('list my tasks') } });
    expect(next.events[0]).toMatchObject({ type: 'thread.item.done', item: { type: 'user_message' } });
    expect(next.events.at(-1).item.content[0].text).toMatch(/passport/);

    // threads.get_by_id, threads.list, items.list
    const got = await chatkit(alice, { type: 'threads.get_by_id', params: { thread_id: thread.id } });
    expect(got.status).toBe(200);
    expect(got.body.items.data.map((i: { id: string }) => i.id)).toEqual([userItem.id, reply.id, next.events[0].item.id, next.events.at(-1).item.id]);
    const list = await chatkit(alice, { type: 'threads.list', params: { limit: 10 } });
    expect(list.body).toMatchObject({ has_more: false, data: [{ id: thread.id, items: { data: [], has_more: false } }] });
    const items = await chatkit(alice, { type: 'items.list', params: { thread_id: thread.id, limit: 3 } });
    expect(items.body.data).toHaveLength(3);
    expect(items.body.has_more).toBe(true);
    expect(items.body.data[0].id).toBe(next.events.at(-1).item.id); // default order desc
    const rest = await chatkit(alice, { type: 'items.list', params: { thread_id: thread.id, limit: 3, after: items.body.after } });
    expect(rest.body).toMatchObject({ has_more: false, data: [{ id: userItem.id }] });

    // threads.update, items.feedback, threads.delete
    expect((await chatkit(alice, { type: 'threads.update', params: { thread_id: thread.id, title: 'Passport' } })).body.title).toBe('Passport');
    // A blank title leaves the title alone, as a REST PATCH does.
    expect((await chatkit(alice, { type: 'threads.update', params: { thread_id: thread.id, title: '   ' } })).body.title).toBe('Passport');
    expect((await call(alice, 'GET', `/threads/${thread.id}`)).body.title).toBe('Passport');
    expect((await chatkit(alice, { type: 'items.feedback', params: { thread_id: thread.id, item_ids: [reply.id], kind: 'positive' } })).body).toEqual({});
    expect((await chatkit(alice, { type: 'threads.delete', params: { thread_id: thread.id } })).body).toEqual({});
    expect((await call(alice, 'GET', `/threads/${thread.id}`)).status).toBe(403);
  });

  it('shares storage with the REST routes both ways', async () => {
    const alice = testUser('ck-shared');
    const restThread = await newThread(alice, 'made over REST');
    const listed = await chatkit(alice, { type: 'threads.list', params: {} });
    expect(listed.body.data.map((t: { id: string }) => t.id)).toContain(restThread);
    const created = await chatkitStream(alice, { type: 'threads.create', params: { input: input('hello') } });
    const ckThread = created.events[0].thread.id;
    const rest = await call(alice, 'GET', '/threads');
    expect(rest.body.data.map((t: { id: string }) => t.id)).toContain(ckThread);
  });

  it('T1: every thread request naming another user\'s thread gets the REST 403 body, before any stream', async () => {
    const owner = testUser('ck-owner');
    const intruder = testUser('ck-intruder');
    const threadId = await newThread(owner);
    const requests = [
      { type: 'threads.get_by_id', params: { thread_id: threadId } },
      { type: 'threads.update', params: { thread_id: threadId, title: 'mine now' } },
      { type: 'threads.delete', params: { thread_id: threadId } },
      { type: 'items.list', params: { thread_id: threadId } },
      { type: 'items.feedback', params: { thread_id: threadId, item_ids: ['x'], kind: 'negative' } },
    ];
    for (const body of requests) {
      const res = await chatkit(intruder, body);
      expect(res.status, body.type).toBe(403);
      expect(res.body).toEqual(THREAD_FORBIDDEN);
    }
    for (const body of [
      { type: 'threads.add_user_message', params: { thread_id: threadId, input: input('hi') } },
      { type: 'threads.retry_after_item', params: { thread_id: threadId, item_id: '01JZZZZZZZZZZZZZZZZZZZZZZZ' } },
    ]) {
      const streamed = await chatkitStream(intruder, body);
      expect(streamed.status, body.type).toBe(403);
      expect(JSON.parse(streamed.body), body.type).toEqual(THREAD_FORBIDDEN);
    }
    const random = await chatkit(intruder, { type: 'threads.get_by_id', params: { thread_id: '01JZZZZZZZZZZZZZZZZZZZZZZZ' } });
    expect(random.body).toEqual(THREAD_FORBIDDEN);
    const thread = await call(owner, 'GET', `/threads/${threadId}`);
    expect(thread.body.title).toBe('a thread');
    expect((await call(owner, 'GET', `/threads/${threadId}/items`)).body.data).toEqual([]);
  });

  it('T7: a guest may read over ChatKit but not write', async () => {
    const guest = testUser('ck-guest', ['guest']);
    expect((await chatkit(guest, { type: 'threads.list', params: {} })).status).toBe(200);
    const res = await chatkitStream(guest, { type: 'threads.create', params: { input: input('hi') } });
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body).error.code).toBe('read_only');
  });

  it('T7: refuses every non-read request from a guest or a read-only key with 403 read_only, before any stream, storing nothing', async () => {
    const owner = testUser('ck-ro-owner');
    const guest = testUser('ck-ro-guest', ['guest'], owner.sub); // the owner signing in as a guest
    const created = await chatkitStream(owner, { type: 'threads.create', params: { input: input('hello') } });
    const threadId: string = created.events[0].thread.id;
    const replyId: string = created.events.at(-1).item.id;
    const key: string = (await call(owner, 'POST', '/api-keys', { name: 'ck-reader', readOnly: true })).body.key;
    const stored = () => rowsWithPrefix(keys.userPk(tenantIdOf(owner.userId)), '').then((rows) => rows.filter((r) => /^(THREAD|ITEM|TASK)#/.test(String(r.SK))));
    const deniedReadOnly = async () => (await auditRows(owner.userId)).filter((e) => e.outcome === 'denied' && e.reason === 'read_only').length;
    const before = await stored();
    const deniedBefore = await deniedReadOnly();

    const writes = [
      { type: 'threads.create', params: { input: input('hi') } },
      { type: 'threads.add_user_message', params: { thread_id: threadId, input: input('hi') } },
      { type: 'threads.retry_after_item', params: { thread_id: threadId, item_id: created.events[1].item.id } },
      { type: 'threads.update', params: { thread_id: threadId, title: 'mine now' } },
      { type: 'threads.delete', params: { thread_id: threadId } },
      { type: 'items.feedback', params: { thread_id: threadId, item_ids: [replyId], kind: 'negative' } },
    ];
    const callers = [
      { name: 'guest', cred: { token: guest.token } },
      { name: 'read-only key', cred: { apiKey: key } },
    ];
    for (const { name, cred } of callers) {
      for (const body of writes) {
        // Asked as a stream, as the ChatKit client asks: the refusal must still be plain JSON.
        const res = await postSse(`${baseUrl()}/chatkit`, { ...cred, body });
        expect(res.status, `${name} ${body.type}`).toBe(403);
        expect(String(res.headers['content-type']), `${name} ${body.type}`).toMatch(/^application\/json/);
        expect(JSON.parse(res.body), `${name} ${body.type}`).toEqual({ error: { code: 'read_only', message: 'This principal is read-only' } });
      }
      for (const body of [
        { type: 'threads.list', params: {} },
        { type: 'threads.get_by_id', params: { thread_id: threadId } },
        { type: 'items.list', params: { thread_id: threadId } },
      ]) {
        expect((await api(baseUrl(), 'POST', '/chatkit', { ...cred, body })).status, `${name} ${body.type}`).toBe(200);
      }
    }
    expect(await stored()).toEqual(before);
    // Each refusal is audited, as the REST routes audit a refused write.
    expect((await deniedReadOnly()) - deniedBefore).toBe(writes.length * callers.length);
  });

  it('refuses unknown request types and malformed bodies with a clear 400', async () => {
    const alice = testUser('ck-bad');
    const unknown = await chatkit(alice, { type: 'attachments.create', params: {} });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toMatch(/Unsupported ChatKit request type: attachments.create/);
    expect((await chatkit(alice, { params: {} })).status).toBe(400);
    expect((await chatkit(alice, { type: 'threads.get_by_id', params: {} })).status).toBe(400);
    expect((await call(alice, 'POST', '/chatkit', undefined, { 'Content-Type': 'application/json' })).status).toBe(400);
  });
});
