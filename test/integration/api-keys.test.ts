// THREATS T7 and T8 over real HTTP: key management is for user tokens only; a key is shown once,
// stored as SHA-256 only, and stops working on the very next request after disable or revoke.
import { describe, expect, it } from 'vitest';
import { sha256Hex, userIdFor } from '../../functions/shared/adapters/node-crypto';
import { API_KEY_NOT_FOUND_MESSAGE } from '../../functions/shared/core/errors';
import { keys } from '../../functions/shared/core/keys';
import { tenantIdOf } from '../../functions/shared/adapters/tenant-id';
import { api, UNAUTHORIZED_BODY } from '../helpers/http';
import { baseUrl, devIssuer, devToken, uniqueUser } from '../helpers/dev-tokens';
import { getItem, queryPrefix } from '../helpers/local-table';

const NOT_FOUND_BODY = { error: { code: 'forbidden', message: API_KEY_NOT_FOUND_MESSAGE } };
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

async function newUser(name = 'keys') {
  const sub = uniqueUser(name);
  return { sub, token: devToken(sub), userId: userIdFor(devIssuer().issuer, sub) };
}

async function mint(token: string, body: Record<string, unknown> = { name: 'ci' }) {
  const res = await api(baseUrl(), 'POST', '/api-keys', { token, body });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string; key: string; name: string; readOnly: boolean; enabled: boolean; createdAt: string };
}

