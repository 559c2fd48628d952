// THREATS T1, T3, T6 and T7 over real HTTP: another user's thread or task is indistinguishable from
// a random id on every route; spoofed identity headers and bodies change nothing; tricky `sub`
// values cannot reach another partition; cursors are bound to caller, list, thread and order;
// guests and read-only keys cannot write; admins read other users only through /admin, audited.
import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../functions/shared/adapters/node-crypto';
import { keys } from '../../functions/shared/core/keys';
import { api } from '../helpers/http';
import { baseUrl } from '../helpers/dev-tokens';
import { auditRows, localDb } from '../helpers/local-db';
import { call, newThread, TASK_FORBIDDEN, testUser, THREAD_FORBIDDEN, type TestUser } from '../helpers/threads';

const READ_ONLY = { error: { code: 'read_only', message: expect.any(String) } };
const ADMIN_ONLY = { error: { code: 'admin_only', message: expect.any(String) } };
const BAD_REQUEST = { error: { code: 'bad_request', message: expect.any(String) } };
const randomUlid = () => `01${randomUUID().replace(/-/g, '').toUpperCase().replace(/[ILOU]/g, 'X').slice(0, 24)}`;

const threadRoutes = (id: string): Array<[string, string, unknown?]> => [
  ['GET', `/threads/${id}`],
  ['PATCH', `/threads/${id}`, { title: 'pwned' }],
  ['GET', `/threads/${id}/items`],
  ['GET', `/threads/${id}/items?order=desc&limit=1`],
  ['POST', `/threads/${id}/messages`, { content: 'add a task to steal things' }],
  ['DELETE', `/threads/${id}`],
];

describe('T1: another user\'s thread is the same as no thread', () => {
  let alice: TestUser;
  let bob: TestUser;
  let bobThread: string;
  let bobTask: string;
  let before: { thread: unknown; items: unknown; tasks: unknown };

  beforeAll(async () => {
    alice = testUser('alice');
    bob = testUser('bob');
    bobThread = await newThread(bob, 'bob private plans');
    await call(bob, 'POST', `/threads/${bobThread}/messages`, { content: 'add a task to plan the surprise party' });
    bobTask = (await call(bob, 'GET', '/tasks')).body.data[0].id;
    before = {
      thread: (await call(bob, 'GET', `/threads/${bobThread}`)).body,
      items: (await call(bob, 'GET', `/threads/${bobThread}/items`)).body,
      tasks: (await call(bob, 'GET', '/tasks')).body,
    };
  });

  it('answers every thread route with the identical 403 for Bob\'s id and for a random id', async () => {
    for (const id of [bobThread, randomUlid(), 'nope', `${bobThread}%2523`, encodeURIComponent(`${bobThread}#x`)]) {
      for (const [method, path, body] of threadRoutes(id)) {
        const res = await call(alice, method, path, body);
        expect(res.status, `${method} ${path}`).toBe(403);
        expect(res.body, `${method} ${path}`).toEqual(THREAD_FORBIDDEN);
      }
    }
  });

  it('answers Bob\'s task and a random task with the identical 403', async () => {
    for (const id of [bobTask, randomUlid()]) {
      for (const [method, body] of [['PATCH', { status: 'done' }], ['DELETE', undefined]] as const) {
        const res = await call(alice, method, `/tasks/${id}`, body);
        expect(res.status).toBe(403);
        expect(res.body).toEqual(TASK_FORBIDDEN);
      }
    }
  });

  it('never lists Bob\'s threads, items or tasks to Alice, and leaves Bob\'s data unchanged', async () => {
    await newThread(alice, 'alice thread');
    const lists = [await call(alice, 'GET', '/threads'), await call(alice, 'GET', '/tasks'), await call(alice, 'GET', '/tasks?status=open')];
    for (const res of lists) {
      expect(res.status).toBe(200);
      expect(res.text).not.toContain(bobThread);
      expect(res.text).not.toContain('surprise');
      expect(res.text).not.toContain('bob private');
    }
    expect((await call(bob, 'GET', `/threads/${bobThread}`)).body).toEqual(before.thread);
    expect((await call(bob, 'GET', `/threads/${bobThread}/items`)).body).toEqual(before.items);
    expect((await call(bob, 'GET', '/tasks')).body).toEqual(before.tasks);
  });

  it('gives an admin no cross-partition access through the normal routes', async () => {
    const admin = testUser('admin', ['admin']);
    for (const [method, path, body] of threadRoutes(bobThread)) {
      const res = await call(admin, method, path, body);
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body).toEqual(THREAD_FORBIDDEN);
    }
    expect((await call(bob, 'GET', `/threads/${bobThread}`)).body).toEqual(before.thread);
  });

  it('lets an admin read Bob\'s threads and items through /admin only, audited with the owner', async () => {
    const admin = testUser('admin', ['admin']);
    const base = `/admin/users/${encodeURIComponent(bob.userId)}/threads`;
    const list = await call(admin, 'GET', base);
    expect(list.status).toBe(200);
    expect(list.body.data.map((t: { id: string }) => t.id)).toEqual([bobThread]);
    expect((await call(admin, 'GET', `${base}/${bobThread}`)).body).toEqual(before.thread);
    expect((await call(admin, 'GET', `${base}/${bobThread}/items`)).body).toEqual(before.items);
    const missing = await call(admin, 'GET', `${base}/${randomUlid()}`);
    expect(missing.status).toBe(403);
    expect(missing.body).toEqual(THREAD_FORBIDDEN);
    const events = await auditRows(admin.userId);
    const reads = events.filter((e) => e.action === 'admin.thread.read');
    expect(reads.filter((e) => e.outcome === 'allowed' && e.ownerId === bob.userId).length).toBe(3);
    expect(reads.some((e) => e.outcome === 'denied' && e.ownerId === bob.userId)).toBe(true);
  });
});

