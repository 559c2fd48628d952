// The second wall (DESIGN invariant 11b): a user's partitions are reached only with credentials IAM
// confines to that user. `forUser(userId)` returns a DynamoDB client signing with the tenant data
// role, assumed with the session tag `tenant=<tenantIdOf(userId)>`; the role's policy allows only
// requests whose every leading key is that tenant's (infra/tenant-access.ts). `shared` is the
// execution role's client, which reaches only cross-user key families (audit, key lookups,
// connections, webhooks, idempotency records), never a user partition.
//
// Credentials are cached per tenant for this execution environment until shortly before they
// expire, so a warm function calls STS at most once per user per session (an hour). STS failures
// are a 503 `service_unavailable` with Retry-After; there is no fallback to broader credentials.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TableConfig } from '../config';
import { ServiceUnavailableError } from '../core/errors';
import { keys, type Tenant } from '../core/keys';
import type { Clock } from '../core/ports';
import { dynamoEndpoint } from './dynamo-endpoint';
import type { SharedCredentialCache } from './tenant-credential-cache';
import { tenantIdOf } from './tenant-id';

export interface TenantClients {
  /** The execution role's client: cross-user key families only. */
  readonly shared: DynamoDBDocumentClient;
  /** A client whose credentials IAM confines to `userId`'s partitions. */
  forUser(userId: string): DynamoDBDocumentClient;
  /** The same, by tenant id (for work that starts from a key, e.g. the table's stream, and has no userId). */
  forTenant(tenant: Tenant): DynamoDBDocumentClient;
}

/** The session tag IAM compares with `dynamodb:LeadingKeys` (`${aws:PrincipalTag/tenant}`). */
export const TENANT_TAG = 'tenant';
/** AssumeRole from a Lambda execution role is role chaining: at most one hour (STS API reference, AssumeRole, DurationSeconds). */
export const TENANT_SESSION_SECONDS = 3600;
/** Renewed this long before expiry, so a request never starts with credentials about to lapse. */
const RENEW_BEFORE_MS = 5 * 60 * 1000;
/** Bound on cached tenants per environment (oldest dropped first). */
const MAX_CACHED_TENANTS = 2000;
/** What a throttled or failing STS asks the caller to wait. */
const STS_RETRY_AFTER_SECONDS = 2;

const marshallOptions = { removeUndefinedValues: true } as const;

export interface TenantCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
}

/** Assumes the tenant role for one tenant (one STS call). */
export type TenantCredentialSource = (tenant: Tenant) => Promise<TenantCredentials>;

/**
 * A source that asks `cache` (shared by every environment) first and STS only when the cached
 * credential is missing or within RENEW_BEFORE_MS of expiry; what STS returns is stored for the
 * other environments. A cache fault never fails the request: it only costs an STS call.
 */
export function sharedTenantCredentials(sts: TenantCredentialSource, cache: SharedCredentialCache, clock: Clock, onError: (err: unknown) => void = () => {}): TenantCredentialSource {
  const fresh = (c: TenantCredentials | null): c is TenantCredentials => c !== null && c.expiration.getTime() - clock.now().getTime() > RENEW_BEFORE_MS;
  return async (tenant) => {
    const cached = await cache.get(tenant).catch((err: unknown) => (onError(err), null));
    if (fresh(cached)) return cached;
    const issued = await sts(tenant);
    await cache.put(tenant, issued).catch(onError);
    return issued;
  };
}

