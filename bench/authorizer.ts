// Authorizer benchmarks: raw RS256 verify vs the handler on distinct and repeated tokens, bundle size,
// and the cold import time of the bundled authorizer.
import { verify } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { createAuthorizer } from '../functions/shared/lambda/user-authorizer';
import { createTokenVerifier } from '../functions/shared/adapters/jwt-token-verifier';
import { loadAuthConfig } from '../functions/shared/config';
import { BUNDLING } from '../infra/routes';
import { generateSigningKey, publicKeyObject, signJwt } from '../infra/local/jwt-sign';
import { startJwksServer } from '../test/helpers/jwks-server';
import { opsPerSecond, type Report } from './report';
import { nodeDigest } from '../functions/shared/adapters/node-crypto';

const OUT_DIR = join(import.meta.dirname, '.out');

function authEvent(token: string): APIGatewayRequestAuthorizerEvent {
  return {
    type: 'REQUEST',
    methodArn: 'arn:aws:execute-api:eu-west-1:123456789012:api/prod/GET/me',
    headers: { Authorization: `Bearer ${token}` },
  } as unknown as APIGatewayRequestAuthorizerEvent;
}

export async function benchAuthorizer(report: Report): Promise<void> {
  const key = generateSigningKey('RS256');
  const server = await startJwksServer([key]);
  try {
    const config = loadAuthConfig({ JWT_ISSUER: server.issuer, JWKS_URI: server.jwksUri, JWT_AUDIENCE: 'threadguard' });
    const authorize = createAuthorizer({
      tokens: createTokenVerifier(config),
      apiKeys: { findByHash: async () => null },
      digest: nodeDigest, rolesClaim: 'roles',
    });
    const now = Math.floor(Date.now() / 1000);
    const COUNT = 4000;
    const tokens = Array.from({ length: COUNT }, (_, i) =>
      signJwt(key, { iss: server.issuer, aud: 'threadguard', sub: `user-${i}`, jti: String(i), iat: now, exp: now + 3600 }),
    );
    // Warm up as a warm Lambda would be: JWKS cached (one fetch) and the code paths JIT-compiled,
    // on tokens that are not reused below.
    const warmup = Array.from({ length: 1500 }, (_, i) =>
      signJwt(key, { iss: server.issuer, aud: 'threadguard', sub: `warm-${i}`, iat: now, exp: now + 3600 }),
    );
    for (const t of warmup) await authorize(authEvent(t));

    // Raw verification of the same tokens: the floor for any JWT authorizer.
    const publicKey = publicKeyObject(key);
    const rawVerify = (t: string) => {
      const dot = t.lastIndexOf('.');
      if (!verify('sha256', Buffer.from(t.slice(0, dot)), publicKey, Buffer.from(t.slice(dot + 1), 'base64url'))) {
        throw new Error('bad signature');
      }
    };
    warmup.forEach(rawVerify); // the same warm-up for the baseline
    const raw = opsPerSecond(COUNT, (i) => rawVerify(tokens[i]!));
    const distinct = await opsPerSecondAsync(COUNT, (i) => authorize(authEvent(tokens[i]!)));
    const repeated = await opsPerSecondAsync(COUNT, () => authorize(authEvent(tokens[0]!)));
    report.add('authorizer', 'raw crypto.verify RS256', raw, 'ops/s');
    report.add('authorizer', 'handler, distinct tokens (cache misses)', distinct, 'ops/s');
    report.add('authorizer', 'handler, repeated token', repeated, 'ops/s');
    report.add('authorizer', 'ratio distinct / raw (goal >= 0.6)', distinct / raw, 'x', distinct / raw >= 0.6);
    report.add('authorizer', 'ratio repeated / raw', repeated / raw, 'x');
  } finally {
    await server.close();
  }

  // The bundle exactly as CDK builds it.
  mkdirSync(OUT_DIR, { recursive: true });
  const outfile = join(OUT_DIR, 'authorizer.mjs');
  await build({
    entryPoints: [join(import.meta.dirname, '../functions/authorizer/handler.ts')],
    bundle: true,
    outfile,
    format: BUNDLING.format,
    platform: BUNDLING.platform,
    target: BUNDLING.target,
    minify: BUNDLING.minify,
    keepNames: BUNDLING.keepNames,
    external: [...BUNDLING.external],
    banner: { js: BUNDLING.banner },
    logLevel: 'silent',
  });
  const kb = statSync(outfile).size / 1024;
  report.add('authorizer', 'bundle size, minified (goal < 100)', kb, 'KB', kb < 100);

  // Cold import in a fresh process, median of 5 (the AWS SDK is external, as on Lambda).
  const imports: number[] = [];
  for (let i = 0; i < 5; i++) {
    const r = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const t=performance.now(); await import(${JSON.stringify(outfile)}); console.log(performance.now()-t)`,
      ],
      {
        env: { ...process.env, JWT_ISSUER: 'https://issuer.example.com', TABLE_NAME: 'bench', AWS_REGION: 'eu-west-1' },
        encoding: 'utf8',
      },
    );
    if (r.status !== 0) throw new Error(`import failed: ${r.stderr}`);
    imports.push(Number(r.stdout.trim()));
  }
  imports.sort((a, b) => a - b);
  const median = imports[2]!;
  report.add('authorizer', 'bundled import time, median of 5 (goal < 50)', median, 'ms', median < 50);
}

async function opsPerSecondAsync(count: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < count; i++) await fn(i);
  return count / ((performance.now() - t0) / 1000);
}
