// THREATS T20: when STS throttles or fails, a request is a retryable 503, never a fallback to
// broader credentials; credentials are fetched once per user per environment and shared through
// the cache. The real STS client against a loopback server answering in STS's query protocol.
import { createServer, type Server } from 'node:http';
import { STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedTenantCredentials, stsTenantCredentials, type TenantCredentials } from '../../../functions/shared/adapters/tenant-clients';
import type { SharedCredentialCache } from '../../../functions/shared/adapters/tenant-credential-cache';
import { ServiceUnavailableError } from '../../../functions/shared/core/errors';
import type { Tenant } from '../../../functions/shared/core/keys';

const THROTTLED = `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>r1</RequestId></ErrorResponse>`;

let server: Server;
let calls = 0;
let endpoint = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    calls++;
    req.resume();
    res.writeHead(400, { 'Content-Type': 'text/xml' }).end(THROTTLED);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const a = server.address();
  endpoint = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const tenant = 'a'.repeat(32) as Tenant;

describe('T20: tenant credentials when STS throttles', () => {
  it('answers 503 service_unavailable with a Retry-After, and never other credentials', async () => {
    const sts = new STSClient({ endpoint, region: 'local', credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret' }, maxAttempts: 2 });
    const source = stsTenantCredentials('arn:aws:iam::000000000000:role/tenant', sts);
    const err = await source(tenant).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceUnavailableError);
    expect(err).toMatchObject({ code: 'service_unavailable', retryAfterSeconds: 2 });
    expect(calls).toBe(2); // the SDK's own retry, then the refusal
  });

  it('asks STS only when the shared cache holds no fresh credential, and stores what it gets', async () => {
    const now = new Date('2026-12-07T12:00:00Z');
    const fresh: TenantCredentials = { accessKeyId: 'ASIA1', secretAccessKey: 's', sessionToken: 't', expiration: new Date(now.getTime() + 30 * 60_000) };
    const stale: TenantCredentials = { ...fresh, accessKeyId: 'ASIA0', expiration: new Date(now.getTime() + 60_000) };
    const stored = new Map<string, TenantCredentials>();
    const cache: SharedCredentialCache = { get: async (t) => stored.get(t) ?? null, put: async (t, c) => void stored.set(t, c) };
    let stsCalls = 0;
    const source = sharedTenantCredentials(async () => (stsCalls++, fresh), cache, { now: () => now });
    stored.set(tenant, stale); // within 5 minutes of expiry: renewed
    expect((await source(tenant)).accessKeyId).toBe('ASIA1');
    expect(stsCalls).toBe(1);
    expect(stored.get(tenant)?.accessKeyId).toBe('ASIA1');
    expect((await source(tenant)).accessKeyId).toBe('ASIA1'); // another environment: from the cache
    expect(stsCalls).toBe(1);
  });
});
