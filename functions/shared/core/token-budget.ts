// THE token budget: how a user's model tokens (input + output, as the provider reports them) are
// kept within AGENT_DAILY_TOKEN_BUDGET per UTC day, and a reply within AGENT_MAX_REPLY_TOKENS.
//
// Before every model call (each round of the agent loop) the reply holds what that call may spend:
// the rest of its own ceiling (AGENT_MAX_REPLY_TOKENS less what it spent so far). A hold is one
// atomic check-and-add on the day's counter, granted only while the day's tokens plus every hold in
// flight are below the limit; after the call its tokens are added and its hold released. So:
// - the first hold failing refuses the reply (429 `budget_exceeded`) before anything streams;
// - a later hold failing, or the reply's ceiling being spent, stops the loop: the reply ends with a
//   short notice (REPLY_LIMIT_NOTE / BUDGET_LIMIT_NOTE) and what was said is kept;
// - a call is started only while the room left in the reply's ceiling is at least what the call
//   before it spent (the history only grows), so a reply stays within AGENT_MAX_REPLY_TOKENS;
// - the day's total exceeds the limit by less than one model call's tokens: at the last granted
//   hold, tokens plus holds were below the limit, and every call in flight then spends at most its
//   hold (the rest of its reply's ceiling), except that last call itself.
// Days are UTC. The counter is a port (adapters/token-counter.ts, one conditional UpdateItem).
//
// An admin's override (core/usage.ts) replaces the daily limit for one user and may add a monthly
// cap (AGENT_MONTHLY_TOKEN_BUDGET by default); both are read when a reply starts, so a change takes
// effect on the user's next reply. The monthly cap narrows the day's hold limit to today's tokens
// plus what is left of the month, so replies in flight stay within it as they do within the day.
import { BudgetExceededError } from './errors';
import type { Clock } from './ports';
import type { Principal } from './principal';
import type { ReplyTally, UsageStore } from './usage-counts';

/**
 * Days a day's counter (and the usage counts it carries, core/usage.ts) is kept after the day ends:
 * past the longest history GET /me/usage shows (90 days), with slack for slow clocks. Here, not in
 * usage.ts, so config.ts (which every function loads) pulls in nothing of the usage use cases.
 */
export const USAGE_RETENTION_DAYS = 92;
/** A reply's ceiling when AGENT_MAX_REPLY_TOKENS is not set. */
export const DEFAULT_MAX_REPLY_TOKENS = 20_000;
/** Retry-After when only replies in flight fill the budget: they end within seconds. */
export const IN_FLIGHT_RETRY_SECONDS = 5;
/** How a reply stopped by its own ceiling ends. */
export const REPLY_LIMIT_NOTE = '\n\n(I stopped here: this reply reached its length limit. Ask me to continue.)';
/** How a reply stopped by the day's budget ends. */
export const BUDGET_LIMIT_NOTE = "\n\n(I stopped here: today's token budget is used up.)";

export interface TokenCounter {
  /** Tokens counted for (userId, day), 0 when none. */
  used(userId: string, day: string): Promise<number>;
  /**
   * Holds `amount` while the day's tokens plus the amounts held are below `limit` (one atomic
   * check and add); the counter expires at `expiresAt` (epoch seconds). `used`: the day's tokens.
   */
  hold(userId: string, day: string, amount: number, limit: number, expiresAt: number): Promise<{ held: boolean; used: number }>;
  /**
   * Adds a finished call's `tokens` and releases its `held` amount. With `tally` (the reply's last
   * settle) the same write also counts the reply in the day's usage (core/usage.ts).
   */
  settle(userId: string, day: string, held: number, tokens: number, expiresAt: number, tally?: ReplyTally): Promise<void>;
}

/** Where a limit in force comes from. */
export type LimitSource = 'default' | 'override';

export interface LimitStatus {
  readonly limit: number;
  readonly used: number;
  readonly remaining: number;
  /** ISO time of the next reset (the next UTC midnight, or the first of the next month). */
  readonly resetsAt: string;
  readonly source: LimitSource;
}

