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
import { BudgetExceededError } from './errors';
import type { Clock } from './ports';
import type { Principal } from './principal';

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
  /** Adds a finished call's `tokens` and releases its `held` amount. */
  settle(userId: string, day: string, held: number, tokens: number, expiresAt: number): Promise<void>;
}

export interface BudgetStatus {
  readonly limit: number;
  readonly used: number;
  readonly remaining: number;
  /** ISO time of the next reset (the next UTC midnight). */
  readonly resetsAt: string;
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
  /** Ends the reply (success or failure: the provider was used either way) with its total tokens; once. */
  settle(spent: number): Promise<void>;
}

export interface TokenBudget {
  status(principal: Principal): Promise<BudgetStatus>;
  /**
   * Starts a reply, holding for its first model call.
   * @throws BudgetExceededError (429 `budget_exceeded`): Retry-After to the reset when the day's tokens
   * are used up, or a few seconds when replies in flight hold the rest.
   */
  startReply(principal: Principal): Promise<ReplyBudget>;
}

const DAY_SECONDS = 86_400;

export function budgetDay(now: Date): { day: string; resetsAt: Date } {
  const day = now.toISOString().slice(0, 10);
  return { day, resetsAt: new Date(Date.parse(`${day}T00:00:00Z`) + DAY_SECONDS * 1000) };
}

const whole = (tokens: number) => Math.max(0, Math.ceil(tokens || 0));

export function createTokenBudget(deps: { counter: TokenCounter; clock: Clock; dailyLimit: number; maxReplyTokens: number }): TokenBudget {
  const status = async (principal: Principal): Promise<BudgetStatus> => {
    const { day, resetsAt } = budgetDay(deps.clock.now());
    const used = await deps.counter.used(principal.userId, day);
    return { limit: deps.dailyLimit, used, remaining: Math.max(0, deps.dailyLimit - used), resetsAt: resetsAt.toISOString() };
  };
  return {
    status,
    async startReply(principal) {
      const now = deps.clock.now();
      // The reply's own day throughout, even when it ends after midnight.
      const { day, resetsAt } = budgetDay(now);
      // Kept a day past its end, so /me on a slow clock still finds it.
      const expiresAt = Math.floor(resetsAt.getTime() / 1000) + DAY_SECONDS;
      let held = 0; // the hold of the call in flight (0: none)
      let charged = 0; // the reply's tokens already added to the day
      let ended = false;
      const release = async (spent: number) => {
        const tokens = whole(spent) - charged;
        if (held === 0 && tokens <= 0) return;
        await deps.counter.settle(principal.userId, day, held, Math.max(0, tokens), expiresAt);
        charged += Math.max(0, tokens);
        held = 0;
      };
      const holdNext = async (spent: number): Promise<{ stop: BudgetStop | null; used: number }> => {
        const room = deps.maxReplyTokens - whole(spent);
        if (room <= 0) return { stop: 'reply_limit', used: 0 };
        const result = await deps.counter.hold(principal.userId, day, room, deps.dailyLimit, expiresAt);
        if (!result.held) return { stop: 'day_limit', used: result.used };
        held = room;
        return { stop: null, used: result.used };
      };
      const first = await holdNext(0);
      if (first.stop) {
        const toReset = Math.max(1, Math.ceil((resetsAt.getTime() - now.getTime()) / 1000));
        throw new BudgetExceededError(first.used >= deps.dailyLimit ? toReset : Math.min(IN_FLIGHT_RETRY_SECONDS, toReset));
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
        async settle(spent) {
          if (ended) return;
          ended = true;
          await release(spent);
        },
      };
    },
  };
}
