// Idempotency-Key on POST routes over HTTP: the same key, body and caller replays the first
// response; another body is 409; another caller is independent; failures are not remembered.
import { describe, expect, it } from 'vitest';
import { api } from '../helpers/http';
import { baseUrl, devToken, uniqueUser } from '../helpers/dev-tokens';

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
