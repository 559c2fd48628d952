// THREATS T29 over real HTTP and sockets: an API key that expires stops working from its expiry
// second on REST and on open WebSocket connections; a key limited to scopes is refused, with a 403
// naming the missing scope, on REST, WebSocket and ChatKit alike; the agent's tools follow the scopes;
// and a deployment's API_KEY_MAX_DAYS bounds every new key.
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sha256Hex } from '../../functions/shared/adapters/node-crypto';
import { keys } from '../../functions/shared/core/keys';
import { SCOPES, type Scope } from '../../functions/shared/core/scopes';
import { mintDevToken } from '../../infra/local/dev-issuer';
import { recordCredential } from '../helpers/credentials';
import { baseUrl } from '../helpers/dev-tokens';
import { api, UNAUTHORIZED_BODY } from '../helpers/http';
import { getItem } from '../helpers/local-table';
import { localDb } from '../helpers/local-db';
import { postSse } from '../helpers/sse';
import { startStackProcess, type StackProcess } from '../helpers/stack-process';
import { call, newThread, testUser, type TestUser } from '../helpers/threads';
import { connect, handshakeStatus, wsUrl } from '../helpers/ws-client';

const DAY_MS = 86_400_000;
const REVOKED_FRAME = { type: 'error', code: 'unauthorized', message: 'Credentials are no longer valid; reconnect' };
const lacks = (scope: Scope) => ({ error: { code: 'forbidden', message: `This API key lacks the ${scope} scope` } });
const chatkitInput = (text: string) => ({ content: [{ type: 'input_text', text }], attachments: [], inference_options: {} });

interface IssuedKey {
  id: string;
  key: string;
  readOnly: boolean;
  createdAt: string;
  expiresAt: string | null;
  scopes: Scope[];
}

async function mint(owner: TestUser, body: Record<string, unknown>, url = baseUrl()): Promise<IssuedKey> {
  const res = await api(url, 'POST', '/api-keys', { token: owner.token, body: { name: 'scoped', ...body } });
  expect(res.status, res.text).toBe(201);
  recordCredential(res.body.key);
  return res.body as IssuedKey;
}

const allBut = (scope: Scope) => SCOPES.filter((s) => s !== scope);
const wholeSecond = (iso: string) => Math.floor(Date.parse(iso) / 1000) * 1000;

describe('API key expiry', () => {
  it('gives a key made with expiresInDays an expiry that many days from its creation second, shown on create and in the list', async () => {
    const owner = testUser('exp-days');
    const created = await mint(owner, { expiresInDays: 30 });
    expect(Date.parse(created.expiresAt!) - wholeSecond(created.createdAt)).toBe(30 * DAY_MS);
    const forever = await mint(owner, {});
    expect(forever.expiresAt).toBeNull();
    expect((await api(baseUrl(), 'GET', '/me', { apiKey: created.key })).status).toBe(200);

    const list = (await call(owner, 'GET', '/api-keys')).body.data as Array<Record<string, unknown>>;
    expect(list.find((k) => k.id === created.id)).toMatchObject({ expiresAt: created.expiresAt, scopes: [...SCOPES], lastUsedAt: expect.any(String) });
    expect(list.find((k) => k.id === forever.id)).toMatchObject({ expiresAt: null, scopes: [...SCOPES], lastUsedAt: null });
  });

  it('T29: refuses an expired key with 401 on REST, closes its open WebSocket at the next frame, and refuses its handshake', async () => {
    const owner = testUser('exp-second');
    const threadId = await newThread(owner);
    const { key } = await mint(owner, { expiresInDays: 1 });
    // A day cannot pass in a test: the stored expiry is moved to a few seconds from now, as the
    // key's creation a day earlier would have left it. The authorizer reads it on every request.
    const expiresAt = new Date(Math.floor(Date.now() / 1000) * 1000 + 4000).toISOString();
    const { doc, tableName } = localDb();
    await doc.send(new UpdateCommand({ TableName: tableName, Key: { PK: keys.apiKeyLookupPk(sha256Hex(key)), SK: keys.apiKeyLookupSk() }, UpdateExpression: 'SET expiresAt = :e', ExpressionAttributeValues: { ':e': expiresAt } }));

    expect((await api(baseUrl(), 'GET', '/me', { apiKey: key })).status).toBe(200);
    const ws = await connect(wsUrl(baseUrl(), { key }));
    ws.send({ action: 'ping' });
    await ws.until((f) => f.type === 'pong');

    // Wait for the expiry second (a condition on the clock, not a timing assertion).
    await vi.waitUntil(() => Date.now() >= Date.parse(expiresAt), { timeout: 10_000, interval: 50 });
    const rest = await api(baseUrl(), 'GET', '/threads', { apiKey: key });
    expect(rest.status).toBe(401);
    expect(rest.body).toEqual(UNAUTHORIZED_BODY);

    const closed = new Promise<void>((resolve) => ws.socket.once('close', () => resolve()));
    ws.send({ action: 'sendMessage', threadId, content: 'add a task after expiry' });
    const frames = await ws.until((f) => f.type === 'error');
    await closed;
    expect(frames.slice(1)).toEqual([REVOKED_FRAME]);
    expect((await call(owner, 'GET', `/threads/${threadId}/items`)).body.data).toEqual([]);
    expect((await handshakeStatus(wsUrl(baseUrl(), { key }))).status).toBe(401);
  });
});

