// THREATS T9 over real HTTP: only the static webhook token opens /webhooks/{source}, it opens
// nothing else, deliveries are exactly-once (also under concurrent retries), and bodies are capped.
import { readFileSync } from 'node:fs';
import { describe, expect, inject, it } from 'vitest';
import { userIdFor } from '../../functions/shared/adapters/node-crypto';
import { keys } from '../../functions/shared/core/keys';
import { tenantIdOf } from '../../functions/shared/adapters/tenant-id';
import { api, UNAUTHORIZED_BODY } from '../helpers/http';
import { baseUrl, devIssuer, devToken, uniqueUser } from '../helpers/dev-tokens';
import { getItem, queryPrefix } from '../helpers/local-table';

const token = () => inject('webhookToken');
const logLines = () => readFileSync(inject('logFile'), 'utf8').split('\n');
const uniqueKey = (label: string) => `${label}-${crypto.randomUUID()}`;

function deliver(source: string, body: unknown, opts: { key?: string; auth?: string | null; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.key !== undefined) headers['Idempotency-Key'] = opts.key;
  if (opts.auth !== null) headers.Authorization = opts.auth ?? `Bearer ${token()}`;
  return api(baseUrl(), 'POST', `/webhooks/${source}`, { body, headers });
}

function taskUser() {
  const sub = uniqueUser('tracker');
  return userIdFor(devIssuer().issuer, sub);
}

