// The authorizers' method-scoped Allow, evaluated by the local gateway's policy check against the
// method ARNs the local gateways build: the request's own method passes, any other is denied.
import { describe, expect, it } from 'vitest';
import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { createAuthorizer, fromQuery } from '../../../functions/shared/lambda/user-authorizer';
import { type ApiKeyRecord } from '../../../functions/shared/core/authenticate';
import { sha256Hex, nodeDigest } from '../../../functions/shared/adapters/node-crypto';
import { isAllowed } from '../../../infra/local/iam-policy';
import { restMethodArn } from '../../../infra/local/rest-gateway';
import { connectMethodArn } from '../../../infra/local/websocket-gateway';

const KEY = '5d3c0a8e-2b1f-4c7d-9e6a-0f4b8c2d1e3a';
const records = new Map<string, ApiKeyRecord>([[sha256Hex(KEY), { keyId: 'k1', ownerId: 'owner-1', readOnly: false, enabled: true }]]);
const deps = {
  tokens: { verify: async () => Promise.reject(new Error('API keys only here')) },
  apiKeys: { findByHash: async (h: string) => records.get(h) ?? null },
  digest: nodeDigest, rolesClaim: 'roles',
};

const restEvent = (methodArn: string): APIGatewayRequestAuthorizerEvent =>
  ({ type: 'REQUEST', methodArn, headers: { 'X-API-Key': KEY }, requestContext: {} }) as unknown as APIGatewayRequestAuthorizerEvent;

describe('local gateway enforcement of the method-scoped Allow', () => {
  const authorize = createAuthorizer(deps);

  // Paths as `new URL(...).pathname` yields them, with regex and IAM wildcard characters in them.
  it.each([
    ['GET', '/me'],
    ['POST', '/threads/01JTESTID0000000000000000/messages'],
    ['GET', '/threads/a.b(c)+d$e[f]{g}^h|i'],
    ['PATCH', '/threads/%2F..%2Fadmin'],
    ['DELETE', '/api-keys/x*y%3Fz'],
    ['GET', '/threads/'],
  ])('%s %s: allowed for its own ARN and nothing else', async (method, path) => {
    const arn = restMethodArn('local', method, path);
    const { policyDocument } = await authorize(restEvent(arn));
    expect(isAllowed(policyDocument, arn)).toBe(true);
    const others = [
      restMethodArn('local', method === 'GET' ? 'DELETE' : 'GET', path),
      restMethodArn('local', method, `${path}/extra`),
      restMethodArn('local', method, '/admin/audit'),
      restMethodArn('other', method, path),
    ];
    for (const other of others) expect(isAllowed(policyDocument, other), other).toBe(false);
  });

  it('allows $connect for the WebSocket authorizer and no REST method', async () => {
    const wsAuthorize = createAuthorizer(deps, fromQuery);
    const arn = connectMethodArn('local');
    const { policyDocument } = await wsAuthorize({ ...restEvent(arn), headers: {}, queryStringParameters: { key: KEY } });
    expect(isAllowed(policyDocument, arn)).toBe(true);
    expect(isAllowed(policyDocument, connectMethodArn('other'))).toBe(false);
    expect(isAllowed(policyDocument, restMethodArn('local', 'GET', '/me'))).toBe(false);
  });

  it('denies when an explicit Deny matches, and without any matching Allow', () => {
    const arn = restMethodArn('local', 'GET', '/me');
    const allow = { Action: 'execute-api:Invoke', Effect: 'Allow' as const, Resource: arn };
    expect(isAllowed({ Version: '2012-10-17', Statement: [allow, { ...allow, Effect: 'Deny' as const }] }, arn)).toBe(false);
    expect(isAllowed({ Version: '2012-10-17', Statement: [] }, arn)).toBe(false);
    expect(isAllowed(undefined, arn)).toBe(false);
  });
});
