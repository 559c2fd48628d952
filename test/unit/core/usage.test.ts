// Usage and budgets in core: the monthly cap (refusal with Retry-After to the next month, and holds
// narrowed to what the month has left), overrides and their source, the day ranking's keyset pages
// (ties, ranks, cursors bound to the admin and day), the history's zero days, and the budget body's
// rules.
import { describe, expect, it } from 'vitest';
import type { AuditLog } from '../../../functions/shared/core/audit';
import { BudgetExceededError } from '../../../functions/shared/core/errors';
import type { Principal } from '../../../functions/shared/core/principal';
import { createTokenBudget } from '../../../functions/shared/core/token-budget';
import {
  adminDayUsage,
  setUserBudget,
  budgetBodySchema,
  usageDaysQuerySchema,
  usageHistory,
  type BudgetOverride,
  type StoredDayUsage,
  type UsageDeps,
  type UsageIndexRow,
  type UsageStore,
} from '../../../functions/shared/core/usage';
import { InMemoryTokenCounter } from '../../fakes/in-memory-token-counter';
import { hmacSigner } from '../../../functions/shared/adapters/node-crypto';

const alice: Principal = { userId: 'iss:alice', roles: ['user'], authMethod: 'jwt', keyId: null, readOnly: false, email: null };
const admin: Principal = { ...alice, userId: 'iss:admin', roles: ['admin'] };
const origin = { ip: '203.0.113.1', userAgent: 'test', requestId: 'r1' };
const day = (d: string, tokens: number): StoredDayUsage => ({ day: d, tokens, requests: 1, replies: 1, modelCalls: 1, inputTokens: tokens, outputTokens: 0, toolCalls: 0 });

/** Days and overrides in memory; `days` reads the counter's days too, as the table holds both on one item. */
function memoryUsage(counter: InMemoryTokenCounter, earlier: StoredDayUsage[] = []): UsageStore & { overrides: Map<string, BudgetOverride> } {
  const overrides = new Map<string, BudgetOverride>();
  return {
    overrides,
    async days(userId, from, to) {
      const today = [...counter.counts].filter(([k]) => k.startsWith(`${userId}|`)).map(([k, t]) => day(k.split('|')[1]!, t));
      return [...earlier, ...today].filter((d) => d.day >= from && d.day <= to);
    },
    async override(userId) {
      return overrides.get(userId) ?? null;
    },
    async setOverride(userId, o) {
      if (o) overrides.set(userId, o);
      else overrides.delete(userId);
    },
  };
}

describe('token budget with overrides and a monthly cap', () => {
  const clock = { now: () => new Date('2026-03-31T23:00:00Z') };

  it('refuses a reply once the month is used up, with Retry-After to the next UTC month, and says so in the status', async () => {
    const counter = new InMemoryTokenCounter();
    const usage = memoryUsage(counter, [day('2026-03-02', 600), day('2026-02-27', 10_000)]);
    const budget = createTokenBudget({ counter, clock, dailyLimit: 100_000, maxReplyTokens: 1_000, monthlyLimit: 600, usage });
    const err = await budget.startReply(alice).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BudgetExceededError);
    expect(err).toMatchObject({ retryAfterSeconds: 3600, message: 'Monthly token budget exceeded' });
    expect((await budget.status(alice)).monthly).toEqual({ limit: 600, used: 600, remaining: 0, resetsAt: '2026-04-01T00:00:00.000Z', source: 'default' });
  });

  it("narrows the day's holds to what the month has left, so a reply stops there", async () => {
    const counter = new InMemoryTokenCounter();
    const usage = memoryUsage(counter, [day('2026-03-02', 500)]);
    usage.overrides.set(alice.userId, { dailyTokens: null, monthlyTokens: 800 });
    const budget = createTokenBudget({ counter, clock, dailyLimit: 100_000, maxReplyTokens: 1_000, usage });
    const reply = await budget.startReply(alice);
    // The first call spent 300: the month (500 + 300) is at its cap, the next call is not made.
    expect(await reply.nextCall(300)).toBe('day_limit');
    await reply.settle(300);
    await expect(budget.startReply(alice)).rejects.toMatchObject({ message: 'Monthly token budget exceeded' });
  });

  it('takes the daily override and names its source; without one, the default', async () => {
    const counter = new InMemoryTokenCounter();
    const usage = memoryUsage(counter);
    const budget = createTokenBudget({ counter, clock, dailyLimit: 100_000, maxReplyTokens: 1_000, usage });
    expect(await budget.status(alice)).toMatchObject({ limit: 100_000, source: 'default', monthly: null });
    usage.overrides.set(alice.userId, { dailyTokens: 0, monthlyTokens: null });
    expect(await budget.status(alice)).toMatchObject({ limit: 0, remaining: 0, source: 'override', monthly: null });
    // A fresh day (no counter yet) with a limit of 0: refused all the same.
    await expect(budget.startReply(alice)).rejects.toMatchObject({ code: 'budget_exceeded', message: 'Daily token budget exceeded', retryAfterSeconds: 3600 });
  });
});

describe('usage history', () => {
  it('lists the last N UTC days newest first, days without a record as zeros', async () => {
    const counter = new InMemoryTokenCounter();
    const usage = memoryUsage(counter, [day('2026-03-30', 42), day('2026-03-01', 7)]);
    const days = await usageHistory(usage, alice.userId, new Date('2026-03-31T12:00:00Z'), 3);
    expect(days.map((d) => [d.day, d.inputTokens])).toEqual([
      ['2026-03-31', 0],
      ['2026-03-30', 42],
      ['2026-03-29', 0],
    ]);
  });
});

