// Usage a user can see and budgets an admin can set, over the local stack: the figures GET /me/usage
// shows are what the session did through REST, SSE, WebSocket and ChatKit; the admin views show the
// same; an override takes effect on the next reply; the monthly cap refuses with Retry-After to the
// next month; bad input is 400 and a non-admin 403, both audited where an admin route was asked.
import { beforeAll, describe, expect, it } from 'vitest';
import { countWords } from '../../functions/shared/core/agent/rules-model';
import { api } from '../helpers/http';
import { baseUrl, devToken } from '../helpers/dev-tokens';
import { call, newThread, testUser, type TestUser } from '../helpers/threads';
import { sendOver, TRANSPORTS } from '../helpers/transports';
import type { components } from '../../client/api-types';

type Day = components['schemas']['DayUsage'];

const today = () => new Date().toISOString().slice(0, 10);
const usageOf = async (user: TestUser, query = '') => {
  const res = await call(user, 'GET', `/me/usage${query}`);
  expect(res.status, res.text).toBe(200);
  return res.body as { days: Day[]; budget: { limit: number; used: number; remaining: number; resetsAt: string; source: string; monthly: null | Record<string, unknown> } };
};
const budgetPath = (user: TestUser) => `/admin/users/${encodeURIComponent(user.userId)}/budget`;

