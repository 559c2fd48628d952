// The WebSocket API over real sockets: handshake authentication (THREATS T4/T5 on ?token= and ?key=).
import { describe, expect, it } from 'vitest';
import { baseUrl, devIssuer, devToken, uniqueUser } from '../helpers/dev-tokens';
import { forgedTokens } from '../helpers/hostile-tokens';
import { UNAUTHORIZED_BODY } from '../helpers/http';
import { handshakeStatus, wsUrl } from '../helpers/ws-client';

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
    expect(JSON.parse(res.body)).toEqual(UNAUTHORIZED_BODY);
  });

  const forged = forgedTokens(devIssuer());
  it.each(Object.keys(forged))('T5: refuses a token with %s', async (name) => {
    const res = await handshakeStatus(wsUrl(baseUrl(), { token: forged[name]! }));
    expect(res.status).toBe(401);
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