describe('API keys over HTTP', () => {
  it('issues a UUID v4 key once, stores only its SHA-256, and lists it without the key', async () => {
    const alice = await newUser('alice');
    const created = await mint(alice.token, { name: 'deploy bot' });
    expect(created).toMatchObject({ name: 'deploy bot', readOnly: false, enabled: true });
    expect(created.key).toMatch(UUID_V4);
    expect(Object.keys(created).sort()).toEqual(['createdAt', 'enabled', 'expiresAt', 'id', 'key', 'name', 'readOnly', 'scopes']);

    const me = await api(baseUrl(), 'GET', '/me', { apiKey: created.key });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ userId: alice.userId, authMethod: 'apiKey', roles: ['user'] });

    const list = await api(baseUrl(), 'GET', '/api-keys', { token: alice.token });
    expect(list.status).toBe(200);
    expect(list.body.data).toHaveLength(1);
    expect(list.body.data[0]).toMatchObject({ id: created.id, name: 'deploy bot', readOnly: false, enabled: true });
    expect(list.body.data[0].lastUsedAt).toEqual(expect.any(String)); // the /me call above
    // Within the minute, further uses add no write: lastUsedAt stays as first noted.
    const firstUse = list.body.data[0].lastUsedAt;
    expect((await api(baseUrl(), 'GET', '/me', { apiKey: created.key })).status).toBe(200);
    const relisted = await api(baseUrl(), 'GET', '/api-keys', { token: alice.token });
    expect(relisted.body.data[0].lastUsedAt).toBe(firstUse);
    expect(list.text).not.toContain(created.key);
    expect(list.text).not.toContain(sha256Hex(created.key));

    // At rest: the lookup item is addressed by the hash and neither item holds the key text.
    const lookup = await getItem(keys.apiKeyLookupPk(sha256Hex(created.key)), keys.apiKeyLookupSk());
    const ref = await getItem(keys.userPk(tenantIdOf(alice.userId)), keys.apiKeyRefSk(created.id));
    expect(lookup).toMatchObject({ ownerId: alice.userId, keyId: created.id, enabled: true });
    expect(JSON.stringify([lookup, ref])).not.toContain(created.key);
  });

  it('keeps each user to their own keys: another user cannot list, disable or revoke them (same 403 as unknown)', async () => {
    const alice = await newUser('alice');
    const bob = await newUser('bob');
    const aliceKey = await mint(alice.token);

    const bobList = await api(baseUrl(), 'GET', '/api-keys', { token: bob.token });
    expect(bobList.body).toEqual({ data: [] });

    const patch = await api(baseUrl(), 'PATCH', `/api-keys/${aliceKey.id}`, { token: bob.token, body: { enabled: false } });
    const del = await api(baseUrl(), 'DELETE', `/api-keys/${aliceKey.id}`, { token: bob.token });
    const unknown = await api(baseUrl(), 'DELETE', '/api-keys/01JZZZZZZZZZZZZZZZZZZZZZZZ', { token: bob.token });
    const malformed = await api(baseUrl(), 'PATCH', '/api-keys/not-an-id', { token: bob.token, body: { enabled: false } });
    for (const res of [patch, del, unknown, malformed]) {
      expect(res.status).toBe(403);
      expect(res.body).toEqual(NOT_FOUND_BODY);
    }
    expect((await api(baseUrl(), 'GET', '/me', { apiKey: aliceKey.key })).status).toBe(200);
  });

  it('T8: a disabled key is refused on the very next request, works again when re-enabled, and is gone once revoked', async () => {
    const alice = await newUser('alice');
    const { id, key } = await mint(alice.token);
    expect((await api(baseUrl(), 'GET', '/me', { apiKey: key })).status).toBe(200);

    const disabled = await api(baseUrl(), 'PATCH', `/api-keys/${id}`, { token: alice.token, body: { enabled: false } });
    expect(disabled.status).toBe(200);
    expect(disabled.body).toMatchObject({ id, enabled: false });
    const afterDisable = await api(baseUrl(), 'GET', '/me', { apiKey: key });
    expect(afterDisable.status).toBe(401);
    expect(afterDisable.body).toEqual(UNAUTHORIZED_BODY);

    const enabled = await api(baseUrl(), 'PATCH', `/api-keys/${id}`, { token: alice.token, body: { enabled: true } });
    expect(enabled.body).toMatchObject({ id, enabled: true });
    expect((await api(baseUrl(), 'GET', '/me', { apiKey: key })).status).toBe(200);

    const revoked = await api(baseUrl(), 'DELETE', `/api-keys/${id}`, { token: alice.token });
    expect(revoked.status).toBe(204);
    const afterRevoke = await api(baseUrl(), 'GET', '/me', { apiKey: key });
    expect(afterRevoke.status).toBe(401);
    expect(afterRevoke.body).toEqual(UNAUTHORIZED_BODY);
    expect((await api(baseUrl(), 'GET', '/api-keys', { token: alice.token })).body).toEqual({ data: [] });
    expect(await getItem(keys.apiKeyLookupPk(sha256Hex(key)), keys.apiKeyLookupSk())).toBeUndefined();

    const again = await api(baseUrl(), 'DELETE', `/api-keys/${id}`, { token: alice.token });
    expect(again.status).toBe(403);
    expect(again.body).toEqual(NOT_FOUND_BODY);
  });

  it('T8: refuses malformed and unknown keys with the standard 401 body', async () => {
    for (const key of ['nope', '123e4567-e89b-12d3-a456-426614174000' /* v1 */, crypto.randomUUID()]) {
      const res = await api(baseUrl(), 'GET', '/me', { apiKey: key });
      expect(res.status).toBe(401);
      expect(res.body).toEqual(UNAUTHORIZED_BODY);
    }
  });

  it('T7: a key, even a full one, cannot mint, list, change or revoke keys', async () => {
    const alice = await newUser('alice');
    const full = await mint(alice.token);
    const readOnly = await mint(alice.token, { name: 'reader', readOnly: true });
    for (const apiKey of [full.key, readOnly.key]) {
      const attempts = [
        await api(baseUrl(), 'POST', '/api-keys', { apiKey, body: { name: 'escalate' } }),
        await api(baseUrl(), 'GET', '/api-keys', { apiKey }),
        await api(baseUrl(), 'PATCH', `/api-keys/${full.id}`, { apiKey, body: { enabled: true } }),
        await api(baseUrl(), 'DELETE', `/api-keys/${readOnly.id}`, { apiKey }),
      ];
      for (const res of attempts) {
        expect(res.status).toBe(403);
        expect(res.body.error.code).toBe('forbidden');
      }
    }
    // Nothing changed: still exactly the two keys, both enabled.
    const list = await api(baseUrl(), 'GET', '/api-keys', { token: alice.token });
    expect(list.body.data.map((k: { enabled: boolean }) => k.enabled)).toEqual([true, true]);
  });

  it('T7: a read-only key can read; a guest token cannot manage keys', async () => {
    const alice = await newUser('alice');
    const reader = await mint(alice.token, { name: 'reader', readOnly: true });
    expect(reader.readOnly).toBe(true);
    const me = await api(baseUrl(), 'GET', '/me', { apiKey: reader.key });
    expect(me.status).toBe(200);
    const tools = await api(baseUrl(), 'GET', '/tools/available', { apiKey: reader.key });
    expect(tools.body.tools.map((t: { name: string }) => t.name)).toEqual(['list_tasks']);

    const guest = devToken(uniqueUser('guest'), { roles: ['guest'] });
    const res = await api(baseUrl(), 'POST', '/api-keys', { token: guest, body: { name: 'x' } });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('read_only');
  });

  it('validates bodies with the documented 400 and stores nothing for a bad one', async () => {
    const alice = await newUser('alice');
    const bad = [
      { body: {} },
      { body: { name: '' } },
      { body: { name: 'x'.repeat(101) } },
      { body: { name: 'ok', readonly: true } }, // misspelt flag must not mint a write key
      { body: { name: 'ok', readOnly: 'yes' } },
      { rawBody: '{"name":', headers: { 'Content-Type': 'application/json' } },
      { body: ['name'] },
    ];
    for (const opts of bad) {
      const res = await api(baseUrl(), 'POST', '/api-keys', { token: alice.token, ...opts });
      expect(res.status, JSON.stringify(opts)).toBe(400);
      expect(res.body.error.code).toBe('bad_request');
    }
    const big = await api(baseUrl(), 'POST', '/api-keys', { token: alice.token, body: { name: 'x', pad: 'y'.repeat(70_000) } });
    expect(big.status).toBe(413);
    const { id } = await mint(alice.token);
    for (const body of [{}, { enabled: 'false' }, { enabled: false, name: 'rename' }]) {
      const res = await api(baseUrl(), 'PATCH', `/api-keys/${id}`, { token: alice.token, body });
      expect(res.status).toBe(400);
    }
    const list = await api(baseUrl(), 'GET', '/api-keys', { token: alice.token });
    expect(list.body.data).toHaveLength(1);
    expect(list.body.data[0].enabled).toBe(true);
  });

  it('bounds keys per user at 25, also when creates race, and frees a slot on revoke', async () => {
    const alice = await newUser('alice');
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => api(baseUrl(), 'POST', '/api-keys', { token: alice.token, body: { name: `k${i}` } })),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(25);
    expect(statuses.filter((s) => s === 409)).toHaveLength(5);
    expect(results.find((r) => r.status === 409)!.body.error.code).toBe('conflict');
    const list = await api(baseUrl(), 'GET', '/api-keys', { token: alice.token });
    expect(list.body.data).toHaveLength(25);

    const one = results.find((r) => r.status === 201)!.body as { id: string };
    expect((await api(baseUrl(), 'DELETE', `/api-keys/${one.id}`, { token: alice.token })).status).toBe(204);
    expect((await api(baseUrl(), 'POST', '/api-keys', { token: alice.token, body: { name: 'again' } })).status).toBe(201);
  });

  it('audits create, disable, enable and revoke (allowed and denied) without any key text', async () => {
    const alice = await newUser('alice');
    const bob = await newUser('bob');
    const { id, key } = await mint(alice.token);
    await api(baseUrl(), 'PATCH', `/api-keys/${id}`, { token: alice.token, body: { enabled: false } });
    await api(baseUrl(), 'PATCH', `/api-keys/${id}`, { token: alice.token, body: { enabled: true } });
    await api(baseUrl(), 'DELETE', `/api-keys/${id}`, { token: bob.token });
    await api(baseUrl(), 'DELETE', `/api-keys/${id}`, { token: alice.token });

    const aliceEvents = await queryPrefix(keys.auditPk(alice.userId), '');
    expect(aliceEvents.map((e) => [e.action, e.outcome, e.reason])).toEqual([
      ['apikey.create', 'allowed', `keyId=${id}`],
      ['apikey.disable', 'allowed', `keyId=${id}`],
      ['apikey.enable', 'allowed', `keyId=${id}`],
      ['apikey.revoke', 'allowed', `keyId=${id}`],
    ]);
    const bobEvents = await queryPrefix(keys.auditPk(bob.userId), '');
    expect(bobEvents.map((e) => [e.action, e.outcome, e.ownerId])).toEqual([['apikey.revoke', 'denied', bob.userId]]);
    expect(JSON.stringify([aliceEvents, bobEvents])).not.toContain(key);
  });
});