describe('webhooks over HTTP', () => {
  it('accepts a first delivery with 202 and a repeat with 200 duplicate, storing the event once', async () => {
    const key = uniqueKey('chainhook');
    const first = await deliver('chainhook', { block: 1, apply: [] }, { key });
    expect(first.status).toBe(202);
    expect(first.body).toEqual({ id: expect.any(String), duplicate: false, outcome: 'stored' });
    const again = await deliver('chainhook', { block: 1, apply: [] }, { key });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ id: first.body.id, duplicate: true });

    const stored = await getItem(keys.webhookPk('chainhook', key), keys.webhookSk());
    expect(stored).toMatchObject({ eventId: first.body.id, status: 'completed', body: '{"block":1,"apply":[]}' });
    expect(stored!.expiresAt).toEqual(expect.any(Number));
  });

  it('uses the body id when there is no Idempotency-Key header, else the SHA-256 of source and body', async () => {
    const id = uniqueKey('dao');
    expect((await deliver('dao', { id, proposal: 7 })).status).toBe(202);
    expect((await deliver('dao', { id, proposal: 7 })).body).toMatchObject({ duplicate: true });
    // A seed-style sender: no key, no id. The identical retry is the same delivery; another body or source is not.
    const event = { event: 'dao_created', nonce: uniqueKey('n') };
    const first = await deliver('dao', event);
    expect(first.status).toBe(202);
    const retry = await deliver('dao', event);
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual({ id: first.body.id, duplicate: true });
    expect((await deliver('chainhook', event)).status).toBe(202);
    expect((await deliver('dao', { ...event, extra: 1 })).status).toBe(202);
    const badId = await deliver('dao', { id: 1.5 });
    expect(badId.status).toBe(400);
    expect(badId.body.error.code).toBe('bad_request');
    const badHeader = await deliver('dao', { proposal: 7 }, { key: 'x'.repeat(201) });
    expect(badHeader.status).toBe(400);
  });

  it('applies tasks events to that user exactly once (replay → duplicate, one stored effect)', async () => {
    const userId = taskUser();
    const key = uniqueKey('tasks');
    const event = { type: 'task.created', userId, taskId: 'ext-1', title: 'Ship it' };
    expect((await deliver('tasks', event, { key })).status).toBe(202);
    expect((await deliver('tasks', event, { key })).body).toMatchObject({ duplicate: true });
    let tasks = await queryPrefix(keys.userPk(tenantIdOf(userId)), keys.taskSkPrefix());
    expect(tasks).toHaveLength(1);
    // The title is stored sealed under the user's key (the third wall), never as its text.
    expect(tasks[0]).toMatchObject({ id: 'ext-1', title: expect.any(Uint8Array), status: 'open', dueDate: null, type: 'task' });
    expect(Buffer.from(tasks[0]!.title as Uint8Array).toString('latin1')).not.toContain('Ship it');

    const done = { type: 'task.completed', userId, taskId: 'ext-1' };
    const completed = await deliver('tasks', done, { key: uniqueKey('done') });
    expect(completed.status).toBe(202);
    expect(completed.body).toEqual({ id: expect.any(String), duplicate: false, outcome: 'task_completed' });
    tasks = await queryPrefix(keys.userPk(tenantIdOf(userId)), keys.taskSkPrefix());
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ id: 'ext-1', status: 'done' });
  });

  it('says when task.completed found no task (a missing task or an unknown user), and logs it', async () => {
    const userId = taskUser();
    for (const event of [
      { type: 'task.completed', userId, taskId: 'never-created' },
      { type: 'task.completed', userId: `${userId}-nobody`, taskId: 'ext-1' },
    ]) {
      const res = await deliver('tasks', event, { key: uniqueKey('missing') });
      expect(res.status, JSON.stringify(event)).toBe(202);
      expect(res.body).toEqual({ id: expect.any(String), duplicate: false, outcome: 'task_not_found' });
      await expect.poll(() => logLines().some((l) => l.includes('webhook delivery had no effect') && l.includes(res.body.id)), { timeout: 15_000 }).toBe(true);
    }
    expect(await queryPrefix(keys.userPk(tenantIdOf(userId)), keys.taskSkPrefix())).toEqual([]);
  });

  it('runs concurrent replays of one delivery once: exactly one 202, the rest duplicate or 409, one task', async () => {
    const userId = taskUser();
    const key = uniqueKey('race');
    const event = { type: 'task.created', userId, title: 'Only once' }; // no taskId: named by the event
    const results = await Promise.all(Array.from({ length: 10 }, () => deliver('tasks', event, { key })));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 202)).toHaveLength(1);
    for (const r of results.filter((x) => x.status !== 202)) {
      expect([200, 409]).toContain(r.status);
      if (r.status === 200) expect(r.body.duplicate).toBe(true);
      else expect(r.body.error.code).toBe('conflict');
    }
    const tasks = await queryPrefix(keys.userPk(tenantIdOf(userId)), keys.taskSkPrefix());
    expect(tasks).toHaveLength(1);
    const winner = results.find((r) => r.status === 202)!;
    expect(tasks[0]!.id).toBe(winner.body.id);
    // Once finished, every retry is a plain duplicate.
    expect((await deliver('tasks', event, { key })).body).toEqual({ id: winner.body.id, duplicate: true });
  });

  it('validates tasks events before storing anything, so a fixed retry with the same key still runs', async () => {
    const userId = taskUser();
    const key = uniqueKey('fix');
    for (const body of [
      { type: 'task.deleted', userId, title: 'x' },
      { type: 'task.created', title: 'no user' },
      { type: 'task.completed', userId },
    ]) {
      const res = await deliver('tasks', body, { key });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('bad_request');
    }
    expect(await getItem(keys.webhookPk('tasks', key), keys.webhookSk())).toBeUndefined();
    expect((await deliver('tasks', { type: 'task.created', userId, title: 'fixed' }, { key })).status).toBe(202);
  });

  it('answers an unknown source with 404 and bad bodies with 400/413, never 5xx', async () => {
    const unknown = await deliver('github', { id: 'x' });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ error: { code: 'not_found', message: 'Not found' } });

    const invalid = await api(baseUrl(), 'POST', '/webhooks/dao', {
      rawBody: '{"id": "a",',
      headers: { Authorization: `Bearer ${token()}`, 'Content-Type': 'application/json' },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.code).toBe('bad_request');
    expect((await deliver('dao', ['a'], { key: uniqueKey('arr') })).status).toBe(400);

    const key = uniqueKey('big');
    const big = await deliver('chainhook', { pad: 'x'.repeat(256 * 1024) }, { key });
    expect(big.status).toBe(413);
    expect(big.body).toEqual({ error: { code: 'payload_too_large', message: 'Payload too large' } });
    expect(await getItem(keys.webhookPk('chainhook', key), keys.webhookSk())).toBeUndefined();
    // Just under the webhook cap (above the 64 KB cap of other routes) is accepted.
    expect((await deliver('chainhook', { pad: 'x'.repeat(200 * 1024) }, { key: uniqueKey('ok') })).status).toBe(202);
  });

  describe('T9 credentials', () => {
    it('refuses a missing or wrong token, another scheme, a user JWT and an API key with 401', async () => {
      const sub = uniqueUser('mallory');
      const jwt = devToken(sub);
      const minted = await api(baseUrl(), 'POST', '/api-keys', { token: jwt, body: { name: 'k' } });
      expect(minted.status).toBe(201);
      const cases: { auth?: string | null; headers?: Record<string, string> }[] = [
        { auth: null },
        { auth: 'Bearer ' },
        { auth: `Bearer ${token()}x` },
        { auth: `Bearer ${token().slice(0, -1)}` },
        { auth: `Basic ${token()}` },
        { auth: token() },
        { auth: `Bearer ${jwt}` },
        { auth: null, headers: { 'X-API-Key': minted.body.key } },
        { auth: `Bearer ${minted.body.key}` },
      ];
      for (const c of cases) {
        const key = uniqueKey('forged');
        const res = await deliver('chainhook', { id: key }, { ...c, key });
        expect(res.status, JSON.stringify(c.auth ?? c.headers ?? null).slice(0, 40)).toBe(401);
        expect(res.body).toEqual(UNAUTHORIZED_BODY);
        expect(await getItem(keys.webhookPk('chainhook', key), keys.webhookSk())).toBeUndefined();
      }
      // Without the token, even an unknown source says nothing beyond 401.
      expect((await deliver('nope', {}, { auth: null })).status).toBe(401);
    });

    it('refuses the webhook token on every other protected route', async () => {
      for (const [method, path] of [
        ['GET', '/me'],
        ['GET', '/api-keys'],
        ['POST', '/api-keys'],
        ['GET', '/tools/available'],
      ] as const) {
        const res = await api(baseUrl(), method, path, { token: token(), body: method === 'POST' ? { name: 'x' } : undefined });
        expect(res.status, `${method} ${path}`).toBe(401);
        expect(res.body).toEqual(UNAUTHORIZED_BODY);
        const asKey = await api(baseUrl(), method, path, { apiKey: token() });
        expect(asKey.status).toBe(401);
      }
    });

    it('never writes the webhook token into any log line, the start banner included', () => {
      const lines = readFileSync(inject('logFile'), 'utf8').split('\n');
      expect(lines.filter((l) => l.includes(token()))).toEqual([]);
      expect(lines).toContain('Webhook token (local): from WEBHOOK_TOKEN (not printed)');
      expect(lines.some((l) => l.includes('webhook authorization failed'))).toBe(true);
    });
  });
});
