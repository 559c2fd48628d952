// What usage records and the ports that store it (core/usage.ts holds the use cases): plain types
// and constants, no imports beyond the token budget's retention, so the wiring every function loads
// (and the stores) pull in nothing of the use cases or their schemas.
/** Longest history `GET /me/usage` and the admin's user history return. */
export const MAX_USAGE_DAYS = 90;
export const DEFAULT_USAGE_DAYS = 30;
/** Days a day's counts are kept (TTL), defined beside the counter they ride on. */
export { USAGE_RETENTION_DAYS } from './token-budget';
/** Partition keys per day of the admin ranking's index. Readers and writers must agree. */
export const USAGE_INDEX_SHARDS = 16;
/** The largest budget an admin may set (tokens). */
export const MAX_BUDGET_TOKENS = 1_000_000_000_000;


/** One user's counts of one UTC day. */
export interface DayUsage {
  readonly day: string;
  readonly requests: number;
  readonly replies: number;
  readonly modelCalls: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly toolCalls: number;
}

/** A day as stored, with the budget's own token count (what the limits are measured in). */
export interface StoredDayUsage extends DayUsage {
  readonly tokens: number;
}

/** What one reply adds to its day (the reply itself counts one). */
export interface ReplyTally {
  readonly modelCalls: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly toolCalls: number;
}

/** An admin's override of a user's limits; a null field means the deployment's default. */
export interface BudgetOverride {
  readonly dailyTokens: number | null;
  readonly monthlyTokens: number | null;
}

/** A user's usage days and budget override, in that user's partition (reached with their credentials). */
export interface UsageStore {
  /** The recorded days from `from` to `to` (inclusive, `YYYY-MM-DD`); days without a record are left out. */
  days(userId: string, from: string, to: string): Promise<StoredDayUsage[]>;
  override(userId: string): Promise<BudgetOverride | null>;
  /** Stores the override; null (or both fields null) removes it. */
  setOverride(userId: string, override: BudgetOverride | null, meta: { setBy: string; setAt: string }): Promise<void>;
}

/** Counts one request in its user's day (beside the rate limiter's counter). */
export interface RequestCounter {
  countRequest(userId: string, day: string): Promise<void>;
}

/** One user's row of a day in the admin ranking's index. */
export interface UsageIndexRow {
  readonly userId: string;
  readonly tokens: number;
  readonly replies: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
}

export interface UsageIndex {
  /** Every user active on `day` (all shards, in no order). */
  day(day: string): Promise<UsageIndexRow[]>;
}

