// THE composition of shared dependencies, built lazily and once per cold start (memoized), so every
// handler gets the same clock, id generator, DynamoDB client, stores, audit log (with the configured
// retention and enumeration detection), rate limiter and token budget, configured the same way. The model is
// in reply-model.ts: only the functions that reply load the provider SDKs.
import { randomFillSync } from 'node:crypto';
import { loadBudgetConfig, loadContentKeyConfig, loadHttpConfig, loadLimitsConfig, loadTableConfig, loadTenantConfig, loadThreadRetentionDays } from '../config';
import { createDocumentClient } from '../adapters/dynamo-client';
import { envelopeCipher } from '../adapters/envelope-cipher';
import { kmsKeySource } from '../adapters/kek-source';
import { createKmsClient } from '../adapters/kms-client';
import { sharedTenantCredentials, singleClient, stsTenantCredentials, tenantClients } from '../adapters/tenant-clients';
import { dynamoCredentialCache } from '../adapters/tenant-credential-cache';
import { logger } from './logger';
import { DynamoDbRateCounter } from '../adapters/rate-counter';
import { secretSource } from '../adapters/secret-source';
import { dynamoTaskStores } from '../adapters/task-store';
import { dynamoThreadStores } from '../adapters/thread-store';
import { DynamoDbTokenCounter } from '../adapters/token-counter';
import type { StreamingChatModel } from '../core/agent/model-port';
import { confirmReplay, type ReplyDeps } from '../core/agent/reply';
import { cursorCodec, type CursorCodec } from '../core/cursor';
import { ulidGenerator } from '../core/ids';
import { systemClock } from '../core/ports';
import { createRateLimiter } from '../core/rate-limit';
import { createTokenBudget } from '../core/token-budget';
import type { ThreadDeps } from '../core/threads/thread-use-cases';
import { createAuditLog } from './audit-log';
import type { HttpHandlerOptions } from './edge-options';
import { idempotentPosts } from './idempotency';
import { rateLimitGuard } from './rate-limit-guard';
import { threadAccessOf } from './validation';

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

const table = once(() => loadTableConfig(env));
/** Per-user clients confined by IAM to their user's partitions, and the execution role's own (tenant-clients.ts). */
const clients = once(() => {
  const tenantRoleArn = loadTenantConfig(env).tenantRoleArn;
  const shared = createDocumentClient(table());
  if (!tenantRoleArn) return singleClient(shared);
  // STS only when no environment holds a fresh credential for the user (tenant-credential-cache.ts).
  const cache = dynamoCredentialCache({ client: shared, tableName: table().tableName, secret: secretSource({ name: 'CREDENTIALS_SECRET', env }) });
  const credentials = sharedTenantCredentials(stsTenantCredentials(tenantRoleArn), cache, systemClock, (error) => logger.warn('shared tenant credential cache unavailable', { error: error as Error }));
  return tenantClients({ table: table(), shared, credentials, clock: systemClock });
});
/** The execution role's client: cross-user key families only (audit, key lookups, connections, webhooks, idempotency). */
const client = once(() => clients().shared);
const store = once(() => ({ clients: clients(), tableName: table().tableName }));
const ids = once(() => ulidGenerator(systemClock, (b) => randomFillSync(b)));
/** User content sealed per user (the third wall); KMS is reached only when a key-encryption key is needed. */
const cipher = once(() => {
  const { keyId, endpoint } = loadContentKeyConfig(env);
  // The key-encryption keys are a cross-user family (KEYRING), read with the function's own role.
  const keks = kmsKeySource({ kms: createKmsClient(endpoint), keyId, client: client(), tableName: table().tableName, clock: systemClock });
  return envelopeCipher({
    tableName: table().tableName,
    // A user's own key lives in their partition: reached only with their scoped client.
    clientFor: (userId) => clients().forUser(userId),
    keks,
    clock: systemClock,
    // The stores answer as if the row were absent; this is the one place the fault is told.
    onUnreadable: ({ userId, record, field }) => logger.error('stored content did not open for its record', { code: 'content_unreadable', userId, record, field }),
  });
});
// Every function that writes threads reads THREAD_RETENTION_DAYS (infra/routes.ts): a write moves the thread's expiry.
const threadStores = once(() => dynamoThreadStores(store(), cipher(), { days: loadThreadRetentionDays(env), clock: systemClock }));
const taskStores = once(() => dynamoTaskStores(store(), cipher()));
const auditLog = once(() => createAuditLog({ client: client(), tableName: table().tableName, env }));
const limiter = once(() => {
  const limits = loadLimitsConfig(env);
  return createRateLimiter({
    counter: new DynamoDbRateCounter(clients(), table().tableName),
    clock: systemClock,
    limits: { requests: limits.requestsPerMinute, respond: limits.respondsPerMinute },
  });
});
const budget = once(() => {
  const { dailyTokenBudget, maxReplyTokens } = loadBudgetConfig(env);
  return createTokenBudget({ counter: new DynamoDbTokenCounter(clients(), table().tableName), clock: systemClock, dailyLimit: dailyTokenBudget, maxReplyTokens });
});
const cursorSecret = once(() => secretSource({ name: 'CURSOR_SECRET', env }));
const idempotency = once(() =>
  idempotentPosts(
    client(),
    table().tableName,
    (req, threadId) => confirmReplay({ threads: threadStores().threadStore, audit: auditLog().log }, threadAccessOf(req), threadId),
    cipher,
  ),
);

export const wiring = {
  env,
  clock: systemClock,
  table,
  client,
  clients,
  ids,
  threadStores,
  taskStores,
  /** Seals and opens user content; destroys a user's key (account deletion). */
  cipher,
  /** The audit log every function writes through (AUDIT_RETENTION_DAYS, enumeration detection). */
  audit: () => auditLog().log,
  auditStore: () => auditLog().store,
  limiter,
  budget,
  cursorSecret,
  cursors: once(async (): Promise<CursorCodec> => cursorCodec(await cursorSecret().get())),
  /** Client `Idempotency-Key`: buffered POSTs through `edge`, replies (messages, ChatKit) in their controllers. */
  idempotency,
  /** CORS allow-list, the `requests` rate-limit guard and `Idempotency-Key` on buffered POST routes, for every REST function. */
  edge: once(
    (): HttpHandlerOptions => ({
      corsOrigins: loadHttpConfig(env).corsOrigins,
      guards: [rateLimitGuard(limiter())],
      idempotency: idempotency(),
    }),
  ),
  /** The reply use case's dependencies around a model (reply-model.ts, loaded only by the functions that reply). */
  reply: (model: StreamingChatModel): ReplyDeps => ({
    threads: threadStores().threadStore,
    tasks: taskStores(),
    model,
    audit: auditLog().log,
    clock: systemClock,
    ids: ids(),
    limiter: limiter(),
    budget: budget(),
  }),
  threadDeps: async (): Promise<ThreadDeps> => ({
    threads: threadStores().threadStore,
    adminReader: threadStores().adminThreadReader,
    cursors: await wiring.cursors(),
    audit: auditLog().log,
    clock: systemClock,
    ids: ids(),
    forgetCopies: (userId, threadId) => idempotency().forgetThread(userId, threadId),
  }),
};
