// The REST authorizer's decisions for every credential shape in THREATS T4 and T5, with keys made in
// the test and a JWKS served by a real loopback HTTP server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { allowedResource, createAuthorizer, fromQuery } from '../../../functions/shared/lambda/user-authorizer';
import { createTokenVerifier } from '../../../functions/shared/adapters/jwt-token-verifier';
import { loadAuthConfig } from '../../../functions/shared/config';
import { type ApiKeyRecord } from '../../../functions/shared/core/authenticate';
import { sha256Hex, userIdFor, nodeDigest } from '../../../functions/shared/adapters/node-crypto';
import { generateSigningKey, signJwt, type SigningKey } from '../../../infra/local/jwt-sign';
import { startJwksServer, type JwksServer } from '../../helpers/jwks-server';
import { forgedTokens, missingCredentialHeaders, validClaims } from '../../helpers/hostile-tokens';

const METHOD_ARN = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/me';
const AUDIENCE = 'threadguard';

function event(headers: Record<string, string | undefined>, methodArn = METHOD_ARN): APIGatewayRequestAuthorizerEvent {
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) clean[k] = v;
  return {
    type: 'REQUEST',
    methodArn,
    resource: '/me',
    path: '/me',
    httpMethod: 'GET',
    headers: clean,
    multiValueHeaders: {},
    pathParameters: null,
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    requestContext: { identity: { sourceIp: '203.0.113.9' } } as never,
  };
}

