// THE composition of shared dependencies, built lazily and once per cold start (memoized), so every
// handler gets the same clock, id generator, DynamoDB clients, audit log (with the configured
// retention and enumeration detection), rate limiter and token budget, configured the same way.
// What reads or writes user content (the cipher, thread and task stores, idempotency records) is in
// content-wiring.ts, so functions that never touch content do not bundle the Encryption SDK; the
// model is in reply-model.ts, so only the functions that reply load the provider SDKs.
import { randomFillSync } from 'node:crypto';
import { loadBudgetConfig, loadHttpConfig, loadLimitsConfig, loadTableConfig, loadTenantConfig } from '../config';
import { createDocumentClient } from '../adapters/dynamo-client';
import { STSClient } from '@aws-sdk/client-sts';
import { sharedTenantCredentials, singleClient, stsTenantCredentials, tenantClients, type ClientInstrument } from '../adapters/tenant-clients';
import { dynamoCredentialCache } from '../adapters/tenant-credential-cache';
import { logger } from './logger';
import { DynamoDbRateCounter } from '../adapters/rate-counter';
import { secretSource } from '../adapters/secret-source';
import { DynamoDbTokenCounter } from '../adapters/token-counter';
import { DynamoDbUsageIndex, DynamoDbUsageStore } from '../adapters/usage-store';
import { cursorCodec, type CursorCodec } from '../core/cursor';
import { ulidGenerator } from '../core/ids';
import { systemClock } from '../core/ports';
import { createRateLimiter } from '../core/rate-limit';
import { createTokenBudget } from '../core/token-budget';
import { createAuditLog } from './audit-log';
import type { HttpHandlerOptions } from './edge-options';
import { rateLimitGuard } from './rate-limit-guard';
import { hmacSigner } from '../adapters/node-crypto';
import type { MessageSigner } from '../core/ports';

/**
 * Built on first use, then kept for the life of the instance. Deployed, an instance runs one
 * function; the local stack loads every function into one process, so each function (named by
 * AWS_LAMBDA_FUNCTION_NAME, which its own environment holds) builds its own, as its own cold start
 * would: its clients sign with its own credentials at the local IAM wall.
 */
export function once<T>(build: () => T): () => T {
  const built = new Map<string, T>();
  return () => {
    const fn = process.env.AWS_LAMBDA_FUNCTION_NAME ?? '';
    if (!built.has(fn)) built.set(fn, build());
    return built.get(fn)!;
  };
}

const env = process.env;

/**
 * How AWS clients are instrumented: as built, until content-wiring.ts installs the Tracer's capture
 * (tracing.ts) at its import, before any client exists. The functions that touch no content stay
 * without the X-Ray SDK.
 */
let instrument: ClientInstrument = (client) => client;
export function instrumentAwsClients(capture: ClientInstrument): void {
  instrument = capture;
}

const table = once(() => loadTableConfig(env));
/** Per-user clients confined by IAM to their user's partitions, and the execution role's own (tenant-clients.ts). */
const clients = once(() => {
  const tenantRoleArn = loadTenantConfig(env).tenantRoleArn;
  const shared = instrument(createDocumentClient(table()));
  if (!tenantRoleArn) return singleClient(shared);
  // STS only when no environment holds a fresh credential for the user (tenant-credential-cache.ts).
  const cache = dynamoCredentialCache({ client: shared, tableName: table().tableName, secret: secretSource({ name: 'CREDENTIALS_SECRET', env }) });
  const credentials = sharedTenantCredentials(stsTenantCredentials(tenantRoleArn, instrument(new STSClient({ maxAttempts: 3 }))), cache, systemClock, (error) => logger.warn('shared tenant credential cache unavailable', { error: error as Error }));
  return tenantClients({ table: table(), shared, credentials, clock: systemClock, instrument });
});
/** The execution role's client: cross-user key families only (audit, key lookups, connections, webhooks, idempotency). */
const client = once(() => clients().shared);
const ids = once(() => ulidGenerator(systemClock, (b) => randomFillSync(b)));
const auditLog = once(() => createAuditLog({ client: client(), tableName: table().tableName, env }));
const limiter = once(() => {
  const limits = loadLimitsConfig(env);
  return createRateLimiter({
    counter: new DynamoDbRateCounter(clients(), table().tableName),
    clock: systemClock,
    limits: { requests: limits.requestsPerMinute, respond: limits.respondsPerMinute },
    usage: usageStore(),
  });
});
/** A user's usage days and budget override, reached with that user's scoped client. */
const usageStore = once(() => new DynamoDbUsageStore(clients(), table().tableName));
const budget = once(() => {
  const { dailyTokenBudget, maxReplyTokens, monthlyTokenBudget } = loadBudgetConfig(env);
  return createTokenBudget({
    // Replies add themselves to the admin ranking's day index (only the reply functions settle).
    counter: new DynamoDbTokenCounter(clients(), table().tableName, true),
    clock: systemClock,
    dailyLimit: dailyTokenBudget,
    maxReplyTokens,
    monthlyLimit: monthlyTokenBudget,
    usage: usageStore(),
  });
});
const cursorSecret = once(() => secretSource({ name: 'CURSOR_SECRET', env }));
const cursorSigner = async (): Promise<MessageSigner> => hmacSigner(await cursorSecret().get());
export const wiring = {
  env,
  clock: systemClock,
  table,
  client,
  clients,
  ids,
  /** The audit log every function writes through (AUDIT_RETENTION_DAYS, enumeration detection). */
  audit: () => auditLog().log,
  auditStore: () => auditLog().store,
  limiter,
  budget,
  /** Signs and checks pagination cursors (CURSOR_SECRET). */
  cursorSigner,
  cursors: once(async (): Promise<CursorCodec> => cursorCodec(await cursorSigner())),
  /**
   * CORS allow-list and the `requests` rate-limit guard, for every REST function. Functions with POST
   * routes that remember an `Idempotency-Key` use content-wiring.ts `contentWiring.edge()` instead.
   */
  usageStore,
  /** The admin ranking's day index, read with the function's own role. */
  usageIndex: once(() => new DynamoDbUsageIndex(client(), table().tableName)),
  edge: once(
    (): HttpHandlerOptions => ({
      corsOrigins: loadHttpConfig(env).corsOrigins,
      guards: [rateLimitGuard(limiter())],
    }),
  ),
};
