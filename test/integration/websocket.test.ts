// The WebSocket API over real sockets: handshake authentication (THREATS T4/T5 on ?token= and ?key=),
// and credentials re-checked on every message of an open connection (T8).
import { describe, expect, it, vi } from 'vitest';
import { recordCredential } from '../helpers/credentials';
import { baseUrl, devIssuer, devToken, uniqueUser } from '../helpers/dev-tokens';
import { forgedTokens } from '../helpers/hostile-tokens';
import { api } from '../helpers/http';
import { call, newThread, testUser } from '../helpers/threads';
import { connect, handshakeStatus, wsUrl } from '../helpers/ws-client';

/** API Gateway's own body for a refused $connect (WebSocket APIs have no custom gateway responses). */
const WS_UNAUTHORIZED_BODY = { message: 'Unauthorized' };

describe('WebSocket handshake', () => {
  it.each([
    ['no credentials', {}],
    ['an empty token', { token: '' }],
    ['a garbage token', { token: 'garbage' }],
    ['a malformed key', { key: 'not-a-uuid' }],
    ['an unknown key', { key: '3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f' }],
    ['a key that is really a token', { key: 'eyJhbGciOiJSUzI1NiJ9.e30.sig' }],
  ])('T4: refuses %s with HTTP 401 and never upgrades', async (_name, query) => {
    const res = await handshakeStatus(wsUrl(baseUrl(), query as Record<string, string>));
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body)).toEqual(WS_UNAUTHORIZED_BODY);
  });

  const forged = forgedTokens(devIssuer());
  it.each(Object.keys(forged))('T5: refuses a token with %s', async (name) => {
    const url = wsUrl(baseUrl(), { token: forged[name]! });
    const res = await handshakeStatus(url);
    // A URL over API Gateway's 4,096 characters is refused before the authorizer (414).
    expect(res.status).toBe(url.length > 4096 ? 414 : 401);
  });

  it('checks ?key= before ?token= (a bad key fails even next to a good token)', async () => {
    const res = await handshakeStatus(wsUrl(baseUrl(), { key: 'not-a-uuid', token: devToken(uniqueUser('ws')) }));
    expect(res.status).toBe(401);
  });

  it('does not accept the token in a header instead of the query', async () => {
    const res = await handshakeStatus(wsUrl(baseUrl(), {}), { Authorization: `Bearer ${devToken(uniqueUser('ws'))}` });
    expect(res.status).toBe(401);
  });
});

describe('WebSocket sessions after the handshake', () => {
  const REVOKED_FRAME = { type: 'error', code: 'unauthorized', message: 'Credentials are no longer valid; reconnect' };

  async function keyConnection(name: string) {
    const owner = testUser(name);
    const minted = await api(baseUrl(), 'POST', '/api-keys', { token: owner.token, body: { name: 'socket' } });
    expect(minted.status).toBe(201);
    recordCredential(minted.body.key);
    const threadId = await newThread(owner);
    const ws = await connect(wsUrl(baseUrl(), { key: minted.body.key }));
    ws.send({ action: 'ping' });
    await ws.until((f) => f.type === 'pong');
    return { owner, keyId: minted.body.id as string, threadId, ws };
  }

  const closedByServer = (ws: Awaited<ReturnType<typeof connect>>) =>
    new Promise<number>((resolve) => (ws.socket.readyState === ws.socket.CLOSED ? resolve(0) : ws.socket.once('close', resolve)));

  it.each([
    ['revoked', (token: string, keyId: string) => api(baseUrl(), 'DELETE', `/api-keys/${keyId}`, { token })],
    ['disabled', (token: string, keyId: string) => api(baseUrl(), 'PATCH', `/api-keys/${keyId}`, { token, body: { enabled: false } })],
  ])('T8: a key %s after $connect stops the open connection at its next message, and nothing is stored', async (_name, change) => {
    const { owner, keyId, threadId, ws } = await keyConnection('ws-key');
    expect((await change(owner.token, keyId)).status).toBeLessThan(300);
    ws.send({ action: 'sendMessage', threadId, content: 'add a task to sneak in' });
    const frames = await ws.until((f) => f.type === 'error');
    await closedByServer(ws);
    expect(frames.slice(1)).toEqual([REVOKED_FRAME]);
    expect((await call(owner, 'GET', `/threads/${threadId}/items`)).body.data).toEqual([]);
  });

  it('T8: a token past its exp stops the open connection at its next message', async () => {
    const alice = testUser('ws-exp');
    const threadId = await newThread(alice);
    const shortLived = devToken(alice.sub, { ttlSeconds: 2 });
    const exp = JSON.parse(Buffer.from(shortLived.split('.')[1]!, 'base64url').toString()).exp as number;
    const ws = await connect(wsUrl(baseUrl(), { token: shortLived }));
    ws.send({ action: 'ping' });
    await ws.until((f) => f.type === 'pong');
    // Wait for the token to lapse (a condition on the clock, not a timing assertion).
    await vi.waitUntil(() => Date.now() > exp * 1000 + 50, { timeout: 5_000, interval: 100 });
    ws.send({ action: 'sendMessage', threadId, content: 'add a task after expiry' });
    const frames = await ws.until((f) => f.type === 'error');
    await closedByServer(ws);
    expect(frames.slice(1)).toEqual([REVOKED_FRAME]);
    expect((await call(alice, 'GET', `/threads/${threadId}/items`)).body.data).toEqual([]);
  });

  it('answers an oversized frame by dropping that client only; the stack keeps serving', async () => {
    const alice = testUser('ws-big');
    const big = await connect(wsUrl(baseUrl(), { token: alice.token }));
    big.socket.send('x'.repeat(128 * 1024 + 1));
    expect(await closedByServer(big)).toBe(1009);
    expect((await fetch(`${baseUrl()}/health`)).status).toBe(200);
    const next = await connect(wsUrl(baseUrl(), { token: alice.token }));
    next.send({ action: 'ping' });
    expect(await next.until((f) => f.type === 'pong')).toContainEqual({ type: 'pong' });
    await next.close();
  });

  it('answers a message over 64 KB (within the socket limit, in 32 KB frames) with payload_too_large and keeps the connection', async () => {
    const alice = testUser('ws-64k');
    const ws = await connect(wsUrl(baseUrl(), { token: alice.token }));
    const text = JSON.stringify({ action: 'sendMessage', threadId: 'x', content: 'y'.repeat(64 * 1024) });
    for (let i = 0; i < text.length; i += 32 * 1024) ws.socket.send(text.slice(i, i + 32 * 1024), { fin: i + 32 * 1024 >= text.length });
    ws.send({ action: 'ping' });
    // Each message is its own invocation (metered first), so the two answers may arrive in either order.
    const frames = await ws.until(() => ws.frames.length >= 2);
    await ws.close();
    expect(frames.filter((f) => f.type === 'error')).toEqual([{ type: 'error', code: 'payload_too_large', message: 'Payload too large' }]);
    expect(frames.filter((f) => f.type === 'pong')).toHaveLength(1);
  });
});
