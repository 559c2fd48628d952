// The per-user rate limit of every authenticated REST request as a RequestGuard: one hit in the
// `requests` bucket; X-RateLimit-* go on every response (errors included, through `out`); over the
// limit the request ends in the documented 429. Agent replies also count in `respond`: the reply use
// case (core/agent/reply.ts) does that for every transport, taking this guard's decision from
// `requestsDecisionOf(req)` so the headers describe the tighter bucket and nothing counts twice.
import { RateLimitedError } from '../core/errors';
import { rateLimitHeaders, type RateDecision, type RateLimiter } from '../core/rate-limit';
import type { RequestGuard } from './edge-options';
import type { HttpRequest } from './http-request';

const decisions = new WeakMap<HttpRequest, RateDecision>();

/** The `requests` decision this guard made for the request (null on public routes). */
export const requestsDecisionOf = (req: HttpRequest): RateDecision | null => decisions.get(req) ?? null;

export function rateLimitGuard(limiter: RateLimiter): RequestGuard {
  return async (req, out) => {
    // Public routes carry no principal and are limited only by the stage throttle.
    if (!req.principal) return;
    const decision = await limiter.check(req.principal, 'requests');
    decisions.set(req, decision);
    Object.assign(out, rateLimitHeaders(decision));
    if (!decision.admitted) throw new RateLimitedError(decision.retryAfterSeconds, decision);
  };
}
