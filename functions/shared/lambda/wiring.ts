// THE composition of shared dependencies, built lazily and once per cold start (memoized), so every
// handler gets the same clock, id generator, DynamoDB client, stores, audit log (with the configured
// retention and enumeration detection), rate limiter and token budget, configured the same way. The model is
// in reply-model.ts: only the functions that reply load the provider SDKs.
import { randomFillSync } from 'node:crypto';
import { loadBudgetConfig, loadHttpConfig, loadLimitsConfig, loadTableConfig } from '../config';
import { createDocumentClient } from '../adapters/dynamo-client';
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
const threadStores = once(() => dynamoThreadStores(store()));
const taskStores = once(() => dynamoTaskStores(store()));
const auditLog = once(() => createAuditLog({ ...store(), env }));
const limiter = once(() => {
  const limits = loadLimitsConfig(env);
  return createRateLimiter({
    counter: new DynamoDbRateCounter(client(), table().tableName),
    clock: systemClock,
    limits: { requests: limits.requestsPerMinute, respond: limits.respondsPerMinute },
  });
});
const budget = once(() => {
  const { dailyTokenBudget, maxReplyTokens } = loadBudgetConfig(env);
  return createTokenBudget({ counter: new DynamoDbTokenCounter(client(), table().tableName), clock: systemClock, dailyLimit: dailyTokenBudget, maxReplyTokens });
});
const cursorSecret = once(() => secretSource({ name: 'CURSOR_SECRET', env }));
const idempotency = once(() =>
  idempotentPosts(client(), table().tableName, (req, threadId) =>
    confirmReplay({ threads: threadStores().threadStore, audit: auditLog().log }, threadAccessOf(req), threadId),
  ),
);

export const wiring = {
  env,
  clock: systemClock,
  table,
  client,
  ids,
  threadStores,
  taskStores,
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
