// THREATS T16 over the local stack: sign-out everywhere ends a user's tokens (within the 5 s the
// authorizers may cache) and closes their open WebSockets, leaving API keys alone unless asked; a user
// demoted to guest holds read-only keys and may still disable or revoke them; an admin may disable
// any user's key, audited.
import { describe, expect, it } from 'vitest';
import { api, UNAUTHORIZED_BODY } from '../helpers/http';
import { baseUrl, devToken } from '../helpers/dev-tokens';
import { recordCredential } from '../helpers/credentials';
import { auditRows } from '../helpers/local-db';
import { connect, wsUrl } from '../helpers/ws-client';
import { call, testUser } from '../helpers/threads';

/** The authorizers may answer from a cache of at most 5 s (README); poll for the change with that bound. */
async function within5s(check: () => Promise<boolean>): Promise<number> {
  const start = Date.now();
  for (;;) {
    if (await check()) return Date.now() - start;
    if (Date.now() - start > 5_500) throw new Error('no change within 5 s');
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function newKey(token: string, readOnly = false): Promise<{ id: string; key: string }> {
  const res = await api(baseUrl(), 'POST', '/api-keys', { token, body: { name: 'k', readOnly } });
  expect(res.status).toBe(201);
  recordCredential(res.body.key);
  return res.body;
}

describe('T16 sign-out everywhere', () => {
  it('POST /me/sign-out → 200 with the keys left; that token and every earlier one → 401 within 5 s; API keys keep working; a later token works', async () => {
    const user = testUser('signout');
    const older = devToken(user.sub, { now: Date.now() - 60_000 });
    const { key } = await newKey(user.token);
    expect((await call(user, 'GET', '/threads')).status).toBe(200);

    const res = await call(user, 'POST', '/me/sign-out');
    expect(res.status).toBe(200);
    expect(res.body.revokedKeys).toEqual([]);
    expect(res.body.remainingKeys.map((k: { name: string }) => k.name)).toEqual(['k']);

    await within5s(async () => (await call(user, 'GET', '/threads')).status === 401);
    const refused = await api(baseUrl(), 'GET', '/me', { token: older });
    expect(refused.status).toBe(401);
    expect(refused.body).toEqual(UNAUTHORIZED_BODY);
    expect((await api(baseUrl(), 'GET', '/threads', { apiKey: key })).status).toBe(200);
    // Issued after the sign-out second: works at once.
    const fresh = devToken(user.sub, { now: Date.now() + 2_000 });
    expect((await api(baseUrl(), 'GET', '/threads', { token: fresh })).status).toBe(200);
    const events = await auditRows(user.userId);
    expect(events.filter((e) => e.action === 'session.sign_out' && e.outcome === 'allowed')).toHaveLength(1);
  });

  it('refuses sign-out with an API key (403), since keys have their own revoke', async () => {
    const user = testUser('signout-key');
    const { key } = await newKey(user.token);
    const res = await api(baseUrl(), 'POST', '/me/sign-out', { apiKey: key });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden');
  });

  it('closes the user\'s idle WebSockets within 5 s of the sign-out and frees their slots (T16)', async () => {
    const user = testUser('signout-ws');
    // A stolen token holds every connection slot (WS_MAX_CONNECTIONS_PER_USER, 10) with idle sockets.
    const sockets = await Promise.all(Array.from({ length: 10 }, () => connect(wsUrl(baseUrl(), { token: user.token }))));
    const closed = sockets.map((ws) => new Promise<void>((r) => (ws.socket.readyState === ws.socket.CLOSED ? r() : ws.socket.once('close', () => r()))));
    const start = Date.now();
    expect((await call(user, 'POST', '/me/sign-out')).status).toBe(200);
    await Promise.all(closed);
    expect(Date.now() - start).toBeLessThan(5_000);
    // The victim signs in again: the handshake is admitted, not 429.
    const fresh = devToken(user.sub, { now: Date.now() + 2_000 });
    const again = await connect(wsUrl(baseUrl(), { token: fresh }));
    again.send({ action: 'ping' });
    await again.until((f) => f.type === 'pong');
    await again.close();
  });

  it('frees, at the next handshake, the slots of connections whose credential has ended (T16)', async () => {
    const user = testUser('ended-slots');
    const { id, key } = await newKey(user.token);
    const sockets = await Promise.all(Array.from({ length: 10 }, () => connect(wsUrl(baseUrl(), { key }))));
    // Revoking the key closes nothing by itself; the next handshake finds those slots ended.
    expect((await api(baseUrl(), 'DELETE', `/api-keys/${id}`, { token: user.token })).status).toBe(204);
    const closed = sockets.map((ws) => new Promise<void>((r) => ws.socket.once('close', () => r())));
    const ws = await connect(wsUrl(baseUrl(), { token: user.token }));
    await Promise.all(closed);
    await ws.close();
  });
});

describe('T16 sign-out and the API keys a stolen session made', () => {
  it('revokes the keys created up to the sign-out with {"revokeKeysCreatedBefore": true}, audited, and lists what is left', async () => {
    const user = testUser('signout-keys');
    const stolen = await newKey(user.token);
    const other = await newKey(user.token);
    const res = await call(user, 'POST', '/me/sign-out', { revokeKeysCreatedBefore: true });
    expect(res.status).toBe(200);
    expect(res.body.revokedKeys.map((k: { id: string }) => k.id).sort()).toEqual([stolen.id, other.id].sort());
    expect(res.body.remainingKeys).toEqual([]);
    expect(JSON.stringify(res.body)).not.toContain(stolen.key);
    for (const k of [stolen, other]) expect((await api(baseUrl(), 'GET', '/threads', { apiKey: k.key })).status).toBe(401);
    const events = await auditRows(user.userId);
    expect(events.filter((e) => e.action === 'apikey.revoke' && e.outcome === 'allowed')).toHaveLength(2);
  });

  it('refuses an unknown sign-out option with 400, signing nothing out', async () => {
    const user = testUser('signout-bad');
    const res = await call(user, 'POST', '/me/sign-out', { revokeKeys: 'yes' });
    expect(res.status).toBe(400);
    expect((await call(user, 'GET', '/threads')).status).toBe(200);
  });
});

describe('T16 key rights never exceed the owner\'s current role', () => {
  it('makes a demoted user\'s keys read-only (403 read_only) once a guest token is seen; the guest may list, disable and revoke them', async () => {
    const user = testUser('demoted');
    const { id, key } = await newKey(user.token);
    expect((await api(baseUrl(), 'POST', '/threads', { apiKey: key, body: { title: 'before' } })).status).toBe(201);

    // The identity provider makes the user a guest: their next token says so.
    const guest = devToken(user.sub, { roles: ['guest'], now: Date.now() + 1_000 });
    expect((await api(baseUrl(), 'GET', '/me', { token: guest })).status).toBe(200);
    await within5s(async () => (await api(baseUrl(), 'POST', '/threads', { apiKey: key, body: { title: 'after' } })).status === 403);
    const write = await api(baseUrl(), 'POST', '/threads', { apiKey: key, body: { title: 'after' } });
    expect(write.body.error.code).toBe('read_only');
    expect((await api(baseUrl(), 'GET', '/threads', { apiKey: key })).status).toBe(200);
    // An older token with the old role does not undo the demotion.
    expect((await call(user, 'GET', '/me')).status).toBe(200);
    expect((await api(baseUrl(), 'DELETE', '/threads/01JAAAAAAAAAAAAAAAAAAAAAAA', { apiKey: key })).body.error.code).toBe('read_only');

    // As a guest: list, disable and revoke own keys; no create, no re-enable.
    const list = await api(baseUrl(), 'GET', '/api-keys', { token: guest });
    expect(list.status).toBe(200);
    expect(list.body.data.map((k: { id: string }) => k.id)).toContain(id);
    expect((await api(baseUrl(), 'POST', '/api-keys', { token: guest, body: { name: 'x' } })).body.error.code).toBe('read_only');
    const disabled = await api(baseUrl(), 'PATCH', `/api-keys/${id}`, { token: guest, body: { enabled: false } });
    expect(disabled.status).toBe(200);
    expect(disabled.body.enabled).toBe(false);
    expect((await api(baseUrl(), 'GET', '/threads', { apiKey: key })).status).toBe(401);
    expect((await api(baseUrl(), 'PATCH', `/api-keys/${id}`, { token: guest, body: { enabled: true } })).body.error.code).toBe('read_only');
    expect((await api(baseUrl(), 'DELETE', `/api-keys/${id}`, { token: guest })).status).toBe(204);
  });

  it('gives the keys back their rights when the user is seen as a user again (newer token)', async () => {
    const user = testUser('promoted');
    const { key } = await newKey(user.token);
    expect((await api(baseUrl(), 'GET', '/me', { token: devToken(user.sub, { roles: ['guest'], now: Date.now() + 1_000 }) })).status).toBe(200);
    await within5s(async () => (await api(baseUrl(), 'POST', '/threads', { apiKey: key, body: { title: 'x' } })).status === 403);
    expect((await api(baseUrl(), 'GET', '/me', { token: devToken(user.sub, { now: Date.now() + 3_000 }) })).status).toBe(200);
    await within5s(async () => (await api(baseUrl(), 'POST', '/threads', { apiKey: key, body: { title: 'y' } })).status === 201);
  });
});

describe('admin key disable', () => {
  it('lets an admin disable any user\'s key (audited), refuses everyone else with admin_only', async () => {
    const owner = testUser('keyowner');
    const admin = testUser('keyadmin', ['admin']);
    const other = testUser('keyother');
    const { id, key } = await newKey(owner.token);
    const path = `/admin/users/${encodeURIComponent(owner.userId)}/api-keys/${id}/disable`;

    const denied = await call(other, 'POST', path);
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('admin_only');
    expect((await api(baseUrl(), 'POST', path, { apiKey: key })).body.error.code).toBe('admin_only');
    expect((await api(baseUrl(), 'GET', '/threads', { apiKey: key })).status).toBe(200);

    const res = await call(admin, 'POST', path);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id, enabled: false });
    expect((await api(baseUrl(), 'GET', '/threads', { apiKey: key })).status).toBe(401);
    const owned = await call(owner, 'GET', '/api-keys');
    expect(owned.body.data.find((k: { id: string }) => k.id === id).enabled).toBe(false);

    const unknown = await call(admin, 'POST', `/admin/users/${encodeURIComponent(owner.userId)}/api-keys/01JAAAAAAAAAAAAAAAAAAAAAAA/disable`);
    expect(unknown.status).toBe(403);
    expect(unknown.body.error.message).toBe('API key not found or access denied');

    const events = await auditRows(admin.userId);
    const disables = events.filter((e) => e.action === 'admin.apikey.disable');
    expect(disables).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ outcome: 'allowed', ownerId: owner.userId, reason: `keyId=${id}` }),
        expect.objectContaining({ outcome: 'denied', ownerId: owner.userId }),
      ]),
    );
    expect((await auditRows(other.userId)).some((e) => e.action === 'admin.apikey.disable' && e.outcome === 'denied' && e.reason === 'admin_only')).toBe(true);
  });
});