/** The real source: STS AssumeRole with the tenant session tag. */
export function stsTenantCredentials(roleArn: string, sts: STSClient = new STSClient({ maxAttempts: 3 })): TenantCredentialSource {
  return async (tenant) => {
    let res;
    try {
      res = await sts.send(
        new AssumeRoleCommand({
          RoleArn: roleArn,
          RoleSessionName: `t-${tenant}`,
          DurationSeconds: TENANT_SESSION_SECONDS,
          Tags: [{ Key: TENANT_TAG, Value: tenant }],
        }),
      );
    } catch (err) {
      // Throttling, an outage, a missing trust: never a wider credential, always a retryable 503.
      throw new ServiceUnavailableError(STS_RETRY_AFTER_SECONDS, undefined, { cause: err, dependency: 'sts' });
    }
    const c = res.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
      throw new ServiceUnavailableError(STS_RETRY_AFTER_SECONDS, undefined, { cause: new Error('AssumeRole returned no credentials'), dependency: 'sts' });
    }
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
  };
}

interface Cached {
  credentials: Promise<TenantCredentials>;
  client: DynamoDBDocumentClient;
}

export interface TenantClientStats {
  /** Credentials this environment fetched (from the shared cache or STS) so far. */
  readonly credentialFetches: number;
}

/** Wraps an AWS SDK client as it is built (tracing); returns the same client. */
export type ClientInstrument = <T extends object>(client: T) => T;

/**
 * Clients per tenant, each with its own credentials, cached per execution environment. Concurrent
 * requests of one user share one STS call.
 */
export function tenantClients(opts: {
  table: TableConfig;
  /** The execution role's client. */
  shared: DynamoDBDocumentClient;
  credentials: TenantCredentialSource;
  clock: Clock;
  /** Applied to each tenant's client as it is built (the shared one arrives already instrumented). */
  instrument?: ClientInstrument;
}): TenantClients & { stats(): TenantClientStats } {
  const instrument = opts.instrument ?? ((client) => client);
  const { shared } = opts;
  const cache = new Map<Tenant, Cached>();
  let calls = 0;

  const fresh = (tenant: Tenant): Promise<TenantCredentials> => {
    calls++;
    const pending = opts.credentials(tenant);
    // A failed call is not cached: the next request asks STS again.
    pending.catch(() => cache.get(tenant)?.credentials === pending && cache.delete(tenant));
    return pending;
  };

  const entry = (tenant: Tenant): Cached => {
    const hit = cache.get(tenant);
    if (hit) {
      cache.delete(tenant); // re-insert: the map's order is least recently used first
      cache.set(tenant, hit);
      return hit;
    }
    const created: Cached = {
      credentials: fresh(tenant),
      client: DynamoDBDocumentClient.from(
        instrument(new DynamoDBClient({
          ...dynamoEndpoint(opts.table.endpoint),
          maxAttempts: 5,
          // One connection pool for every tenant's client: a client per user must not mean sockets per user.
          requestHandler: shared.config.requestHandler,
          // The SDK asks again once `expiration` nears; the cache answers until RENEW_BEFORE_MS before it.
          credentials: async () => {
            const current = cache.get(tenant) ?? created;
            const creds = await current.credentials;
            if (creds.expiration.getTime() - opts.clock.now().getTime() > RENEW_BEFORE_MS) return creds;
            current.credentials = fresh(tenant);
            return current.credentials;
          },
        })),
        { marshallOptions },
      ),
    };
    cache.set(tenant, created);
    if (cache.size > MAX_CACHED_TENANTS) cache.delete(cache.keys().next().value as Tenant);
    return created;
  };

  return {
    shared,
    forUser: (userId) => entry(tenantIdOf(userId)).client,
    forTenant: (tenant) => entry(tenant).client,
    stats: () => ({ credentialFetches: calls }),
  };
}

/** One client for every user: for tests and tools that talk to DynamoDB Local directly, without the IAM wall. */
export function singleClient(client: DynamoDBDocumentClient): TenantClients {
  return { shared: client, forUser: () => client, forTenant: () => client };
}

/** A user's partition: its key and the client whose credentials may reach it (and nothing else). */
export function userPartition(clients: TenantClients, userId: string): { readonly client: DynamoDBDocumentClient; readonly pk: string } {
  return { client: clients.forUser(userId), pk: keys.userPk(tenantIdOf(userId)) };
}
