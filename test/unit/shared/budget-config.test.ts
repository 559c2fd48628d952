// AGENT_DAILY_TOKEN_BUDGET / AGENT_MAX_REPLY_TOKENS / AGENT_MONTHLY_TOKEN_BUDGET: defaults, and a
// startup error that names the variable for anything that is not a positive whole number.
import { describe, expect, it } from 'vitest';
import { loadBudgetConfig } from '../../../functions/shared/config';
import { ConfigError } from '../../../functions/shared/core/errors';

describe('loadBudgetConfig', () => {
  it('has a daily budget and no monthly cap by default', () => {
    expect(loadBudgetConfig({})).toEqual({ dailyTokenBudget: 200_000, maxReplyTokens: 20_000, monthlyTokenBudget: null });
    expect(loadBudgetConfig({ AGENT_MONTHLY_TOKEN_BUDGET: '' }).monthlyTokenBudget).toBeNull();
  });

  it('reads a monthly cap', () => {
    expect(loadBudgetConfig({ AGENT_MONTHLY_TOKEN_BUDGET: '3000000' }).monthlyTokenBudget).toBe(3_000_000);
  });

  it.each(['0', '-5', '1.5', 'lots'])('refuses AGENT_MONTHLY_TOKEN_BUDGET=%s, naming it', (value) => {
    expect(() => loadBudgetConfig({ AGENT_MONTHLY_TOKEN_BUDGET: value })).toThrow(ConfigError);
    expect(() => loadBudgetConfig({ AGENT_MONTHLY_TOKEN_BUDGET: value })).toThrow(/AGENT_MONTHLY_TOKEN_BUDGET/);
  });
});
