// The edge options every REST function uses, built once per cold start from the environment:
// CORS allow-list and the per-user rate-limit guard (DynamoDB-backed, THREATS T10).
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { loadHttpConfig, loadLimitsConfig, loadTableConfig } from '../config';
import { createDocumentClient } from '../adapters/dynamo-client';
import { DynamoDbRateCounter } from '../adapters/rate-counter';
import { systemClock } from '../core/ports';
import { createRateLimiter, type RateLimiter } from '../core/rate-limit';
import type { HttpHandlerOptions } from './http-handler';
import { idempotentPosts } from './idempotency';
import { rateLimitGuard } from './rate-limit-guard';

type Env = Record<string, string | undefined>;

/**
 * The rate limiter for both buckets; code that sends agent replies outside the REST guard
 * (ChatKit streams, WebSocket sends) calls `limiter.consume(principal, 'respond')`.
 */
export function rateLimiterFromEnv(env: Env = process.env, client?: DynamoDBDocumentClient): RateLimiter {
  const table = loadTableConfig(env);
  const limits = loadLimitsConfig(env);
  return createRateLimiter({
    counter: new DynamoDbRateCounter(client ?? createDocumentClient(table), table.tableName),
    clock: systemClock,
    limits: { requests: limits.requestsPerMinute, respond: limits.respondsPerMinute },
  });
}

/** @param client - the function's own document client, when it has one (saves a second client). */
export function edgeOptions(env: Env = process.env, client?: DynamoDBDocumentClient): HttpHandlerOptions {
  const table = loadTableConfig(env);
  const db = client ?? createDocumentClient(table);
  return {
    corsOrigins: loadHttpConfig(env).corsOrigins,
    guards: [rateLimitGuard(rateLimiterFromEnv(env, db))],
    idempotency: idempotentPosts(db, table.tableName),
  };
}