describe('T7: roles', () => {
  it('refuses every write by a guest with 403 read_only and stores nothing', async () => {
    const owner = testUser('owner');
    const guest = testUser('guest', ['guest'], owner.sub); // the owner signing in as a guest
    const id = await newThread(owner);
    const taskId = (await call(owner, 'POST', '/tasks', { title: 'keep me' })).body.id;
    const writes: Array<[string, string, unknown?]> = [
      ['POST', '/threads', { title: 'x' }],
      ['PATCH', `/threads/${id}`, { title: 'x' }],
      ['DELETE', `/threads/${id}`],
      ['POST', `/threads/${id}/messages`, { content: 'delete keep me' }],
      ['POST', '/tasks', { title: 'x' }],
      ['PATCH', `/tasks/${taskId}`, { status: 'done' }],
      ['DELETE', `/tasks/${taskId}`],
    ];
    for (const [method, path, body] of writes) {
      const res = await call(guest, method, path, body);
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body).toEqual(READ_ONLY);
    }
    expect((await call(guest, 'GET', '/threads')).body.data.map((t: { id: string }) => t.id)).toEqual([id]);
    expect((await call(guest, 'GET', `/threads/${id}/items`)).body.data).toEqual([]);
    expect((await call(owner, 'GET', '/tasks')).body.data).toMatchObject([{ id: taskId, title: 'keep me', status: 'open' }]);
  });

  it('refuses writes with a read-only API key and allows its reads', async () => {
    const owner = testUser('owner');
    const id = await newThread(owner, 'key owner thread');
    const key = randomUUID();
    const { doc, tableName } = localDb();
    await doc.send(
      new PutCommand({
        TableName: tableName,
        Item: { PK: keys.apiKeyLookupPk(sha256Hex(key)), SK: keys.apiKeyLookupSk(), ownerId: owner.userId, keyId: randomUUID(), readOnly: true, enabled: true },
      }),
    );
    const read = await api(baseUrl(), 'GET', `/threads/${id}`, { apiKey: key });
    expect(read.status).toBe(200);
    expect(read.body.title).toBe('key owner thread');
    for (const [method, path, body] of [['POST', '/threads', {}], ['POST', `/threads/${id}/messages`, { content: 'hi' }], ['DELETE', `/threads/${id}`]] as const) {
      const res = await api(baseUrl(), method, path, { apiKey: key, body });
      expect(res.status).toBe(403);
      expect(res.body).toEqual(READ_ONLY);
    }
  });

  it('refuses /admin routes to users and guests with 403 admin_only', async () => {
    const victim = testUser('victim');
    const id = await newThread(victim);
    for (const user of [testUser('user'), testUser('guest', ['guest'])]) {
      for (const path of ['', `/${id}`, `/${id}/items`]) {
        const res = await call(user, 'GET', `/admin/users/${encodeURIComponent(victim.userId)}/threads${path}`);
        expect(res.status).toBe(403);
        expect(res.body).toEqual(ADMIN_ONLY);
      }
    }
  });
});