describe('API key scopes', () => {
  /** Each scope's REST requests: refused to a key holding every other scope, allowed to a key holding just it. */
  const REST: Record<Scope, (u: TestUser, threadId: string) => Array<[method: string, path: string, body?: unknown]>> = {
    'threads:read': (_u, t) => [['GET', '/threads'], ['GET', `/threads/${t}`], ['GET', `/threads/${t}/items`]],
    'threads:write': (_u, t) => [['POST', '/threads', { title: 'x' }], ['PATCH', `/threads/${t}`, { title: 'y' }], ['DELETE', `/threads/${t}`]],
    'messages:write': (_u, t) => [['POST', `/threads/${t}/messages`, { content: 'hello' }]],
    'tasks:read': () => [['GET', '/tasks']],
    'tasks:write': () => [['POST', '/tasks', { title: 'x' }]],
  };

  it.each(SCOPES)('T29: refuses every %s request of a key without that scope with 403 naming it, and allows them with it', async (scope) => {
    const owner = testUser(`scope-${scope.replace(':', '-')}`);
    const without = await mint(owner, { scopes: allBut(scope) });
    const only = await mint(owner, { scopes: [scope] });
    for (const [method, path, body] of REST[scope](owner, await newThread(owner))) {
      const refused = await api(baseUrl(), method, path, { apiKey: without.key, body });
      expect(refused.status, `${method} ${path}`).toBe(403);
      expect(refused.body, `${method} ${path}`).toEqual(lacks(scope));
    }
    // A fresh thread: the refused DELETE above must not have been what let the allowed one pass.
    for (const [method, path, body] of REST[scope](owner, await newThread(owner))) {
      const allowed = await api(baseUrl(), method, path, { apiKey: only.key, body });
      expect(allowed.status, `${method} ${path}: ${allowed.text}`).toBeLessThan(300);
    }
  });

  it('refuses a refused scope before any lookup: a thread that does not exist gets the same 403 naming the scope', async () => {
    const owner = testUser('scope-first');
    const { key } = await mint(owner, { scopes: ['tasks:read'] });
    const res = await api(baseUrl(), 'GET', '/threads/01JZZZZZZZZZZZZZZZZZZZZZZZ/items', { apiKey: key });
    expect(res.status).toBe(403);
    expect(res.body).toEqual(lacks('threads:read'));
    // Audited with the scope it lacked (and so not counted as a probe for others' threads).
    const admin = testUser('scope-auditor', ['admin']);
    const audit = await call(admin, 'GET', `/admin/audit?userId=${encodeURIComponent(owner.userId)}&limit=100`);
    expect(audit.body.data.filter((e: { outcome: string }) => e.outcome === 'denied').map((e: { action: string; reason: string }) => [e.action, e.reason])).toEqual([
      ['thread.read', 'missing_scope:threads:read'],
    ]);
  });

  it('T29: refuses WebSocket sendMessage to a key without messages:write, with the scope named, and stores nothing', async () => {
    const owner = testUser('scope-ws');
    const threadId = await newThread(owner);
    const { key } = await mint(owner, { scopes: allBut('messages:write') });
    const ws = await connect(wsUrl(baseUrl(), { key }));
    try {
      ws.send({ action: 'sendMessage', threadId, content: 'hello' });
      const frames = await ws.until((f) => f.type === 'error');
      expect(frames.find((f) => f.type === 'error')).toEqual({ type: 'error', ...lacks('messages:write').error });
    } finally {
      await ws.close();
    }
    expect((await call(owner, 'GET', `/threads/${threadId}/items`)).body.data).toEqual([]);
  });

  it('T29: refuses ChatKit requests outside the key scopes with 403 naming the scope, before any stream', async () => {
    const owner = testUser('scope-ck');
    const threadId = await newThread(owner);
    const cases: Array<[Scope, Record<string, unknown>]> = [
      ['messages:write', { type: 'threads.create', params: { input: chatkitInput('hi') } }],
      ['messages:write', { type: 'threads.add_user_message', params: { thread_id: threadId, input: chatkitInput('hi') } }],
      ['threads:write', { type: 'threads.update', params: { thread_id: threadId, title: 'renamed' } }],
      ['threads:write', { type: 'threads.delete', params: { thread_id: threadId } }],
      ['threads:read', { type: 'threads.list', params: {} }],
      ['threads:read', { type: 'items.list', params: { thread_id: threadId } }],
    ];
    for (const [scope, body] of cases) {
      const { key } = await mint(owner, { scopes: allBut(scope) });
      const res = await postSse(`${baseUrl()}/chatkit`, { apiKey: key, body });
      expect(res.status, `${String(body.type)} without ${scope}`).toBe(403);
      expect(JSON.parse(res.body)).toEqual(lacks(scope));
      await call(owner, 'DELETE', '/api-keys/' + (await call(owner, 'GET', '/api-keys')).body.data[0].id); // stay under the key cap
    }
    expect((await call(owner, 'GET', `/threads/${threadId}`)).body.title).toBe('a thread');
    expect((await call(owner, 'GET', `/threads/${threadId}/items`)).body.data).toEqual([]);
    // messages:write alone opens a ChatKit thread with its first message.
    const { key } = await mint(owner, { scopes: ['messages:write'] });
    const opened = await postSse(`${baseUrl()}/chatkit`, { apiKey: key, body: { type: 'threads.create', params: { input: chatkitInput('hello') } } });
    expect(opened.status).toBe(200);
    expect(opened.events[0]).toMatchObject({ type: 'thread.created' });
  });

  it.each([
    ['every scope (scopes omitted)', {}, ['list_tasks', 'create_task', 'complete_task', 'rename_task', 'delete_task']],
    ['readOnly: true', { readOnly: true }, ['list_tasks']],
    ['tasks:read', { scopes: ['tasks:read'] }, ['list_tasks']],
    ['tasks:write', { scopes: ['tasks:write', 'messages:write'] }, ['create_task', 'complete_task', 'rename_task', 'delete_task']],
    ['no tasks scope', { scopes: ['threads:read', 'threads:write', 'messages:write'] }, []],
  ])('lists only the tools a key with %s may use', async (_name, body, tools) => {
    const owner = testUser('scope-tools');
    const { key } = await mint(owner, body);
    const res = await api(baseUrl(), 'GET', '/tools/available', { apiKey: key });
    expect(res.status).toBe(200);
    expect((res.body.tools as Array<{ name: string }>).map((t) => t.name)).toEqual(tools);
  });

  it('T29: an agent reply for a key without tasks:write creates no task, though asked to', async () => {
    const owner = testUser('scope-agent');
    const threadId = await newThread(owner);
    const { key } = await mint(owner, { scopes: ['messages:write', 'tasks:read'] });
    const res = await api(baseUrl(), 'POST', `/threads/${threadId}/messages`, { apiKey: key, body: { content: 'add a task to water the plants' } });
    expect(res.status, res.text).toBe(201);
    expect((await call(owner, 'GET', '/tasks')).body.data).toEqual([]);
  });

  it('validates expiresInDays and scopes with the documented 400 and stores no key', async () => {
    const owner = testUser('scope-400');
    for (const body of [
      { expiresInDays: 0 },
      { expiresInDays: 366 },
      { expiresInDays: 1.5 },
      { expiresInDays: '7' },
      { scopes: [] },
      { scopes: ['admin'] },
      { scopes: 'threads:read' },
      { scope: ['threads:read'] },
      { readOnly: true, scopes: ['threads:read', 'tasks:write'] },
    ]) {
      const res = await api(baseUrl(), 'POST', '/api-keys', { token: owner.token, body: { name: 'bad', ...body } });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body, JSON.stringify(body)).toEqual({ error: { code: 'bad_request', message: expect.any(String) } });
    }
    expect((await call(owner, 'GET', '/api-keys')).body.data).toEqual([]);
  });

  it('stores a readOnly key as the read scopes and lists it so', async () => {
    const owner = testUser('scope-ro');
    const created = await mint(owner, { readOnly: true });
    expect(created).toMatchObject({ readOnly: true, scopes: ['threads:read', 'tasks:read'] });
    const lookup = await getItem(keys.apiKeyLookupPk(sha256Hex(created.key)), keys.apiKeyLookupSk());
    expect(lookup).toMatchObject({ readOnly: true, scopes: ['threads:read', 'tasks:read'] });
    expect(lookup).not.toHaveProperty('expiresAt');
  });
});