/** The daily budget in force, and the monthly cap when one applies. */
export interface BudgetStatus extends LimitStatus {
  readonly monthly: LimitStatus | null;
}

/** Why a reply may not make another model call. */
export type BudgetStop = 'reply_limit' | 'day_limit';

/** One reply's hold on the budget: one hold per model call, settled with the reply's running total. */
export interface ReplyBudget {
  /**
   * Before a model call after the first: settles the previous call with `spent` (the reply's tokens
   * so far) and holds what the next may spend. Null when it may run; otherwise why it may not.
   */
  nextCall(spent: number): Promise<BudgetStop | null>;
  /**
   * Ends the reply (success or failure: the provider was used either way) with its total tokens; once.
   * `tally` is counted in the day's usage by the same write.
   */
  settle(spent: number, tally?: ReplyTally): Promise<void>;
}

export interface TokenBudget {
  status(principal: Principal): Promise<BudgetStatus>;
  /** Another user's budget, for an admin the use case has authorized (read with that user's credentials). */
  statusOf(userId: string): Promise<BudgetStatus>;
  /**
   * Starts a reply, holding for its first model call.
   * @throws BudgetExceededError (429 `budget_exceeded`): Retry-After to the reset when the day's tokens
   * are used up (to the next month when the monthly cap is), or a few seconds when replies in flight
   * hold the rest.
   */
  startReply(principal: Principal): Promise<ReplyBudget>;
}

const DAY_SECONDS = 86_400;

export function budgetDay(now: Date): { day: string; resetsAt: Date } {
  const day = now.toISOString().slice(0, 10);
  return { day, resetsAt: new Date(Date.parse(`${day}T00:00:00Z`) + DAY_SECONDS * 1000) };
}

/** The UTC month of `now`: its first day and the first instant of the next month. */
export function budgetMonth(now: Date): { first: string; resetsAt: Date } {
  const first = `${now.toISOString().slice(0, 7)}-01`;
  return { first, resetsAt: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)) };
}

const whole = (tokens: number) => Math.max(0, Math.ceil(tokens || 0));
const secondsUntil = (at: Date, now: Date) => Math.max(1, Math.ceil((at.getTime() - now.getTime()) / 1000));

export interface TokenBudgetDeps {
  readonly counter: TokenCounter;
  readonly clock: Clock;
  /** AGENT_DAILY_TOKEN_BUDGET. */
  readonly dailyLimit: number;
  readonly maxReplyTokens: number;
  /** AGENT_MONTHLY_TOKEN_BUDGET; null or absent: no monthly cap unless an override sets one. */
  readonly monthlyLimit?: number | null;
  /** Overrides and the month's days; without it every user has the defaults and no monthly cap applies. */
  readonly usage?: Pick<UsageStore, 'override' | 'days'>;
}

interface Limits {
  readonly daily: { limit: number; source: LimitSource };
  readonly monthly: { limit: number; source: LimitSource } | null;
}

