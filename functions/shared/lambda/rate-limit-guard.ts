// The per-user rate limits as a RequestGuard: every authenticated REST request counts in the
// `requests` bucket, agent-reply routes also in `respond`. X-RateLimit-* go on every response
// (errors included, through `out`); over a limit the request ends in the documented 429.
import { RateLimitedError } from '../core/errors';
import { rateLimitHeaders, tighter, type RateLimiter } from '../core/rate-limit';
import type { RequestGuard } from './http-handler';

/** REST routes whose requests produce an agent reply (`METHOD /resource`). */
export const RESPOND_ROUTES: ReadonlySet<string> = new Set(['POST /threads/{threadId}/messages']);

export function rateLimitGuard(limiter: RateLimiter): RequestGuard {
  return async (req, out) => {
    // Public routes carry no principal and are limited only by the stage throttle.
    if (!req.principal) return;
    // Both buckets at once on reply routes (two independent counters, one round trip of latency);
    // the price is that a request refused by `requests` still counts in `respond`.
    const decision = RESPOND_ROUTES.has(`${req.method} ${req.resource}`)
      ? tighter(...(await Promise.all([limiter.check(req.principal, 'requests'), limiter.check(req.principal, 'respond')])))
      : await limiter.check(req.principal, 'requests');
    Object.assign(out, rateLimitHeaders(decision));
    if (!decision.admitted) throw new RateLimitedError(decision.retryAfterSeconds, decision);
  };
}
