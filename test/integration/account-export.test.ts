// GET /me/export over the local stack: the document holds exactly what the caller created (threads
// with their items, tasks, API-key metadata, their own audit events), nothing of another user's and
// no key or key hash; guests and API keys export too; it streams, is audited and is counted.
import { describe, expect, it } from 'vitest';
import { api } from '../helpers/http';
import { baseUrl } from '../helpers/dev-tokens';
import { call, newThread, testUser, type TestUser } from '../helpers/threads';

const exportOf = (user: TestUser) => call(user, 'GET', '/me/export');

describe('GET /me/export', () => {
  it('T30: exports exactly what the caller created, nothing of anyone else, and no key material', async () => {
    // Prepare: alice's threads (one with an exchange), a task, a renamed thread, an API key; bob's own data with a marker
    const alice = testUser('exporter');
    const bob = testUser('bystander');
    const marker = `bob-secret-${Math.random().toString(36).slice(2)}`;
    await newThread(bob, marker);
    expect((await call(bob, 'POST', '/tasks', { title: marker })).status).toBe(201);
    const first = await newThread(alice, 'first thread');
    const second = await newThread(alice, 'second thread');
    expect((await call(alice, 'POST', `/threads/${first}/messages`, { content: 'hello there, export me' })).status).toBe(201);
    expect((await call(alice, 'POST', `/threads/${second}/messages`, { content: 'add a task: pack boxes' })).status).toBe(201);
    expect((await call(alice, 'PATCH', `/threads/${second}`, { title: 'second, renamed', metadata: { pinned: true } })).status).toBe(200);
    expect((await call(alice, 'POST', '/tasks', { title: 'water plants', dueDate: '2026-12-24' })).status).toBe(201);
    const created = await call(alice, 'POST', '/api-keys', { name: 'laptop' });
    const key = created.body.key as string;
    // Act
    const res = await exportOf(alice);
    // Assess: the document is what the API shows alice, item for item
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const doc = res.body;
    expect(doc.format).toBe('threadguard.export.v1');
    expect(doc.complete).toBe(true);
    expect(doc.profile).toEqual({ ...(await call(alice, 'GET', '/me')).body, budget: undefined, retentionDays: undefined });
    const threads = (await call(alice, 'GET', '/threads')).body.data as { id: string }[];
    const expected = await Promise.all(
      [...threads].reverse().map(async (t) => ({ ...t, items: (await call(alice, 'GET', `/threads/${t.id}/items?order=asc&limit=100`)).body.data })),
    );
    expect(doc.threads).toEqual(expected);
    expect(doc.threads.map((t: { title: string }) => t.title)).toEqual(['first thread', 'second, renamed']);
    expect(doc.threads[0].items.map((i: { content: string }) => i.content)).toContain('hello there, export me');
    expect(doc.tasks).toEqual((await call(alice, 'GET', '/tasks')).body.data);
    expect(doc.tasks.map((t: { title: string }) => t.title)).toEqual(expect.arrayContaining(['water plants']));
    expect(doc.apiKeys).toEqual((await call(alice, 'GET', '/api-keys')).body.data);
    expect(doc.apiKeys).toHaveLength(1);
    // ...nothing of bob's, no key, no hash
    expect(res.text).not.toContain(marker);
    expect(res.text).not.toContain(bob.userId);
    expect(res.text).not.toContain(key);
    expect(res.text).not.toMatch(/keyHash|[0-9a-f]{64}/);
    // ...and alice's own audit trail, this export's event included
    const actions = doc.auditEvents.map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['account.export', 'thread.message', 'thread.write', 'apikey.create']));
    expect(doc.auditEvents.every((e: { userId: string }) => e.userId === alice.userId)).toBe(true);
  });

  it('lets a guest and an API key export their own account, and counts each export in the request limit', async () => {
    // Prepare
    const guest = testUser('guest-exporter', ['guest']);
    const owner = testUser('key-exporter');
    await newThread(owner, 'read by a key');
    const key = (await call(owner, 'POST', '/api-keys', { name: 'ro', readOnly: true })).body.key as string;
    // Act
    const byGuest = await exportOf(guest);
    const before = await call(guest, 'GET', '/me');
    const again = await exportOf(guest);
    const byKey = await api(baseUrl(), 'GET', '/me/export', { apiKey: key });
    // Assess
    expect(byGuest.status).toBe(200);
    expect(byGuest.body).toMatchObject({ profile: { userId: guest.userId, roles: ['guest'] }, threads: [], tasks: [], apiKeys: [], complete: true });
    expect(Number(again.headers.get('x-ratelimit-remaining'))).toBe(Number(before.headers.get('x-ratelimit-remaining')) - 1);
    expect(byKey.status).toBe(200);
    expect(byKey.body.profile).toMatchObject({ userId: owner.userId, authMethod: 'apiKey' });
    expect(byKey.body.threads.map((t: { title: string }) => t.title)).toEqual(['read by a key']);
    expect(byKey.text).not.toContain(key);
  });

  it('refuses a caller without credentials with 401', async () => {
    const res = await api(baseUrl(), 'GET', '/me/export');
    expect(res.status).toBe(401);
  });
});
