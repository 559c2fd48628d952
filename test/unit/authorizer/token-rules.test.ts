// T16 (stale trust: a key removed at the issuer) and T19 (lax token rules), against a real loopback
// JWKS server; the verifier's clock is the test's, so the maximum age is checked without waiting.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenVerifier } from '../../../functions/shared/adapters/jwt-token-verifier';
import { loadAuthConfig } from '../../../functions/shared/config';
import { authenticateJwt } from '../../../functions/shared/core/authenticate';
import { ServiceUnavailableError } from '../../../functions/shared/core/errors';
import { generateSigningKey, signJwt, type SigningKey } from '../../../infra/local/jwt-sign';
import { startJwksServer, type JwksServer } from '../../helpers/jwks-server';
import { nodeDigest } from '../../../functions/shared/adapters/node-crypto';

const AUDIENCE = 'threadguard';

describe('JWT rules beyond the signature', () => {
  let key: SigningKey;
  let server: JwksServer;
  let clock: number;
  const nowS = () => Math.floor(clock / 1000);

  beforeAll(async () => {
    key = generateSigningKey('RS256');
    server = await startJwksServer([key]);
  });
  afterAll(() => server.close());

  const deps = (env: Record<string, string> = {}) => {
    clock = Date.now();
    const config = loadAuthConfig({ JWT_ISSUER: server.issuer, JWKS_URI: server.jwksUri, JWT_AUDIENCE: AUDIENCE, ...env });
    return { tokens: createTokenVerifier(config, undefined, () => clock), apiKeys: { findByHash: async () => null }, digest: nodeDigest, rolesClaim: 'roles' };
  };
  const claims = (extra: Record<string, unknown> = {}) => ({ iss: server.issuer, aud: AUDIENCE, sub: 'alice', iat: nowS(), exp: nowS() + 600, ...extra });

  it.each([
    ['absent', undefined],
    ['JWT', 'JWT'],
    ['at+jwt', 'at+jwt'],
  ])('accepts typ %s', async (_name, typ) => {
    const d = deps();
    const principal = await authenticateJwt(d, signJwt(key, claims(), { typ }));
    expect(principal.authMethod).toBe('jwt');
  });

  it.each([
    ['an unknown critical header', {}, { crit: ['x-unknown'], 'x-unknown': 1 }, 'crit_header'],
    ['typ logout+jwt', {}, { typ: 'logout+jwt' }, 'typ_not_accepted'],
    ['exp 1e300', { exp: 1e300 }, {}, 'lifetime_too_long'],
    ['a lifetime one second over the cap', { exp: 'cap+1' }, {}, 'lifetime_too_long'],
    ['iat 61 s in the future', { iat: 'now+61' }, {}, 'iat_in_future'],
  ])('refuses %s', async (_name, payload, header, reason) => {
    const d = deps({ JWT_MAX_LIFETIME_SECONDS: '3600' });
    const p: Record<string, unknown> = claims();
    for (const [k, v] of Object.entries(payload)) {
      p[k] = v === 'cap+1' ? (p.iat as number) + 3601 : v === 'now+61' ? nowS() + 61 : v;
    }
    await expect(authenticateJwt(d, signJwt(key, p, header))).rejects.toMatchObject({ reason });
  });

  it('accepts a lifetime exactly at the cap and an iat within the 60 s skew', async () => {
    const d = deps({ JWT_MAX_LIFETIME_SECONDS: '3600' });
    const iat = nowS() + 60;
    await expect(authenticateJwt(d, signJwt(key, claims({ iat, exp: iat + 3600 })))).resolves.toMatchObject({ authMethod: 'jwt' });
  });

  it('stops trusting a key removed from the JWKS once the cached JWKS is past JWKS_MAX_AGE_SECONDS', async () => {
    // Prepare: a second key, published, used once (so the JWKS is cached)
    const leaving = generateSigningKey('RS256');
    server.keys = [key, leaving];
    const d = deps({ JWKS_MAX_AGE_SECONDS: '600' });
    const token = () => signJwt(leaving, claims());
    await authenticateJwt(d, token());
    // Act: the issuer drops the key
    server.keys = [key];
    clock += 599_000;
    const withinAge = await authenticateJwt(d, token()).then(() => 'accepted', () => 'refused');
    clock += 1_000;
    // Assess: cached until the maximum age, refused from then on; the kept key still works
    expect(withinAge).toBe('accepted');
    await expect(authenticateJwt(d, token())).rejects.toMatchObject({ reason: 'unknown_kid' });
    await expect(authenticateJwt(d, signJwt(key, claims()))).resolves.toMatchObject({ authMethod: 'jwt' });
  });

  it('re-reads a JWKS once at the maximum age, not once per request', async () => {
    server.keys = [key];
    const d = deps({ JWKS_MAX_AGE_SECONDS: '600' });
    await authenticateJwt(d, signJwt(key, claims()));
    const before = server.fetches;
    clock += 600_000;
    await Promise.all(Array.from({ length: 10 }, () => authenticateJwt(d, signJwt(key, claims()))));
    for (let i = 0; i < 10; i++) await authenticateJwt(d, signJwt(key, claims()));
    expect(server.fetches - before).toBe(1);
  });

  it('answers "unavailable", not "bad token", while the issuer\'s JWKS cannot be read', async () => {
    server.keys = [key];
    const d = deps({ JWKS_MAX_AGE_SECONDS: '600' });
    await authenticateJwt(d, signJwt(key, claims()));
    clock += 600_000;
    server.failWith = 503;
    try {
      // The re-read at the maximum age fails, and so does every token until the retry wait is over.
      await expect(authenticateJwt(d, signJwt(key, claims()))).rejects.toBeInstanceOf(ServiceUnavailableError);
      await expect(authenticateJwt(d, signJwt(key, claims()))).rejects.toBeInstanceOf(ServiceUnavailableError);
    } finally {
      server.failWith = null;
    }
    clock += 3_000;
    await expect(authenticateJwt(d, signJwt(key, claims()))).resolves.toMatchObject({ authMethod: 'jwt' });
  });

  it('during an issuer outage, made-up kids cause one fetch per retry wait, and cached keys still verify', async () => {
    server.keys = [key];
    const d = deps();
    await authenticateJwt(d, signJwt(key, claims()));
    server.failWith = 503;
    const before = server.fetches;
    try {
      for (let i = 0; i < 5; i++) {
        await expect(authenticateJwt(d, signJwt(generateSigningKey('RS256'), claims()))).rejects.toBeInstanceOf(ServiceUnavailableError);
      }
      await expect(authenticateJwt(d, signJwt(key, claims()))).resolves.toMatchObject({ authMethod: 'jwt' });
    } finally {
      server.failWith = null;
    }
    expect(server.fetches - before).toBe(1);
  });

  it('keeps the unknown-kid penalty box: made-up kids cause at most one fetch', async () => {
    server.keys = [key];
    const d = deps();
    await authenticateJwt(d, signJwt(key, claims()));
    const before = server.fetches;
    for (let i = 0; i < 5; i++) {
      await expect(authenticateJwt(d, signJwt(generateSigningKey('RS256'), claims()))).rejects.toMatchObject({ reason: 'unknown_kid' });
    }
    expect(server.fetches - before).toBe(1);
  });

  it('names the variable when JWKS_MAX_AGE_SECONDS or JWT_MAX_LIFETIME_SECONDS is not a positive integer', () => {
    expect(() => loadAuthConfig({ JWT_ISSUER: server.issuer, JWKS_MAX_AGE_SECONDS: '0' })).toThrow(/JWKS_MAX_AGE_SECONDS/);
    expect(() => loadAuthConfig({ JWT_ISSUER: server.issuer, JWT_MAX_LIFETIME_SECONDS: 'a day' })).toThrow(/JWT_MAX_LIFETIME_SECONDS/);
  });
});
