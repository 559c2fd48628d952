// The /threads routes over real HTTP: create, list (newest first, paginated), get, rename and
// metadata, delete, items (asc/desc, paginated), messages; validation answers 400 / 413 in the
// API.md shape and stores nothing.
import { describe, expect, it } from 'vitest';
import { call, newThread, testUser, THREAD_FORBIDDEN } from '../helpers/threads';
import { api } from '../helpers/http';
import { baseUrl } from '../helpers/dev-tokens';
import { auditRows } from '../helpers/local-db';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('threads', () => {
  it('creates, reads, renames, updates metadata and deletes a thread', async () => {
    const alice = testUser('alice');
    const created = await call(alice, 'POST', '/threads', { title: '  Groceries  ', metadata: { pinned: true } });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: expect.any(String), title: 'Groceries', metadata: { pinned: true }, createdAt: expect.stringMatching(ISO), updatedAt: created.body.createdAt });
    const id = created.body.id as string;

    const got = await call(alice, 'GET', `/threads/${id}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(created.body);

    const renamed = await call(alice, 'PATCH', `/threads/${id}`, { title: 'Weekly shop' });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ id, title: 'Weekly shop', metadata: { pinned: true }, createdAt: created.body.createdAt });
    expect(renamed.body.updatedAt >= created.body.updatedAt).toBe(true);

    const meta = await call(alice, 'PATCH', `/threads/${id}`, { metadata: { color: 'blue' } });
    expect(meta.body).toMatchObject({ title: 'Weekly shop', metadata: { color: 'blue' } });

    expect((await call(alice, 'DELETE', `/threads/${id}`)).status).toBe(204);
    const after = await call(alice, 'GET', `/threads/${id}`);
    expect(after.status).toBe(403);
    expect(after.body).toEqual(THREAD_FORBIDDEN);
    expect((await call(alice, 'DELETE', `/threads/${id}`)).status).toBe(403);
  });

  it('gives a thread without a title the default title and empty metadata', async () => {
    const res = await call(testUser('u'), 'POST', '/threads');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ title: 'New thread', metadata: {} });
  });

  it('lists threads newest first with cursor pagination and no duplicates', async () => {
    const alice = testUser('alice');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await newThread(alice, `t${i}`));
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const q: string = `/threads?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const res = await call(alice, 'GET', q);
      expect(res.status).toBe(200);
      expect(res.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.data.map((t: { id: string }) => t.id));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
    expect(pages).toBe(3);
    const all = await call(alice, 'GET', '/threads');
    expect(all.body.data.map((t: { title: string }) => t.title)).toEqual(['t4', 't3', 't2', 't1', 't0']);
    expect(all.body.nextCursor).toBeNull();
  });

  it('lists items in ascending order by default, descending on request, paginated', async () => {
    const alice = testUser('alice');
    const id = await newThread(alice);
    for (const content of ['one', 'two', 'three']) {
      expect((await call(alice, 'POST', `/threads/${id}/messages`, { content })).status).toBe(201);
    }
    const asc = await call(alice, 'GET', `/threads/${id}/items`);
    expect(asc.status).toBe(200);
    expect(asc.body.data).toHaveLength(6);
    expect(asc.body.data.filter((i: { type: string }) => i.type === 'user_message').map((i: { content: string }) => i.content)).toEqual(['one', 'two', 'three']);
    expect(asc.body.data.map((i: { type: string }) => i.type)).toEqual(['user_message', 'assistant_message', 'user_message', 'assistant_message', 'user_message', 'assistant_message']);
    for (const item of asc.body.data) {
      // Assistant messages say how they ended (`done` here; `cancelled` when their user stopped them).
      const status = item.type === 'assistant_message' ? { status: 'done' } : {};
      expect(item).toEqual({ id: expect.any(String), threadId: id, type: expect.any(String), content: expect.any(String), createdAt: expect.stringMatching(ISO), ...status });
    }

    const descIds: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { body: { data: { id: string }[]; nextCursor: string | null } } = await call(alice, 'GET', `/threads/${id}/items?order=desc&limit=4${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      descIds.push(...res.body.data.map((i) => i.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(descIds).toEqual(asc.body.data.map((i: { id: string }) => i.id).reverse());
  });

  it('lists an empty thread as empty, not as forbidden', async () => {
    const alice = testUser('alice');
    const id = await newThread(alice);
    const res = await call(alice, 'GET', `/threads/${id}/items`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: [], nextCursor: null });
  });

  it('answers a message with the user message and the reply, both stored', async () => {
    const alice = testUser('alice');
    const id = await newThread(alice);
    const res = await call(alice, 'POST', `/threads/${id}/messages`, { content: 'hello' });
    expect(res.status).toBe(201);
    expect(res.body.userMessage).toMatchObject({ threadId: id, type: 'user_message', content: 'hello' });
    expect(res.body.assistantMessage).toMatchObject({ threadId: id, type: 'assistant_message' });
    expect(res.body.assistantMessage.content).toMatch(/TaskManager/);
    const items = await call(alice, 'GET', `/threads/${id}/items`);
    expect(items.body.data).toEqual([res.body.userMessage, res.body.assistantMessage]);
  });

  describe('validation', () => {
    const bad = { error: { code: 'bad_request', message: expect.any(String) } };

    it.each([
      ['a title over 200 characters', { title: 'x'.repeat(201) }],
      ['a non-string title', { title: 42 }],
      ['metadata that is not an object', { metadata: ['a'] }],
      ['metadata over 4 KB', { metadata: { blob: 'x'.repeat(4100) } }],
    ])('refuses %s with 400 and stores nothing', async (_name, body) => {
      const alice = testUser('alice');
      const res = await call(alice, 'POST', '/threads', body);
      expect(res.status).toBe(400);
      expect(res.body).toEqual(bad);
      expect((await call(alice, 'GET', '/threads')).body.data).toEqual([]);
    });

    it('refuses malformed JSON with 400 and a body over 64 KB with 413', async () => {
      const alice = testUser('alice');
      const malformed = await api(baseUrl(), 'POST', '/threads', { token: alice.token, rawBody: '{"title":', headers: { 'Content-Type': 'application/json' } });
      expect(malformed.status).toBe(400);
      expect(malformed.body).toEqual(bad);
      const huge = await call(alice, 'POST', '/threads', { title: 'x', metadata: { pad: 'x'.repeat(70_000) } });
      expect(huge.status).toBe(413);
      expect(huge.body).toEqual({ error: { code: 'payload_too_large', message: expect.any(String) } });
      expect((await call(alice, 'GET', '/threads')).body.data).toEqual([]);
    });

    it.each(['0', '101', '-1', 'abc', '2.5', '1e2'])('refuses limit=%s with 400', async (limit) => {
      const res = await call(testUser('u'), 'GET', `/threads?limit=${limit}`);
      expect(res.status).toBe(400);
      expect(res.body).toEqual(bad);
    });

    it('refuses an unknown order and bad message contents, storing nothing', async () => {
      const alice = testUser('alice');
      const id = await newThread(alice);
      expect((await call(alice, 'GET', `/threads/${id}/items?order=sideways`)).status).toBe(400);
      for (const body of [{}, { content: '' }, { content: '   ' }, { content: 7 }, { content: 'é'.repeat(8193) }]) {
        const res = await call(alice, 'POST', `/threads/${id}/messages`, body);
        expect(res.status, JSON.stringify(body).slice(0, 40)).toBe(400);
        expect(res.body).toEqual(bad);
      }
      expect((await call(alice, 'POST', `/threads/${id}/messages`, { content: 'x'.repeat(16 * 1024) })).status).toBe(201);
      const items = await call(alice, 'GET', `/threads/${id}/items`);
      expect(items.body.data).toHaveLength(2);
    });

    it('ignores a malformed or oversized X-Page-Context and uses a valid one only for the reply', async () => {
      const alice = testUser('alice');
      const id = await newThread(alice);
      for (const ctx of ['{not json', JSON.stringify({ page: 'x'.repeat(3000) }), '[]']) {
        const res = await call(alice, 'POST', `/threads/${id}/messages`, { content: 'hi' }, { 'X-Page-Context': ctx });
        expect(res.status).toBe(201);
        expect(res.body.assistantMessage.content).not.toMatch(/page/);
      }
      const res = await call(alice, 'POST', `/threads/${id}/messages`, { content: 'hi' }, { 'X-Page-Context': JSON.stringify({ page: 'calendar' }) });
      expect(res.body.assistantMessage.content).toMatch(/calendar page/);
    });
  });

  it('audits thread accesses, allowed and denied, with who, what and from where', async () => {
    const alice = testUser('alice');
    const id = await newThread(alice);
    await call(alice, 'GET', `/threads/${id}`, undefined, { 'User-Agent': 'audit-check/1.0' });
    await call(alice, 'GET', '/threads/01ZZZZZZZZZZZZZZZZZZZZZZZZ', undefined, { 'User-Agent': 'audit-check/1.0' });
    const events = await auditRows(alice.userId);
    const reads = events.filter((e) => e.action === 'thread.read' && e.userAgent === 'audit-check/1.0');
    expect(reads).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ userId: alice.userId, ownerId: alice.userId, threadId: id, outcome: 'allowed', ip: '127.0.0.1', requestId: expect.any(String) }),
        expect.objectContaining({ threadId: '01ZZZZZZZZZZZZZZZZZZZZZZZZ', outcome: 'denied', reason: 'forbidden' }),
      ]),
    );
    expect(events.some((e) => e.action === 'thread.write' && e.threadId === id && e.outcome === 'allowed')).toBe(true);
    expect(JSON.stringify(events)).not.toContain(alice.token);
  });
});
