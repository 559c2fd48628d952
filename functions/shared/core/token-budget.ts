// Per-user daily model-token budget (input + output tokens as the provider reports them). Checked
// before a reply starts; the reply's tokens are added when it ends (success or failure: the provider
// was used either way). Days are UTC. The counter is a port: the DynamoDB adapter adds atomically,
// so concurrent replies on any number of instances all count. A reply that starts under the budget
// runs to its end, so the budget can be overrun by the replies in flight when it runs out (each
// bounded by the tool-round limit and by the per-minute reply rate limit).
import { BudgetExceededError } from './errors';
import type { Clock } from './ports';
import type { Principal } from './principal';

export interface TokenCounter {
  /** Tokens counted for (userId, day), 0 when none. */
  used(userId: string, day: string): Promise<number>;
  /** Adds atomically; the counter expires at `expiresAt` (epoch seconds). */
  add(userId: string, day: string, tokens: number, expiresAt: number): Promise<void>;
}

export interface BudgetStatus {
  readonly limit: number;
  readonly used: number;
  readonly remaining: number;
  /** ISO time of the next reset (the next UTC midnight). */
  readonly resetsAt: string;
}

export interface TokenBudget {
  status(principal: Principal): Promise<BudgetStatus>;
  /** @throws BudgetExceededError (429 `budget_exceeded`, Retry-After to the reset) when nothing is left. */
  assertAvailable(principal: Principal): Promise<BudgetStatus>;
  charge(principal: Principal, tokens: number): Promise<void>;
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
    async assertAvailable(principal) {
      const s = await status(principal);
      if (s.remaining > 0) return s;
      const retryAfter = Math.max(1, Math.ceil((Date.parse(s.resetsAt) - deps.clock.now().getTime()) / 1000));
      throw new BudgetExceededError(retryAfter);
    },
    async charge(principal, tokens) {
      if (!(tokens > 0)) return;
      const { day, resetsAt } = budgetDay(deps.clock.now());
      // Kept a day past its end, so /me on a slow clock still finds it.
      await deps.counter.add(principal.userId, day, Math.ceil(tokens), Math.floor(resetsAt.getTime() / 1000) + DAY_SECONDS);
    },
  };
}
