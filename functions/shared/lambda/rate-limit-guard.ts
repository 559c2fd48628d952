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
    let decision = await limiter.check(req.principal, 'requests');
    if (decision.admitted && RESPOND_ROUTES.has(`${req.method} ${req.resource}`)) {
      decision = tighter(decision, await limiter.check(req.principal, 'respond'));
    }
    Object.assign(out, rateLimitHeaders(decision));
    if (!decision.admitted) throw new RateLimitedError(decision.retryAfterSeconds, decision);
  };
}