describe('API_KEY_MAX_DAYS', () => {
  let stack: StackProcess;
  const owner = (sub: string): TestUser => {
    const token = mintDevToken(stack.dataDir, sub);
    recordCredential(token);
    return { sub, userId: '', token };
  };

  beforeAll(async () => {
    stack = await startStackProcess({ API_KEY_MAX_DAYS: '30' });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('gives a key made without expiresInDays the maximum, allows shorter, and refuses longer with 400', async () => {
    const alice = owner('max-days');
    const defaulted = await mint(alice, {}, stack.baseUrl);
    expect(Date.parse(defaulted.expiresAt!) - wholeSecond(defaulted.createdAt)).toBe(30 * DAY_MS);
    const shorter = await mint(alice, { expiresInDays: 7 }, stack.baseUrl);
    expect(Date.parse(shorter.expiresAt!) - wholeSecond(shorter.createdAt)).toBe(7 * DAY_MS);
    const longer = await api(stack.baseUrl, 'POST', '/api-keys', { token: alice.token, body: { name: 'long', expiresInDays: 31 } });
    expect(longer.status).toBe(400);
    expect(longer.body).toEqual({ error: { code: 'bad_request', message: 'expiresInDays: at most 30 on this deployment' } });
    expect((await api(stack.baseUrl, 'GET', '/api-keys', { token: alice.token })).body.data).toHaveLength(2);
  });
});
