// THE composition of shared dependencies, built lazily and once per cold start (memoized), so every
// handler gets the same clock, id generator, DynamoDB client, stores, audit log (with the configured
// retention and enumeration detection), rate limiter and token budget, configured the same way. The model is
// in reply-model.ts: only the functions that reply load the provider SDKs.
import { randomFillSync } from 'node:crypto';
import { loadBudgetConfig, loadContentKeyConfig, loadHttpConfig, loadLimitsConfig, loadTableConfig } from '../config';
import { createDocumentClient } from '../adapters/dynamo-client';
import { envelopeCipher } from '../adapters/envelope-cipher';
import { kmsKeySource } from '../adapters/kek-source';
import { createKmsClient } from '../adapters/kms-client';
import { DynamoDbRateCounter } from '../adapters/rate-counter';
import { secretSource } from '../adapters/secret-source';
import { dynamoTaskStores } from '../adapters/task-store';
import { dynamoThreadStores } from '../adapters/thread-store';
import { DynamoDbTokenCounter } from '../adapters/token-counter';
import type { StreamingChatModel } from '../core/agent/model-port';
import type { ReplyDeps } from '../core/agent/reply';
import { cursorCodec, type CursorCodec } from '../core/cursor';
import { ulidGenerator } from '../core/ids';
import { systemClock } from '../core/ports';
import { createRateLimiter } from '../core/rate-limit';
import { createTokenBudget } from '../core/token-budget';
import type { ThreadDeps } from '../core/threads/thread-use-cases';
import { createAuditLog } from './audit-log';
import type { HttpHandlerOptions } from './http-handler';
import { idempotentPosts } from './idempotency';
import { logger } from './logger';
import { rateLimitGuard } from './rate-limit-guard';

/** Built on first use, then kept for the life of the instance. */
export function once<T>(build: () => T): () => T {
  let built: { value: T } | null = null;
  return () => (built ??= { value: build() }).value;
}

const env = process.env;

const table = once(() => loadTableConfig(env));
const client = once(() => createDocumentClient(table()));
const store = once(() => ({ client: client(), tableName: table().tableName }));
const ids = once(() => ulidGenerator(systemClock, (b) => randomFillSync(b)));
/** User content sealed per user (the third wall); KMS is reached only when a key-encryption key is needed. */
const cipher = once(() => {
  const { keyId, endpoint } = loadContentKeyConfig(env);
  const keks = kmsKeySource({ kms: createKmsClient(endpoint), keyId, ...store(), clock: systemClock });
  return envelopeCipher({
    tableName: table().tableName,
    clientFor: () => client(),
    keks,
    clock: systemClock,
    // The stores answer as if the row were absent; this is the one place the fault is told.
    onUnreadable: ({ userId, record, field }) => logger.error('stored content did not open for its record', { code: 'content_unreadable', userId, record, field }),
  });
});
const threadStores = once(() => dynamoThreadStores(store(), cipher()));
const taskStores = once(() => dynamoTaskStores(store(), cipher()));
const auditLog = once(() => createAuditLog({ ...store(), env }));
const limiter = once(() => {
  const limits = loadLimitsConfig(env);
  return createRateLimiter({
    counter: new DynamoDbRateCounter(client(), table().tableName),
    clock: systemClock,
    limits: { requests: limits.requestsPerMinute, respond: limits.respondsPerMinute },
  });
});
const budget = once(() =>
  createTokenBudget({ counter: new DynamoDbTokenCounter(client(), table().tableName), clock: systemClock, dailyLimit: loadBudgetConfig(env).dailyTokenBudget }),
);
const cursorSecret = once(() => secretSource({ name: 'CURSOR_SECRET', env }));
const idempotency = once(() => idempotentPosts(client(), table().tableName, cipher));

export const wiring = {
  env,
  clock: systemClock,
  table,
  client,
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
  }),
};
