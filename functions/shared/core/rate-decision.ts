// What a rate-limit check decides, a leaf module: errors.ts carries a decision on RateLimitedError,
// and rate-limit.ts makes it, so neither imports the other for it.

/** `requests`: every authenticated request. `respond`: agent replies (message posts, ChatKit streams, WebSocket sends). */
export const RATE_BUCKETS = ['requests', 'respond'] as const;
export type RateBucket = (typeof RATE_BUCKETS)[number];

export interface RateDecision {
  readonly bucket: RateBucket;
  readonly admitted: boolean;
  readonly limit: number;
  readonly remaining: number;
  /** Epoch seconds when the current window ends. */
  readonly resetAt: number;
  /** Seconds until the window ends (at least 1). */
  readonly retryAfterSeconds: number;
}