describe('T3: spoofed identity in headers and bodies', () => {
  it('changes nothing: same data, same 403s, no admin', async () => {
    const alice = testUser('alice');
    const bob = testUser('bob');
    const bobThread = await newThread(bob, 'bob only');
    const spoof = {
      'X-User-Id': bob.userId,
      'X-User-Context': JSON.stringify({ role: 'admin', user_id: bob.userId }),
      'X-Page-Context': JSON.stringify({ roles: ['admin'], userId: bob.userId, page: 'tasks' }),
    };
    const created = await call(alice, 'POST', '/threads', { title: 'mine', userId: bob.userId, ownerId: bob.userId }, spoof);
    expect(created.status).toBe(201);
    expect((await call(bob, 'GET', '/threads')).body.data.map((t: { id: string }) => t.id)).toEqual([bobThread]);
    expect((await call(alice, 'GET', '/threads', undefined, spoof)).body.data.map((t: { id: string }) => t.id)).toEqual([created.body.id]);
    const res = await call(alice, 'GET', `/threads/${bobThread}`, undefined, spoof);
    expect(res.status).toBe(403);
    expect(res.body).toEqual(THREAD_FORBIDDEN);
    const admin = await call(alice, 'GET', `/admin/users/${encodeURIComponent(bob.userId)}/threads`, undefined, spoof);
    expect(admin.status).toBe(403);
    expect(admin.body).toEqual(ADMIN_ONLY);
  });

  it('never lets X-Page-Context point the agent at another user\'s task', async () => {
    const alice = testUser('alice');
    const bob = testUser('bob');
    const bobTask = (await call(bob, 'POST', '/tasks', { title: 'bob secret task' })).body.id;
    const thread = await newThread(alice);
    const res = await call(alice, 'POST', `/threads/${thread}/messages`, { content: 'mark it done' }, { 'X-Page-Context': JSON.stringify({ taskId: bobTask }) });
    expect(res.status).toBe(201);
    expect(res.text).not.toContain('bob secret');
    expect((await call(bob, 'GET', '/tasks')).body.data).toMatchObject([{ id: bobTask, status: 'open' }]);
  });
});