describe('T28: usage and budgets', () => {
  const admin = testUser('usage-admin', ['admin']);
  beforeAll(async () => {
    expect((await call(admin, 'GET', '/me')).status).toBe(200);
  });

  it("counts what a session did over every transport, the same in the user's and the admin's views", async () => {
    const user = testUser('usage-counted');
    const threadId = await newThread(user);
    for (const transport of TRANSPORTS) {
      const outcome = await sendOver(transport, baseUrl(), user.token, threadId, `add a task: buy ${transport} milk`);
      expect(outcome, transport).toMatchObject({ ok: true });
    }
    const tasks = await call(user, 'GET', '/tasks?limit=100');
    expect(tasks.body.data).toHaveLength(4);

    const { days, budget } = await usageOf(user, '?days=3');
    expect(days.map((d) => d.day)).toEqual([0, 1, 2].map((i) => new Date(Date.parse(`${today()}T00:00:00Z`) - i * 86_400_000).toISOString().slice(0, 10)));
    const [day] = days;
    // POST /threads, one request per REST, SSE and ChatKit reply, a handshake and a frame for the
    // WebSocket reply, GET /tasks and this GET /me/usage.
    expect(day!.requests).toBe(1 + 1 + 1 + 2 + 1 + 1 + 1);
    expect(day!.replies).toBe(4);
    // Each reply: one model call that creates the task (a tool call), one that answers.
    expect(day!.toolCalls).toBe(4);
    expect(day!.modelCalls).toBe(8);
    expect(day!.inputTokens + day!.outputTokens).toBe(budget.used);
    expect(day!.outputTokens).toBeGreaterThan(0);
    expect(days.slice(1)).toEqual(days.slice(1).map((d) => ({ day: d.day, requests: 0, replies: 0, modelCalls: 0, inputTokens: 0, outputTokens: 0, toolCalls: 0 })));
    expect(budget).toMatchObject({ source: 'default', monthly: null, remaining: budget.limit - budget.used });
    // No content: the day holds counts only.
    expect(JSON.stringify(days)).not.toContain('milk');

    const history = await call(admin, 'GET', `/admin/users/${encodeURIComponent(user.userId)}/usage?days=3`);
    expect(history.status, history.text).toBe(200);
    expect(history.body).toMatchObject({ userId: user.userId, budget: { used: budget.used, source: 'default' } });
    // The admin's read is one more request of the admin's, not the user's.
    expect(history.body.days).toEqual(days);

    // The ranking of the day holds the user with the same tokens, paged by the cursor.
    const seen: { userId: string; tokens: number; replies: number; rank: number }[] = [];
    let cursor: string | null = null;
    do {
      const q: string = `?day=${today()}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = await call(admin, 'GET', `/admin/usage${q}`);
      expect(page.status, page.text).toBe(200);
      expect(page.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.data);
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen.map((r) => r.rank)).toEqual(seen.map((_, i) => i + 1));
    expect(seen.map((r) => r.tokens)).toEqual([...seen.map((r) => r.tokens)].sort((a, b) => b - a));
    expect(seen.find((r) => r.userId === user.userId)).toMatchObject({ tokens: budget.used, replies: 4 });
  });

  it("takes an admin's daily override on the user's next reply, shows its source, and returns to the default on null", async () => {
    const user = testUser('usage-override');
    const threadId = await newThread(user);
    expect(await sendOver('json', baseUrl(), user.token, threadId, 'list my tasks')).toMatchObject({ ok: true });
    const used = (await usageOf(user)).budget.used;

    const set = await call(admin, 'PUT', budgetPath(user), { dailyTokens: used, monthlyTokens: null });
    expect(set.status, set.text).toBe(200);
    expect(set.body).toMatchObject({ userId: user.userId, dailyTokens: used, monthlyTokens: null, budget: { limit: used, remaining: 0, source: 'override' } });
    expect((await call(user, 'GET', '/me')).body.budget).toMatchObject({ limit: used, source: 'override', remaining: 0 });

    const refused = await call(user, 'POST', `/threads/${threadId}/messages`, { content: 'list my tasks' });
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('budget_exceeded');
    const toMidnight = (Date.parse(`${today()}T00:00:00Z`) + 86_400_000 - Date.now()) / 1000;
    expect(Math.abs(Number(refused.headers.get('retry-after')) - toMidnight)).toBeLessThan(5);

    expect((await call(admin, 'PUT', budgetPath(user), { dailyTokens: null, monthlyTokens: null })).status).toBe(200);
    expect((await usageOf(user)).budget).toMatchObject({ source: 'default', monthly: null });
    expect(await sendOver('json', baseUrl(), user.token, threadId, 'list my tasks')).toMatchObject({ ok: true });

    // Each change is in the audit trail with the values set.
    const audit = await call(admin, 'GET', `/admin/audit?userId=${encodeURIComponent(admin.userId)}&limit=100`);
    const sets = audit.body.data.filter((e: { action: string; ownerId: string }) => e.action === 'admin.budget.set' && e.ownerId === user.userId);
    expect(sets.map((e: { outcome: string; reason: string }) => [e.outcome, e.reason])).toEqual([
      ['allowed', 'dailyTokens=default monthlyTokens=default'],
      ['allowed', `dailyTokens=${used} monthlyTokens=default`],
    ]);
  });

  it('refuses a reply once the monthly cap is reached: 429 budget_exceeded with Retry-After to the next UTC month', async () => {
    const user = testUser('usage-monthly');
    const threadId = await newThread(user);
    expect(await sendOver('sse', baseUrl(), user.token, threadId, 'list my tasks')).toMatchObject({ ok: true });
    const used = (await usageOf(user)).budget.used;
    expect(used).toBeGreaterThan(countWords('list my tasks'));

    expect((await call(admin, 'PUT', budgetPath(user), { monthlyTokens: used })).status).toBe(200);
    const { budget } = await usageOf(user);
    const now = new Date();
    const nextMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
    expect(budget.monthly).toEqual({ limit: used, used, remaining: 0, resetsAt: nextMonth.toISOString(), source: 'override' });
    expect(budget.source).toBe('default');

    for (const transport of ['json', 'websocket'] as const) {
      expect(await sendOver(transport, baseUrl(), user.token, threadId, 'list my tasks'), transport).toMatchObject({ ok: false, code: 'budget_exceeded' });
    }
    const refused = await call(user, 'POST', `/threads/${threadId}/messages`, { content: 'list my tasks' });
    expect(refused.status).toBe(429);
    expect(refused.body.error).toEqual({ code: 'budget_exceeded', message: 'Monthly token budget exceeded' });
    expect(Math.abs(Number(refused.headers.get('retry-after')) - (nextMonth.getTime() - Date.now()) / 1000)).toBeLessThan(5);
    // Nothing was spent by the refusals.
    expect((await usageOf(user)).budget.used).toBe(used);
  });

  it('accepts an unknown user id (the override applies when they first appear)', async () => {
    const later = testUser('usage-not-yet');
    const set = await call(admin, 'PUT', budgetPath(later), { dailyTokens: 7, monthlyTokens: 1000 });
    expect(set.status, set.text).toBe(200);
    expect((await call(later, 'GET', '/me')).body.budget).toMatchObject({ limit: 7, source: 'override', monthly: { limit: 1000, source: 'override' } });
  });

  it("refuses a user's first reply of the day when an admin set their daily budget to 0", async () => {
    const user = testUser('usage-zero');
    const threadId = await newThread(user);
    expect((await call(admin, 'PUT', budgetPath(user), { dailyTokens: 0 })).status).toBe(200);
    const refused = await call(user, 'POST', `/threads/${threadId}/messages`, { content: 'list my tasks' });
    expect(refused.status, refused.text).toBe(429);
    expect(refused.body.error.code).toBe('budget_exceeded');
    expect((await usageOf(user)).days[0]).toMatchObject({ replies: 0, inputTokens: 0, outputTokens: 0 });
  });

  it("keeps an admin's budget override through the user's account deletion and new sign-in", async () => {
    const user = testUser('usage-leaver');
    expect((await call(admin, 'PUT', budgetPath(user), { dailyTokens: 0 })).status).toBe(200);
    const gone = await call(user, 'DELETE', '/me', { confirm: user.userId });
    expect(gone.status, gone.text).toBe(202);
    // The same sub signs in again (a token issued after the deletion): the override still holds
    let fresh = user;
    for (let i = 0; i < 50 && (await call(fresh, 'GET', '/me')).status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 100)); // a token of a later second than the sign-out
      fresh = { ...user, token: devToken(user.sub) };
    }
    expect((await call(fresh, 'GET', '/me')).body.budget).toMatchObject({ limit: 0, source: 'override' });
    const threadId = await newThread(fresh);
    expect((await call(fresh, 'POST', `/threads/${threadId}/messages`, { content: 'list my tasks' })).status).toBe(429);
  });

  it.each([
    ['a negative number', { dailyTokens: -1, monthlyTokens: null }],
    ['a fraction', { dailyTokens: 1.5, monthlyTokens: null }],
    ['more than 10^12', { dailyTokens: null, monthlyTokens: 1e12 + 1 }],
    ['a string', { dailyTokens: '100', monthlyTokens: null }],
    ['an unknown field', { dailyTokens: 1, monthlyTokens: null, weeklyTokens: 5 }],
    ['not an object', [1, 2]],
  ])('refuses a budget with %s: 400 bad_request', async (_kind, body) => {
    const res = await call(admin, 'PUT', budgetPath(testUser('usage-bad')), body);
    expect(res.status, res.text).toBe(400);
    expect(res.body.error.code).toBe('bad_request');
  });

  it.each(['?days=0', '?days=91', '?days=abc', '?days=1.5', '?days=-3', '?other=1'])('refuses GET /me/usage%s: 400', async (query) => {
    const res = await call(testUser('usage-q'), 'GET', `/me/usage${query}`);
    expect(res.status, res.text).toBe(400);
    expect(res.body.error.code).toBe('bad_request');
  });

  it.each(['?day=2026-02-30', '?day=today', '?limit=0', '?limit=101', '?cursor=forged.sig'])('refuses GET /admin/usage%s: 400', async (query) => {
    const res = await call(admin, 'GET', `/admin/usage${query}`);
    expect(res.status, res.text).toBe(400);
    expect(res.body.error.code).toBe('bad_request');
  });

  it('refuses a non-admin on every admin usage route with 403 admin_only, audited, and reads or changes nothing', async () => {
    const user = testUser('usage-nosy');
    const victim = testUser('usage-victim');
    const routes: [string, string, unknown?][] = [
      ['GET', `/admin/usage?day=${today()}`],
      ['GET', `/admin/users/${encodeURIComponent(victim.userId)}/usage`],
      ['PUT', budgetPath(victim), { dailyTokens: 0, monthlyTokens: 0 }],
      // Refused before its (bad) input is read.
      ['PUT', budgetPath(victim), { dailyTokens: -5 }],
    ];
    for (const [method, path, body] of routes) {
      const res = await call(user, method, path, body);
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body.error.code).toBe('admin_only');
    }
    expect((await call(victim, 'GET', '/me')).body.budget).toMatchObject({ source: 'default' });
    const audit = await call(admin, 'GET', `/admin/audit?userId=${encodeURIComponent(user.userId)}&limit=100`);
    expect(audit.body.data.filter((e: { outcome: string; reason: string }) => e.outcome === 'denied' && e.reason === 'admin_only').map((e: { action: string }) => e.action).sort()).toEqual([
      'admin.budget.set',
      'admin.budget.set',
      'admin.usage.read',
      'admin.usage.read',
    ]);
  });

  it("refuses an admin's API key: admin routes need the admin's token", async () => {
    const key = await call(admin, 'POST', '/api-keys', { name: 'usage-admin-key' });
    expect(key.status, key.text).toBe(201);
    const res = await api(baseUrl(), 'GET', '/admin/usage', { apiKey: key.body.key });
    expect(res.status).toBe(403);
  });
});