describe('the admin ranking of a day', () => {
  const rows: UsageIndexRow[] = [
    { userId: 'c', tokens: 50, replies: 1, inputTokens: 40, outputTokens: 10 },
    { userId: 'a', tokens: 100, replies: 2, inputTokens: 80, outputTokens: 20 },
    { userId: 'e', tokens: 50, replies: 1, inputTokens: 40, outputTokens: 10 },
    { userId: 'b', tokens: 100, replies: 3, inputTokens: 80, outputTokens: 20 },
    { userId: 'd', tokens: 5, replies: 1, inputTokens: 4, outputTokens: 1 },
  ];
  const deps = (): UsageDeps => {
    const counter = new InMemoryTokenCounter();
    const audit: AuditLog = { record: async () => undefined };
    return {
      usage: memoryUsage(counter),
      index: { day: async () => rows.map((r) => ({ ...r })) },
      budget: createTokenBudget({ counter, clock: { now: () => new Date('2026-03-31T12:00:00Z') }, dailyLimit: 1, maxReplyTokens: 1 }),
      audit,
      clock: { now: () => new Date('2026-03-31T12:00:00Z') },
      cursorSigner: async () => hmacSigner('a-secret-of-sixteen-chars'),
    };
  };

  it('pages most tokens first, ties by user id, every user once with consecutive ranks', async () => {
    const d = deps();
    const seen: string[] = [];
    const ranks: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await adminDayUsage(d, { principal: admin, origin }, () => ({ day: '2026-03-31', limit: 2, cursor }));
      seen.push(...page.data.map((r) => r.userId));
      ranks.push(...page.data.map((r) => r.rank));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(['a', 'b', 'c', 'e', 'd']);
    expect(ranks).toEqual([1, 2, 3, 4, 5]);
  });

  it("refuses a cursor issued to another admin or for another day", async () => {
    const d = deps();
    const first = await adminDayUsage(d, { principal: admin, origin }, () => ({ day: '2026-03-31', limit: 2 }));
    const other = { ...admin, userId: 'iss:other-admin' };
    await expect(adminDayUsage(d, { principal: other, origin }, () => ({ day: '2026-03-31', limit: 2, cursor: first.nextCursor! }))).rejects.toMatchObject({ code: 'bad_request' });
    await expect(adminDayUsage(d, { principal: admin, origin }, () => ({ day: '2026-03-30', limit: 2, cursor: first.nextCursor! }))).rejects.toMatchObject({ code: 'bad_request' });
  });
});

describe('wire rules', () => {
  it.each([
    [{ dailyTokens: 0, monthlyTokens: 1e12 }, true],
    [{ dailyTokens: null }, true],
    [{}, true],
    [{ dailyTokens: -1 }, false],
    [{ dailyTokens: 2.5 }, false],
    [{ monthlyTokens: 1e12 + 1 }, false],
    [{ dailyTokens: '5' }, false],
    [{ dailyTokens: 5, extra: 1 }, false],
  ])('budget body %j: accepted %s', (body, accepted) => {
    expect(budgetBodySchema.safeParse(body).success).toBe(accepted);
  });

  it.each([
    [{}, 30],
    [{ days: '1' }, 1],
    [{ days: '90' }, 90],
  ])('days query %j means %i days', (query, days) => {
    expect(usageDaysQuerySchema.parse(query)).toEqual({ days });
  });

  it.each(['0', '91', '1.5', '-1', 'x', ''])('refuses days=%s', (days) => {
    expect(usageDaysQuerySchema.safeParse({ days }).success).toBe(false);
  });
});

describe('setUserBudget', () => {
  const clock = { now: () => new Date('2026-03-31T23:00:00Z') };
  const budgetOf = (usage: UsageStore) => createTokenBudget({ counter: new InMemoryTokenCounter(), clock, dailyLimit: 100, maxReplyTokens: 10, usage });

  it('records the decision and the values before the override is written, so no change goes unrecorded', async () => {
    const usage = memoryUsage(new InMemoryTokenCounter());
    const order: string[] = [];
    const audit: AuditLog = { record: async (r) => void order.push(`audit:${r.outcome}:${r.reason}`) };
    const store: UsageStore = { ...usage, setOverride: async (...a) => (order.push('write'), usage.setOverride(...a)) };
    await setUserBudget({ usage: store, budget: budgetOf(store), audit, clock }, { principal: admin, origin }, 'iss:alice', () => ({ dailyTokens: 0, monthlyTokens: null }));
    expect(order).toEqual(['audit:allowed:dailyTokens=0 monthlyTokens=default', 'write']);
  });

  it('writes nothing when the audit event cannot be recorded', async () => {
    const usage = memoryUsage(new InMemoryTokenCounter());
    let writes = 0;
    const store: UsageStore = { ...usage, setOverride: async (...a) => (writes++, usage.setOverride(...a)) };
    const audit: AuditLog = { record: async () => Promise.reject(new Error('audit trail unavailable')) };
    await expect(setUserBudget({ usage: store, budget: budgetOf(store), audit, clock }, { principal: admin, origin }, 'iss:alice', () => ({ dailyTokens: 5, monthlyTokens: null }))).rejects.toThrow('audit trail unavailable');
    expect(writes).toBe(0);
  });
});
