// The daily token budget under concurrent replies against DynamoDB Local (THREATS T23): every model
// call holds what it may spend before it runs, so however many replies race, the day's total goes
// past the budget by less than one model call's tokens; a reply stopped by the budget ends with a
// short notice and keeps what it said (core/token-budget.ts).
import { describe, expect, it } from 'vitest';
import { DynamoDbTokenCounter } from '../../functions/shared/adapters/token-counter';
import { singleClient } from '../../functions/shared/adapters/tenant-clients';
import { openReply } from '../../functions/shared/core/agent/reply';
import { BudgetExceededError } from '../../functions/shared/core/errors';
import { BUDGET_LIMIT_NOTE, REPLY_LIMIT_NOTE, createTokenBudget } from '../../functions/shared/core/token-budget';
import type { ModelStreamEvent } from '../../functions/shared/core/agent/model-port';
import { uniqueUser } from '../helpers/dev-tokens';
import { localDb } from '../helpers/local-db';
import { origin, replyHarness, scriptedModel, user } from '../helpers/reply-harness';

/** Every call of the model: some text, a tool call (so the loop goes on), and `tokens` reported. */
const PER_CALL = 3_000;
const busyTurn = (n: number): ModelStreamEvent[] => [
  { type: 'text', delta: `step ${n}. ` },
  { type: 'tool_call', call: { id: `c${n}`, name: 'list_tasks', arguments: '{}' } },
  { type: 'usage', inputTokens: PER_CALL - 100, outputTokens: 100 },
  { type: 'end', stopReason: 'tool_use' },
];

function harness(dailyTokens: number, maxReplyTokens: number) {
  let calls = 0;
  const model = scriptedModel([() => busyTurn(++calls)]);
  const h = replyHarness(model, { now: '2030-02-01T12:00:00Z' });
  const { client, tableName } = localDb();
  const counter = new DynamoDbTokenCounter(singleClient(client), tableName);
  const deps = { ...h.deps, budget: createTokenBudget({ counter, clock: h.clock, dailyLimit: dailyTokens, maxReplyTokens }) };
  return { h, deps, counter, calls: () => calls };
}

describe('T23 token budget under concurrency (DynamoDB Local)', () => {
  it('ten racing replies spend at most the budget plus one model call, and stopped replies keep what they said', async () => {
    const DAILY = 40_000;
    const { h, deps, counter, calls } = harness(DAILY, 20_000);
    const alice = user(uniqueUser('budget-race'));
    h.threadsOf(alice.userId).addThread('t1');
    const run = async () => {
      try {
        const reply = await openReply(deps, { access: { principal: alice, origin }, target: { threadId: 't1' }, content: 'go on' });
        return { refused: false, text: (await reply.collect()).assistantMessage.content };
      } catch (err) {
        if (err instanceof BudgetExceededError) return { refused: true, text: '' };
        throw err;
      }
    };
    // Waves of ten concurrent replies until the day is used up (each reply would run six calls, 18,000 tokens).
    const results: Array<{ refused: boolean; text: string }> = [];
    for (let wave = 0; wave < 4; wave++) results.push(...(await Promise.all(Array.from({ length: 10 }, run))));

    const used = await counter.used(alice.userId, '2030-02-01');
    expect(used).toBeGreaterThanOrEqual(DAILY);
    expect(used).toBeLessThanOrEqual(DAILY + PER_CALL);
    expect(used).toBe(calls() * PER_CALL);
    expect(results.some((r) => r.refused)).toBe(true);
    const stopped = results.filter((r) => r.text.endsWith(BUDGET_LIMIT_NOTE));
    expect(stopped.length).toBeGreaterThan(0);
    for (const r of stopped) expect(r.text.startsWith('step ')).toBe(true); // what was said is kept
    // The next reply is refused before it reaches the model.
    const before = calls();
    expect((await run()).refused).toBe(true);
    expect(calls()).toBe(before);
  });

  it('stops one reply at AGENT_MAX_REPLY_TOKENS with a short notice, keeping its text', async () => {
    const { h, deps, counter, calls } = harness(1_000_000, 7_000);
    const bob = user(uniqueUser('reply-cap'));
    h.threadsOf(bob.userId).addThread('t1');
    const reply = await openReply(deps, { access: { principal: bob, origin }, target: { threadId: 't1' }, content: 'go on' });
    const { assistantMessage } = await reply.collect();
    // 3,000 + 3,000 spent, 1,000 left: a third call (at least 3,000) would not fit.
    expect(calls()).toBe(2);
    expect(assistantMessage.content).toBe(`step 1. step 2. ${REPLY_LIMIT_NOTE}`);
    expect(await counter.used(bob.userId, '2030-02-01')).toBe(6_000);
  });
});