export function createTokenBudget(deps: TokenBudgetDeps): TokenBudget {
  const limitsOf = async (userId: string): Promise<Limits> => {
    const o = deps.usage ? await deps.usage.override(userId) : null;
    const daily = o?.dailyTokens != null ? { limit: o.dailyTokens, source: 'override' as const } : { limit: deps.dailyLimit, source: 'default' as const };
    const monthly =
      o?.monthlyTokens != null ? { limit: o.monthlyTokens, source: 'override' as const } : deps.monthlyLimit != null ? { limit: deps.monthlyLimit, source: 'default' as const } : null;
    return { daily, monthly };
  };
  /** The month's tokens so far (0 when no monthly cap applies: nothing is read then). */
  const monthUsed = async (userId: string, limits: Limits, now: Date): Promise<number> => {
    if (!limits.monthly || !deps.usage) return 0;
    const days = await deps.usage.days(userId, budgetMonth(now).first, budgetDay(now).day);
    return days.reduce((sum, d) => sum + d.tokens, 0);
  };
  const statusOf = async (userId: string): Promise<BudgetStatus> => {
    const now = deps.clock.now();
    const { day, resetsAt } = budgetDay(now);
    const limits = await limitsOf(userId);
    const [used, month] = await Promise.all([deps.counter.used(userId, day), monthUsed(userId, limits, now)]);
    const { daily, monthly } = limits;
    return {
      limit: daily.limit,
      used,
      remaining: Math.max(0, daily.limit - used),
      resetsAt: resetsAt.toISOString(),
      source: daily.source,
      monthly: monthly && {
        limit: monthly.limit,
        used: month,
        remaining: Math.max(0, monthly.limit - month),
        resetsAt: budgetMonth(now).resetsAt.toISOString(),
        source: monthly.source,
      },
    };
  };
  return {
    status: (principal) => statusOf(principal.userId),
    statusOf,
    async startReply(principal) {
      const now = deps.clock.now();
      // The reply's own day throughout, even when it ends after midnight.
      const { day, resetsAt } = budgetDay(now);
      const limits = await limitsOf(principal.userId);
      const month = await monthUsed(principal.userId, limits, now);
      const monthLeft = limits.monthly ? Math.max(0, limits.monthly.limit - month) : Infinity;
      if (monthLeft <= 0) throw new BudgetExceededError(secondsUntil(budgetMonth(now).resetsAt, now), 'Monthly token budget exceeded');
      // Kept for the usage history (core/usage.ts), past the longest history GET /me/usage shows.
      const expiresAt = Math.floor(resetsAt.getTime() / 1000) + USAGE_RETENTION_DAYS * DAY_SECONDS;
      // The day's limit for this reply's holds: the daily limit, narrowed by what the month has left
      // (today's tokens count in both, so today's plus the month's rest is the room).
      let dailyLimit = limits.daily.limit;
      if (Number.isFinite(monthLeft)) {
        const today = await deps.counter.used(principal.userId, day);
        dailyLimit = Math.min(dailyLimit, today + monthLeft);
      }
      const monthBound = dailyLimit < limits.daily.limit;
      let held = 0; // the hold of the call in flight (0: none)
      let charged = 0; // the reply's tokens already added to the day
      let ended = false;
      const release = async (spent: number, tally?: ReplyTally) => {
        const tokens = whole(spent) - charged;
        if (held === 0 && tokens <= 0 && !tally) return;
        await deps.counter.settle(principal.userId, day, held, Math.max(0, tokens), expiresAt, tally);
        charged += Math.max(0, tokens);
        held = 0;
      };
      const holdNext = async (spent: number): Promise<{ stop: BudgetStop | null; used: number }> => {
        const room = deps.maxReplyTokens - whole(spent);
        if (room <= 0) return { stop: 'reply_limit', used: 0 };
        const result = await deps.counter.hold(principal.userId, day, room, dailyLimit, expiresAt);
        if (!result.held) return { stop: 'day_limit', used: result.used };
        held = room;
        return { stop: null, used: result.used };
      };
      // A limit of 0 (an admin's override) refuses outright: a day without a counter yet would
      // otherwise grant the first hold, as 0 tokens are below any positive limit.
      const first = dailyLimit <= 0 ? { stop: 'day_limit' as const, used: 0 } : await holdNext(0);
      if (first.stop) {
        if (first.used >= dailyLimit && monthBound) throw new BudgetExceededError(secondsUntil(budgetMonth(now).resetsAt, now), 'Monthly token budget exceeded');
        const toReset = secondsUntil(resetsAt, now);
        throw new BudgetExceededError(first.used >= dailyLimit ? toReset : Math.min(IN_FLIGHT_RETRY_SECONDS, toReset));
      }
      return {
        async nextCall(spent) {
          if (ended) return 'reply_limit';
          const lastCall = whole(spent) - charged;
          await release(spent);
          // A call costs at least what the one before it did (the history only grows): one that
          // would not fit in the room left is not started, so the reply stays within its ceiling.
          if (deps.maxReplyTokens - whole(spent) < lastCall) return 'reply_limit';
          return (await holdNext(spent)).stop;
        },
        async settle(spent, tally) {
          if (ended) return;
          ended = true;
          await release(spent, tally);
        },
      };
    },
  };
}
