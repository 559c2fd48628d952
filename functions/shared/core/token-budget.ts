// Per-user daily model-token budget (input + output tokens as the provider reports them). A reply
// is admitted by holding REPLY_HOLD_TOKENS, atomically and only while the day's tokens plus the holds
// of replies in flight are below the limit; when it ends (success or failure: the provider was used
// either way) its tokens are added and the hold released. So "a reply runs while anything is left"
// counts the replies already running: concurrent replies cannot all start on the same last tokens,
// and the overrun is bounded by what one reply spends beyond its hold. Days are UTC.
import { BudgetExceededError } from './errors';
import type { Clock } from './ports';
import type { Principal } from './principal';

/** What a reply holds while it runs: a typical reply's tokens (history, tools and answer). */
export const REPLY_HOLD_TOKENS = 4_000;
/** Retry-After when only replies in flight fill the budget: they end within seconds. */
export const IN_FLIGHT_RETRY_SECONDS = 5;

export interface TokenCounter {
  /** Tokens counted for (userId, day), 0 when none. */
  used(userId: string, day: string): Promise<number>;
  /**
   * Holds `amount` while the day's tokens plus the amounts held are below `limit` (one atomic
   * check and add); the counter expires at `expiresAt` (epoch seconds). `used`: the day's tokens.
   */
  hold(userId: string, day: string, amount: number, limit: number, expiresAt: number): Promise<{ held: boolean; used: number }>;
  /** Adds a finished reply's `tokens` and releases its `held` amount. */
  settle(userId: string, day: string, held: number, tokens: number, expiresAt: number): Promise<void>;
}

export interface BudgetStatus {
  readonly limit: number;
  readonly used: number;
  readonly remaining: number;
  /** ISO time of the next reset (the next UTC midnight). */
  readonly resetsAt: string;
}

/** A running reply's hold on the budget; settled once, with the tokens it used. */
export interface BudgetHold {
  settle(tokens: number): Promise<void>;
}

export interface TokenBudget {
  status(principal: Principal): Promise<BudgetStatus>;
  /**
   * Holds the budget for one reply.
   * @throws BudgetExceededError (429 `budget_exceeded`): Retry-After to the reset when the day's tokens
   * are used up, or a few seconds when replies in flight hold the rest.
   */
  hold(principal: Principal): Promise<BudgetHold>;
}

const DAY_SECONDS = 86_400;

export function budgetDay(now: Date): { day: string; resetsAt: Date } {
  const day = now.toISOString().slice(0, 10);
  return { day, resetsAt: new Date(Date.parse(`${day}T00:00:00Z`) + DAY_SECONDS * 1000) };
}

export function createTokenBudget(deps: { counter: TokenCounter; clock: Clock; dailyLimit: number }): TokenBudget {
  const status = async (principal: Principal): Promise<BudgetStatus> => {
    const { day, resetsAt } = budgetDay(deps.clock.now());
    const used = await deps.counter.used(principal.userId, day);
    return { limit: deps.dailyLimit, used, remaining: Math.max(0, deps.dailyLimit - used), resetsAt: resetsAt.toISOString() };
  };
  return {
    status,
    async hold(principal) {
      const now = deps.clock.now();
      const { day, resetsAt } = budgetDay(now);
      // Kept a day past its end, so /me on a slow clock still finds it.
      const expiresAt = Math.floor(resetsAt.getTime() / 1000) + DAY_SECONDS;
      const result = await deps.counter.hold(principal.userId, day, REPLY_HOLD_TOKENS, deps.dailyLimit, expiresAt);
      if (!result.held) {
        const toReset = Math.max(1, Math.ceil((resetsAt.getTime() - now.getTime()) / 1000));
        throw new BudgetExceededError(result.used >= deps.dailyLimit ? toReset : Math.min(IN_FLIGHT_RETRY_SECONDS, toReset));
      }
      let settled = false;
      return {
        async settle(tokens) {
          if (settled) return;
          settled = true;
          // The reply's own day, even when it ends after midnight.
          await deps.counter.settle(principal.userId, day, REPLY_HOLD_TOKENS, Math.max(0, Math.ceil(tokens || 0)), expiresAt);
        },
      };
    },
  };
}