describe('T6: key forging and cursor reuse', () => {
  it('keeps users with separator-laden `sub` values in their own partitions', async () => {
    const r = Math.random().toString(36).slice(2, 8);
    const victim = testUser('victim', undefined, `victim${r}`);
    const victimThread = await newThread(victim, `victim-secret-${r}`);
    const subs = [`victim${r}#`, `victim${r}%23`, `victim${r}%2523`, `victim${r}#THREAD#`, `USER#${victim.userId}`, `auth0|victim${r}`, `a#b${r}`, `x%23y${r}`, `${victim.userId}`];
    for (const sub of subs) {
      const attacker = testUser('attacker', undefined, sub);
      const own = await newThread(attacker, `own ${sub}`);
      const list = await call(attacker, 'GET', '/threads');
      expect(list.body.data.map((t: { id: string }) => t.id), sub).toEqual([own]);
      expect(list.text).not.toContain(victimThread);
      const res = await call(attacker, 'GET', `/threads/${victimThread}`);
      expect(res.status).toBe(403);
      expect(res.body).toEqual(THREAD_FORBIDDEN);
      expect((await call(attacker, 'GET', `/threads/${victimThread}/items`)).status).toBe(403);
    }
    expect((await call(victim, 'GET', '/threads')).body.data.map((t: { id: string }) => t.id)).toEqual([victimThread]);
  });

  it('refuses reused, cross-list, altered and hand-made cursors with 400', async () => {
    const alice = testUser('alice');
    const bob = testUser('bob');
    for (let i = 0; i < 3; i++) await newThread(alice);
    const t1 = await newThread(alice);
    const t2 = await newThread(alice);
    for (const t of [t1, t2]) for (const c of ['a', 'b']) await call(alice, 'POST', `/threads/${t}/messages`, { content: c });
    await newThread(bob);
    await newThread(bob);

    const threadsCursor = (await call(alice, 'GET', '/threads?limit=1')).body.nextCursor as string;
    const itemsCursor = (await call(alice, 'GET', `/threads/${t1}/items?limit=1`)).body.nextCursor as string;
    expect(threadsCursor).toEqual(expect.any(String));
    expect(itemsCursor).toEqual(expect.any(String));
    expect((await call(alice, 'GET', `/threads?limit=1&cursor=${encodeURIComponent(threadsCursor)}`)).status).toBe(200);

    const [payload, mac] = threadsCursor.split('.') as [string, string];
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
    const handMade = `${Buffer.from(JSON.stringify({ k: `THREAD#${t1}` })).toString('base64url')}.${Buffer.alloc(32).toString('base64url')}`;
    const attempts: Array<[TestUser, string]> = [
      [bob, `/threads?cursor=${encodeURIComponent(threadsCursor)}`],
      [alice, `/threads/${t1}/items?cursor=${encodeURIComponent(threadsCursor)}`],
      [alice, `/threads?cursor=${encodeURIComponent(itemsCursor)}`],
      [alice, `/threads/${t2}/items?cursor=${encodeURIComponent(itemsCursor)}`],
      [alice, `/threads/${t1}/items?order=desc&cursor=${encodeURIComponent(itemsCursor)}`],
      [alice, `/threads?cursor=${encodeURIComponent(`${flip(payload, 3)}.${mac}`)}`],
      [alice, `/threads?cursor=${encodeURIComponent(`${payload}.${flip(mac, mac.length - 1)}`)}`],
      [alice, `/threads?cursor=${encodeURIComponent(`${payload}.${mac}=`)}`],
      [alice, `/threads?cursor=${encodeURIComponent(handMade)}`],
      [alice, '/threads?cursor=garbage'],
      [alice, `/threads?cursor=${'A'.repeat(3000)}`],
    ];
    for (const [user, path] of attempts) {
      const res = await call(user, 'GET', path);
      expect(res.status, path.slice(0, 60)).toBe(400);
      expect(res.body).toEqual(BAD_REQUEST);
    }
    const bobItems = await call(bob, 'GET', `/threads/${t1}/items?cursor=${encodeURIComponent(itemsCursor)}`);
    expect(bobItems.status).toBe(400);
  });

  it('binds admin cursors to the admin and the owner they were issued for', async () => {
    const admin = testUser('admin', ['admin']);
    const otherAdmin = testUser('admin2', ['admin']);
    const owner = testUser('owner');
    const other = testUser('other');
    for (let i = 0; i < 2; i++) {
      await newThread(owner);
      await newThread(other);
    }
    const path = (u: TestUser) => `/admin/users/${encodeURIComponent(u.userId)}/threads`;
    const cursor = (await call(admin, 'GET', `${path(owner)}?limit=1`)).body.nextCursor as string;
    expect((await call(admin, 'GET', `${path(owner)}?limit=1&cursor=${encodeURIComponent(cursor)}`)).status).toBe(200);
    expect((await call(admin, 'GET', `${path(other)}?cursor=${encodeURIComponent(cursor)}`)).status).toBe(400);
    expect((await call(otherAdmin, 'GET', `${path(owner)}?cursor=${encodeURIComponent(cursor)}`)).status).toBe(400);
    expect((await call(owner, 'GET', `/threads?cursor=${encodeURIComponent(cursor)}`)).status).toBe(400);
  });
});
