// What the sign-out check (THREATS T16) adds to the REST authorizer: one strongly consistent GetItem
// of the user's session item per user and instance every SESSION_CACHE_SECONDS, against DynamoDB
// Local. Three runs of the same handler: without the check, with it on a cache hit (one user), and
// with it on a cache miss for every request (a new user each time).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAdminClient } from '../infra/local/dynamodb-supervisor';
import * as lib from '@aws-sdk/lib-dynamodb';
import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { createAuthorizer } from '../functions/shared/lambda/user-authorizer';
import { DynamoDbSessionStore } from '../functions/shared/adapters/session-store';
import { createTokenVerifier } from '../functions/shared/adapters/jwt-token-verifier';
import { loadAuthConfig } from '../functions/shared/config';
import { cachedSessionStore } from '../functions/shared/core/sessions';
import { startDynamoDbLocal } from '../infra/local/dynamodb-local';
import { ensureTables } from '../infra/local/tables';
import { freePort } from '../infra/local/stack';
import { generateSigningKey, signJwt } from '../infra/local/jwt-sign';
import { startJwksServer } from '../test/helpers/jwks-server';
import { percentile as pct, type Report } from './report';
import { nodeDigest } from '../functions/shared/adapters/node-crypto';

const event = (token: string) =>
  ({ type: 'REQUEST', methodArn: 'arn:aws:execute-api:eu-west-1:123456789012:api/prod/GET/me', headers: { Authorization: `Bearer ${token}` } }) as unknown as APIGatewayRequestAuthorizerEvent;


export async function benchSignOutCheck(report: Report): Promise<void> {
  const ddb = await startDynamoDbLocal({ dataDir: mkdtempSync(join(tmpdir(), 'threadguard-bench-')), port: await freePort() });
  const key = generateSigningKey('RS256');
  const server = await startJwksServer([key]);
  try {
    const base = createAdminClient(ddb.endpoint);
    const tables = await ensureTables(base);
    const client = lib.DynamoDBDocumentClient.from(base);
    const config = loadAuthConfig({ JWT_ISSUER: server.issuer, JWKS_URI: server.jwksUri });
    const tokens = createTokenVerifier(config);
    const deps = { tokens, apiKeys: { findByHash: async () => null }, digest: nodeDigest, rolesClaim: 'roles' };
    const sessions = new DynamoDbSessionStore(async () => ({ client, lib }), tables.main);
    const without = createAuthorizer(deps);
    const cached = createAuthorizer({ ...deps, sessions: cachedSessionStore(sessions) });
    const now = Math.floor(Date.now() / 1000);
    const token = (sub: string, i: number) => signJwt(key, { iss: server.issuer, aud: 'threadguard', sub, jti: String(i), iat: now, exp: now + 3600 });
    const N = 600;
    const run = async (authorize: ReturnType<typeof createAuthorizer>, sub: (i: number) => string, label: string) => {
      const list = Array.from({ length: N }, (_, i) => token(sub(i), i));
      for (let i = 0; i < 100; i++) await authorize(event(token(`${label}-warm-${i % 3}`, i))); // JIT and connection warm-up
      const ms: number[] = [];
      for (const t of list) {
        const t0 = performance.now();
        await authorize(event(t));
        ms.push(performance.now() - t0);
      }
      return ms;
    };
    const a = await run(without, () => 'one-user', 'a');
    const b = await run(cached, () => 'one-user', 'b');
    const c = await run(cached, (i) => `user-${i}`, 'c');
    report.add('authorizer sign-out check', 'p50 without the check', pct(a, 50), 'ms');
    report.add('authorizer sign-out check', 'p50 with it, cache hit (same user within 5 s)', pct(b, 50), 'ms');
    report.add('authorizer sign-out check', 'p50 with it, cache miss (GetItem, DynamoDB Local)', pct(c, 50), 'ms');
    report.add('authorizer sign-out check', 'p95 with it, cache miss', pct(c, 95), 'ms');
    report.add('authorizer sign-out check', 'added per request on a miss (p50)', pct(c, 50) - pct(a, 50), 'ms');
    report.add('authorizer sign-out check', 'DynamoDB reads per user per instance', 1, 'per 5 s');
    base.destroy();
  } finally {
    await server.close();
    await ddb.stop();
  }
}
