// Per-user fixed-window rate limits (THREATS T10). The counter is a port so the rule is tested
// without a database; the DynamoDB adapter makes each increment one atomic conditional update,
// so the limit holds across Lambda instances and concurrent requests.
import { RateLimitedError } from './errors';
import type { Principal } from './principal';
import type { Clock } from './ports';
import type { RateBucket, RateDecision } from './rate-decision';
import type { RequestCounter } from './usage-counts';

export { RATE_BUCKETS, type RateBucket, type RateDecision } from './rate-decision';

export const RATE_WINDOW_SECONDS = 60;

export interface RateCounter {
  /**
   * Counts one hit in (subject, bucket, window) unless the window already holds `limit` hits.
   * Atomic: of any number of concurrent calls, at most `limit` per window are admitted.
   * @returns whether the hit was admitted, and the window's count after it (`limit` when refused).
   */
  hit(input: {
    subject: string;
    bucket: RateBucket;
    windowStart: number;
    limit: number;
    expiresAt: number;
  }): Promise<{ admitted: boolean; count: number }>;
}

export type RateLimits = Readonly<Record<RateBucket, number>>;

/**
 * The subject a principal is counted as. API-key callers count against their owner: a per-key
 * subject would let one user multiply the budget by minting keys.
 */
export const rateSubject = (principal: Principal): string => principal.userId;

export function fixedWindow(now: Date, windowSeconds = RATE_WINDOW_SECONDS): { start: number; resetAt: number } {
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const start = nowSeconds - (nowSeconds % windowSeconds);
  return { start, resetAt: start + windowSeconds };
}

export interface RateLimiter {
  /** Counts the request and reports the window; never throws for being over the limit. */
  check(principal: Principal, bucket: RateBucket): Promise<RateDecision>;
  /** Like `check`, but throws RateLimitedError when over the limit. */
  consume(principal: Principal, bucket: RateBucket): Promise<RateDecision>;
}

export function createRateLimiter(deps: {
  counter: RateCounter;
  clock: Clock;
  limits: RateLimits;
  /** Counts every `requests` hit, admitted or not, in the user's usage day (core/usage.ts), beside the window's counter. */
  usage?: RequestCounter;
}): RateLimiter {
  const check = async (principal: Principal, bucket: RateBucket): Promise<RateDecision> => {
    const now = deps.clock.now();
    const { start, resetAt } = fixedWindow(now);
    const limit = deps.limits[bucket];
    // Kept one window past its end, so a slow clock on another instance still finds the counter.
    const [{ admitted, count }] = await Promise.all([
      deps.counter.hit({
        subject: rateSubject(principal),
        bucket,
        windowStart: start,
        limit,
        expiresAt: resetAt + RATE_WINDOW_SECONDS,
      }),
      bucket === 'requests' && deps.usage ? deps.usage.countRequest(rateSubject(principal), now.toISOString().slice(0, 10)) : undefined,
    ]);
    const retryAfterSeconds = Math.max(1, resetAt - Math.floor(now.getTime() / 1000));
    return { bucket, admitted, limit, remaining: Math.max(0, limit - count), resetAt, retryAfterSeconds };
  };
  return {
    check,
    async consume(principal, bucket) {
      const decision = await check(principal, bucket);
      if (!decision.admitted) throw new RateLimitedError(decision.retryAfterSeconds, decision);
      return decision;
    },
  };
}

/** The `X-RateLimit-*` headers for a decision (Reset in epoch seconds). */
export function rateLimitHeaders(d: RateDecision): Record<string, string> {
  return {
    'X-RateLimit-Limit': String(d.limit),
    'X-RateLimit-Remaining': String(d.remaining),
    'X-RateLimit-Reset': String(d.resetAt),
  };
}

/** Of two decisions, the one the client should pace itself by: refused first, then fewest remaining. */
export function tighter(a: RateDecision, b: RateDecision): RateDecision {
  if (a.admitted !== b.admitted) return a.admitted ? b : a;
  return b.remaining < a.remaining ? b : a;
}