describe('REST authorizer', () => {
  let rsa: SigningKey;
  let server: JwksServer;
  let second: JwksServer;
  let authorize: ReturnType<typeof createAuthorizer>;
  const keys = new Map<string, ApiKeyRecord>();

  beforeAll(async () => {
    rsa = generateSigningKey('RS256');
    const ec = generateSigningKey('ES256');
    const ed = generateSigningKey('EdDSA');
    server = await startJwksServer([rsa, ec, ed]);
    second = await startJwksServer([generateSigningKey('RS256')]);
    const config = loadAuthConfig({
      JWT_ISSUER: `${server.issuer},${second.issuer}`,
      JWKS_URI: `${server.jwksUri},${second.jwksUri}`,
      JWT_AUDIENCE: AUDIENCE,
      ROLES_CLAIM: 'https://example.com/roles',
    });
    authorize = createAuthorizer({
      tokens: createTokenVerifier(config),
      apiKeys: { findByHash: async (h) => keys.get(h) ?? null },
      digest: nodeDigest, rolesClaim: config.rolesClaim,
    });
  });
  afterAll(async () => {
    await server.close();
    await second.close();
  });

  const iut = () => ({ issuer: server.issuer, audience: AUDIENCE, key: rsa });

  it.each(['RS256', 'ES256', 'EdDSA'] as const)('allows a valid %s token and returns the flat principal', async (alg) => {
    // Prepare
    const key = server.keys.find((k) => k.alg === alg)!;
    const token = signJwt(key, validClaims({ ...iut(), key }, 'auth0|123', { email: 'a@example.com' }));
    // Act
    const result = await authorize(event({ Authorization: `Bearer ${token}` }));
    // Assess
    expect(result.principalId).toBe(userIdFor(server.issuer, 'auth0|123'));
    expect(result.context).toEqual({
      userId: userIdFor(server.issuer, 'auth0|123'),
      roles: 'user',
      authMethod: 'jwt',
      keyId: '',
      readOnly: 'false',
      scopes: '',
      email: 'a@example.com',
      expiresAt: expect.stringMatching(/^\d{10}$/),
      issuedAt: expect.stringMatching(/^\d{10}$/),
    });
    expect(result.policyDocument.Statement).toEqual([{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: METHOD_ARN }]);
  });

  it('takes roles only from the configured claim and marks guests read-only', async () => {
    const token = signJwt(rsa, validClaims(iut(), 'g', { 'https://example.com/roles': ['guest'], roles: ['admin'] }));
    const result = await authorize(event({ authorization: `Bearer ${token}` }));
    expect(result.context).toMatchObject({ roles: 'guest', readOnly: 'true' });
  });

  it('gives equal sub values from two issuers different user ids', async () => {
    const otherKey = second.keys[0]!;
    const a = await authorize(event({ Authorization: `Bearer ${signJwt(rsa, validClaims(iut(), 'same'))}` }));
    const b = await authorize(
      event({ Authorization: `Bearer ${signJwt(otherKey, validClaims({ issuer: second.issuer, audience: AUDIENCE, key: otherKey }, 'same'))}` }),
    );
    expect(a.principalId).not.toBe(b.principalId);
  });

  it.each(Object.keys(missingCredentialHeaders({ issuer: 'http://x', audience: AUDIENCE, key: generateSigningKey('EdDSA') })))(
    'T4: refuses %s with exactly "Unauthorized"',
    async (name) => {
      const value = missingCredentialHeaders(iut())[name];
      await expect(authorize(event({ Authorization: value }))).rejects.toThrow(/^Unauthorized$/);
    },
  );

  it.each(Object.keys(forgedTokens({ issuer: 'http://x', audience: AUDIENCE, key: generateSigningKey('RS256') })))(
    'T5: refuses a token with %s',
    async (name) => {
      const token = forgedTokens(iut())[name]!;
      await expect(authorize(event({ Authorization: `Bearer ${token}` }))).rejects.toThrow(/^Unauthorized$/);
    },
  );

  it('picks up a key rotated in at the issuer on its first use', async () => {
    // Prepare: a fresh verifier (no unknown-kid penalty pending) that has cached the JWKS already
    const fresh = createAuthorizer({
      tokens: createTokenVerifier(loadAuthConfig({ JWT_ISSUER: server.issuer, JWKS_URI: server.jwksUri, JWT_AUDIENCE: AUDIENCE })),
      apiKeys: { findByHash: async () => null },
      digest: nodeDigest, rolesClaim: 'roles',
    });
    await fresh(event({ Authorization: `Bearer ${signJwt(rsa, validClaims(iut()))}` }));
    const rotated = generateSigningKey('RS256');
    server.keys = [...server.keys, rotated];
    // Act
    const result = await fresh(event({ Authorization: `Bearer ${signJwt(rotated, validClaims({ ...iut(), key: rotated }, 'rot'))}` }));
    // Assess
    expect(result.principalId).toBe(userIdFor(server.issuer, 'rot'));
  });

  it('does not refetch the JWKS for every unknown kid', async () => {
    const stranger = generateSigningKey('RS256');
    const before = server.fetches;
    for (let i = 0; i < 5; i++) {
      await expect(
        authorize(event({ Authorization: `Bearer ${signJwt(stranger, validClaims(iut()))}` })),
      ).rejects.toThrow('Unauthorized');
    }
    expect(server.fetches - before).toBeLessThanOrEqual(1);
  });

  describe('API keys', () => {
    const key = 'f47ac10b-58cc-4372-a567-0e02b2c3d479';
    const disabled = '9b2d6a4e-1c3f-4e8a-9d7b-2f6e8c1a3b5d';
    beforeAll(() => {
      keys.set(sha256Hex(key), { keyId: 'k1', ownerId: 'owner-1', readOnly: true, enabled: true });
      keys.set(sha256Hex(disabled), { keyId: 'k2', ownerId: 'owner-1', readOnly: false, enabled: false });
    });

    it('allows a known enabled key as its owner, with the key restrictions and never admin', async () => {
      const result = await authorize(event({ 'X-API-Key': key }));
      expect(result.context).toEqual({
        userId: 'owner-1',
        roles: 'user',
        authMethod: 'apiKey',
        keyId: 'k1',
        readOnly: 'true',
        scopes: '',
        email: '',
        expiresAt: '',
        issuedAt: '',
      });
    });

    it('checks the API key first when both headers are sent', async () => {
      const token = signJwt(rsa, validClaims(iut(), 'jwt-user'));
      await expect(authorize(event({ 'X-API-Key': disabled, Authorization: `Bearer ${token}` }))).rejects.toThrow(
        'Unauthorized',
      );
      const ok = await authorize(event({ 'x-api-key': key, Authorization: `Bearer ${token}` }));
      expect(ok.principalId).toBe('owner-1');
    });

    it.each([
      ['a disabled key', disabled],
      ['an unknown key', '3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f'],
      ['a non-UUID key', 'not-a-uuid'],
      ['a UUID v1', 'f47ac10b-58cc-1372-a567-0e02b2c3d479'],
      ['an empty key', ''],
    ])('refuses %s', async (_name, value) => {
      await expect(authorize(event({ 'X-API-Key': value }))).rejects.toThrow(/^Unauthorized$/);
    });

    it('refuses a key from the second it expires, and passes its expiry and scopes on before that', async () => {
      const scoped = '0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e';
      keys.set(sha256Hex(scoped), { keyId: 'k3', ownerId: 'owner-1', readOnly: false, enabled: true, expiresAt: '2026-03-01T12:00:00.000Z', scopes: ['threads:read', 'messages:write'] });
      const at = (iso: string) =>
        createAuthorizer({ tokens: { verify: async () => Promise.reject(new Error('unused')) }, apiKeys: { findByHash: async (h) => keys.get(h) ?? null }, digest: nodeDigest, rolesClaim: 'roles', clock: { now: () => new Date(iso) } });
      const before = await at('2026-03-01T11:59:59.999Z')(event({ 'X-API-Key': scoped }));
      expect(before.context).toMatchObject({ scopes: 'threads:read messages:write', expiresAt: String(Date.parse('2026-03-01T12:00:00Z') / 1000) });
      await expect(at('2026-03-01T12:00:00.000Z')(event({ 'X-API-Key': scoped }))).rejects.toThrow(/^Unauthorized$/);
    });

    it('does not look up malformed keys at all', async () => {
      let lookups = 0;
      const counting = createAuthorizer({
        tokens: { verify: async () => Promise.reject(new Error('unused')) },
        apiKeys: { findByHash: async () => (lookups++, null) },
        digest: nodeDigest, rolesClaim: 'roles',
      });
      await expect(counting(event({ 'X-API-Key': "' OR 1=1 --" }))).rejects.toThrow('Unauthorized');
      expect(lookups).toBe(0);
    });
  });

  describe('policy scope', () => {
    it('allows only the method ARN of the request, never the stage or a wildcard', async () => {
      const token = signJwt(rsa, validClaims(iut(), 'scope'));
      for (const arn of [
        'arn:aws:execute-api:us-east-1:123456789012:api/dev/POST/threads/01J/messages',
        'arn:aws:execute-api:us-east-1:123456789012:api/dev/DELETE/api-keys/k1',
      ]) {
        const result = await authorize(event({ Authorization: `Bearer ${token}` }, arn));
        expect(result.policyDocument.Statement).toEqual([{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: arn }]);
      }
    });

    it('allows only $connect on the WebSocket authorizer', async () => {
      const wsAuthorize = createAuthorizer(
        { tokens: createTokenVerifier(loadAuthConfig({ JWT_ISSUER: server.issuer, JWKS_URI: server.jwksUri, JWT_AUDIENCE: AUDIENCE })), apiKeys: { findByHash: async () => null }, digest: nodeDigest, rolesClaim: 'roles' },
        fromQuery,
      );
      const connectArn = 'arn:aws:execute-api:us-east-1:123456789012:ws1/prod/$connect';
      const wsEvent = { ...event({}, connectArn), queryStringParameters: { token: signJwt(rsa, validClaims(iut(), 'ws')) } };
      const result = await wsAuthorize(wsEvent);
      expect(result.policyDocument.Statement).toEqual([{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: connectArn }]);
    });

    it('refuses, rather than allowing more, when the event has no method ARN', async () => {
      const token = signJwt(rsa, validClaims(iut(), 'no-arn'));
      await expect(authorize(event({ Authorization: `Bearer ${token}` }, null as unknown as string))).rejects.toThrow(/^Unauthorized$/);
      await expect(authorize(event({ Authorization: `Bearer ${token}` }, '*'))).rejects.toThrow(/^Unauthorized$/);
      expect(() => allowedResource('arn:aws:execute-api:us-east-1:1:api/dev/GET/me')).not.toThrow();
    });
  });
});
