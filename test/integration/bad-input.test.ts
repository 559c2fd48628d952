// Hostile or odd input gets the documented answer, never a 500: ids too long to store, metadata a
// DynamoDB map could not hold, blank titles, and bodies over the limit on any method.
import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { baseUrl } from '../helpers/dev-tokens';
import { api } from '../helpers/http';
import { call, newThread, TASK_FORBIDDEN, testUser, THREAD_FORBIDDEN, type TestUser } from '../helpers/threads';

const postRaw = (user: TestUser, rawBody: string) =>
  api(baseUrl(), 'POST', '/threads', { token: user.token, rawBody, headers: { 'Content-Type': 'application/json' } });

/** fetch refuses a body on GET; API Gateway does not, so send one the plain way. */
function getWithBody(user: TestUser, path: string, body: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request(`${baseUrl()}${path}`, { method: 'GET', headers: { Authorization: `Bearer ${user.token}`, 'Content-Length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const LONG = 'a'.repeat(1500);

describe('ids too long to exist', () => {
  it('answer every thread and task route with the usual 403, and are audited like other denials', async () => {
    const alice = testUser('long-ids');
    const admin = testUser('long-ids-admin', ['admin']);
    const thread = [
      ['GET', `/threads/${LONG}`],
      ['PATCH', `/threads/${LONG}`, { title: 'x' }],
      ['DELETE', `/threads/${LONG}`],
      ['GET', `/threads/${LONG}/items`],
      ['POST', `/threads/${LONG}/messages`, { content: 'hi' }],
    ] as const;
    for (const [method, path, body] of thread) {
      const res = await call(alice, method, path, body);
      expect({ path: `${method} ${path.slice(0, 20)}`, status: res.status, body: res.body }).toEqual({ path: `${method} ${path.slice(0, 20)}`, status: 403, body: THREAD_FORBIDDEN });
    }
    for (const [method, body] of [['PATCH', { title: 'x' }], ['DELETE', undefined]] as const) {
      const res = await call(alice, method, `/tasks/${LONG}`, body);
      expect([res.status, res.body]).toEqual([403, TASK_FORBIDDEN]);
    }
    const audit = await call(admin, 'GET', `/admin/audit?userId=${encodeURIComponent(alice.userId)}&limit=100`);
    const denied = (audit.body.data as Array<{ outcome: string; threadId: string | null }>).filter((e) => e.outcome === 'denied');
    expect(denied).toHaveLength(thread.length);
    for (const e of denied) expect(e.threadId).toBe('a'.repeat(128));
  });

  it('for an admin, name a user with no threads rather than failing', async () => {
    const admin = testUser('long-owner-admin', ['admin']);
    expect((await call(admin, 'GET', `/admin/users/${LONG}/threads`)).body).toEqual({ data: [], nextCursor: null });
    const one = await call(admin, 'GET', `/admin/users/${LONG}/threads/01JZZZZZZZZZZZZZZZZZZZZZZZ`);
    expect([one.status, one.body]).toEqual([403, THREAD_FORBIDDEN]);
    // A userId filter too long to exist (each '#' would triple in the key) is a 400, not a 500.
    const audit = await call(admin, 'GET', `/admin/audit?userId=${encodeURIComponent('#'.repeat(700))}`);
    expect([audit.status, audit.body.error.code]).toEqual([400, 'bad_request']);
  });
});

describe('thread metadata', () => {
  it('round-trips any JSON object, including what a DynamoDB map cannot hold', async () => {
    const alice = testUser('meta');
    const deep = `${'['.repeat(14)}1${']'.repeat(14)}`;
    const raw = `{"metadata":{"":1,"big":1e300,"long":12345678901234567890,"__proto__":{"a":1},"constructor":{"prototype":{}},"deep":${deep}}}`;
    const created = await postRaw(alice, raw);
    expect(created.status, created.text).toBe(201);
    const stored = await call(alice, 'GET', `/threads/${created.body.id}`);
    expect(stored.text).toContain('"metadata":' + JSON.stringify(JSON.parse(raw).metadata));
  });

  it.each([
    ['non-finite numbers', '{"metadata":{"a":1e400}}', 'metadata: numbers must be finite'],
    ['nesting past 16 levels', `{"metadata":{"a":${'['.repeat(16)}${']'.repeat(16)}}}`, 'metadata: must nest at most 16 levels'],
    ['10,000 levels of nesting', `{"metadata":{"a":${'['.repeat(10_000)}${']'.repeat(10_000)}}}`, 'metadata: must nest at most 16 levels'],
    ['an array', '{"metadata":[1]}', 'metadata: must be a JSON object'],
    ['null', '{"metadata":null}', 'metadata: must be a JSON object'],
  ])('refuses %s with a 400 and stores nothing', async (_name, raw, message) => {
    const alice = testUser('meta-bad');
    const res = await postRaw(alice, raw);
    expect([res.status, res.body]).toEqual([400, { error: { code: 'bad_request', message } }]);
    expect((await call(alice, 'GET', '/threads')).body.data).toEqual([]);
  });
});

describe('titles and body limits', () => {
  it('gives a blank title the default on create and leaves the title alone on update', async () => {
    const alice = testUser('blank');
    const created = await call(alice, 'POST', '/threads', { title: '   ' });
    expect(created.body.title).toBe('New thread');
    const id = await newThread(alice, 'kept');
    expect((await call(alice, 'PATCH', `/threads/${id}`, { title: ' ' })).body.title).toBe('kept');
  });

  it('answers a body over 64 KB with 413 on every method, GET included', async () => {
    const alice = testUser('big-get');
    const res = await getWithBody(alice, '/me', 'x'.repeat(64 * 1024 + 1));
    expect([res.status, res.body.error.code]).toEqual([413, 'payload_too_large']);
  });
});
