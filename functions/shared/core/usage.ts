// Usage a user can see and budgets an admin can set. What is recorded, per user and UTC day, in the
// user's own partition (`USER#<tenant>` / `TOKENS#<day>`, the token budget's own counter): requests,
// replies, model calls, input and output tokens, tool calls. Counts only, never content. The counts
// ride on writes the request already makes: a reply's tally goes into the token budget's last
// settle of that reply (one UpdateItem), a request adds one `ADD requests :one` beside its rate
// counter. The admin ranking of a day reads a sharded day index (`USAGE_DAY#<day>#<shard>`, one row
// per user, the shard fixed by the user's id), written once per reply, so no key takes every
// user's writes (docs/architecture.md, "Usage and budgets").
//
// An admin reads another user's usage and sets their budget only after the audited decision
// (policy `admin.usage.read`, `admin.budget.set`); the stores then reach that user's partition with
// that user's scoped credentials, never the admin's.
import * as z from 'zod';
import type { AuditLog } from './audit';
import { signCursor, verifyCursor } from './cursor';
import { ValidationError } from './errors';
import { authorize } from './policy';
import type { Clock, Deferred, MessageSigner } from './ports';
import { isPossibleUserId, type Principal } from './principal';
import { auditedThreadAccess, type ThreadAccess } from './threads/audited-access';
import type { BudgetStatus, TokenBudget } from './token-budget';
import { DEFAULT_USAGE_DAYS, MAX_BUDGET_TOKENS, MAX_USAGE_DAYS, type BudgetOverride, type DayUsage, type UsageIndex, type UsageIndexRow, type UsageStore } from './usage-counts';

export * from './usage-counts';

const DAY_MS = 86_400_000;

export interface UsageDeps {
  readonly usage: UsageStore;
  readonly index: UsageIndex;
  readonly budget: TokenBudget;
  readonly audit: AuditLog;
  readonly clock: Clock;
  readonly cursorSigner: () => Promise<MessageSigner>;
}

export const utcDay = (at: Date): string => at.toISOString().slice(0, 10);

/** `YYYY-MM-DD` that is a real calendar day. */
export const daySchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a day, YYYY-MM-DD')
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && utcDay(new Date(`${d}T00:00:00Z`)) === d, 'must be a day, YYYY-MM-DD');

/** A whole number from query text, documented as the integer it means (typed clients take a number). */
const queryInt = (min: number, max: number, d: number) =>
  z
    .string()
    .regex(/^\d{1,3}$/, `must be a whole number from ${min} to ${max}`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `must be a whole number from ${min} to ${max}`)
    .meta({
      override: ({ jsonSchema }: { jsonSchema: Record<string, unknown> }) => {
        delete jsonSchema.pattern;
        Object.assign(jsonSchema, { type: 'integer', minimum: min, maximum: max, default: d });
      },
    });

/** `?days=N`: 1..90, default 30. */
export const usageDaysQuerySchema = z.strictObject({
  days: queryInt(1, MAX_USAGE_DAYS, DEFAULT_USAGE_DAYS)
    .optional()
    .transform((n) => n ?? DEFAULT_USAGE_DAYS),
});

/** `GET /admin/usage?day&limit&cursor`. */
export const adminUsageQuerySchema = z.strictObject({
  day: daySchema.optional().meta({ description: 'The UTC day, `YYYY-MM-DD`; default today.' }),
  limit: queryInt(1, 100, 20)
    .optional()
    .transform((n) => n ?? 20),
  cursor: z.string().min(1).max(2048).optional(),
});

const budgetTokens = z
  .number()
  .int('must be a whole number')
  .min(0, 'must not be negative')
  .max(MAX_BUDGET_TOKENS, 'must be at most 10^12')
  .nullable()
  .optional()
  .transform((n) => n ?? null);

/** `PUT /admin/users/{userId}/budget`: each field a token count, or null (or left out) for the default; nothing else. */
export const budgetBodySchema = z.strictObject({ dailyTokens: budgetTokens, monthlyTokens: budgetTokens });

const zero = (day: string): DayUsage => ({ day, requests: 0, replies: 0, modelCalls: 0, inputTokens: 0, outputTokens: 0, toolCalls: 0 });

/** The last `days` UTC days up to today, newest first, days without activity as zeros. */
export async function usageHistory(usage: UsageStore, userId: string, now: Date, days: number): Promise<DayUsage[]> {
  const today = utcDay(now);
  const from = utcDay(new Date(Date.parse(`${today}T00:00:00Z`) - (days - 1) * DAY_MS));
  const stored = new Map((await usage.days(userId, from, today)).map((d) => [d.day, d]));
  return Array.from({ length: days }, (_, i) => {
    const day = utcDay(new Date(Date.parse(`${today}T00:00:00Z`) - i * DAY_MS));
    const d = stored.get(day);
    return d ? { day, requests: d.requests, replies: d.replies, modelCalls: d.modelCalls, inputTokens: d.inputTokens, outputTokens: d.outputTokens, toolCalls: d.toolCalls } : zero(day);
  });
}

export interface UsageReport {
  readonly days: DayUsage[];
  readonly budget: BudgetStatus;
}

/** `GET /me/usage`: the caller's own days and the budget in force. */
export async function myUsage(deps: Pick<UsageDeps, 'usage' | 'budget' | 'clock'>, principal: Principal, query: Deferred<{ days: number }>): Promise<UsageReport> {
  authorize(principal, 'usage.read');
  const { days } = query();
  const [history, budget] = await Promise.all([usageHistory(deps.usage, principal.userId, deps.clock.now(), days), deps.budget.status(principal)]);
  return { days: history, budget };
}

const ownerIdOf = (userId: string): string => {
  if (!isPossibleUserId(userId)) throw new ValidationError('userId: too long or not well-formed Unicode');
  return userId;
};

/** `GET /admin/users/{userId}/usage`: one user's days and budget, audited. */
export function adminUserUsage(deps: UsageDeps, access: ThreadAccess, userId: string, query: Deferred<{ days: number }>): Promise<UsageReport & { userId: string }> {
  return auditedThreadAccess(deps.audit, access, 'admin.usage.read', { threadId: null, ownerId: userId }, async () => {
    authorize(access.principal, 'admin.usage.read');
    const ownerId = ownerIdOf(userId);
    const { days } = query();
    const [history, budget] = await Promise.all([usageHistory(deps.usage, ownerId, deps.clock.now(), days), deps.budget.statusOf(ownerId)]);
    return { userId: ownerId, days: history, budget };
  });
}

export interface RankedUser extends UsageIndexRow {
  readonly rank: number;
}

const rankBinding = (admin: Principal, day: string) => JSON.stringify(['admin-usage', admin.userId, day]);
/** Most tokens first; ties by user id, so pages are stable. */
const before = (a: UsageIndexRow, b: UsageIndexRow) => b.tokens - a.tokens || (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0);

/** `GET /admin/usage`: users ranked by the day's tokens, a page at a time (keyset cursor bound to admin and day), audited. */
export function adminDayUsage(
  deps: UsageDeps,
  access: ThreadAccess,
  query: Deferred<{ day?: string; limit: number; cursor?: string }>,
): Promise<{ day: string; data: RankedUser[]; nextCursor: string | null }> {
  return auditedThreadAccess(deps.audit, access, 'admin.usage.read', { threadId: null }, async () => {
    authorize(access.principal, 'admin.usage.read');
    const q = query();
    const day = q.day ?? utcDay(deps.clock.now());
    const signer = await deps.cursorSigner();
    const bind = rankBinding(access.principal, day);
    let after: { tokens: number; userId: string; rank: number } | null = null;
    if (q.cursor !== undefined) {
      const p = verifyCursor(signer, bind, q.cursor);
      if (typeof p.t !== 'number' || typeof p.u !== 'string' || typeof p.r !== 'number') throw new ValidationError('Invalid cursor');
      after = { tokens: p.t, userId: p.u, rank: p.r };
    }
    const rows = (await deps.index.day(day)).sort(before);
    const from = after ? rows.findIndex((r) => before(r, { ...after, replies: 0, inputTokens: 0, outputTokens: 0 }) > 0) : 0;
    const start = from < 0 ? rows.length : from;
    const page = rows.slice(start, start + q.limit);
    const firstRank = after ? after.rank + 1 : 1;
    const data = page.map((r, i) => ({ rank: firstRank + i, ...r }));
    const last = data[data.length - 1];
    const more = start + q.limit < rows.length;
    return { day, data, nextCursor: more && last ? signCursor(signer, bind, { t: last.tokens, u: last.userId, r: last.rank }) : null };
  });
}

/** `PUT /admin/users/{userId}/budget`: the override in force from the user's next reply, audited with the values set. */
export async function setUserBudget(
  deps: Pick<UsageDeps, 'usage' | 'budget' | 'audit' | 'clock'>,
  access: ThreadAccess,
  userId: string,
  body: Deferred<BudgetOverride>,
): Promise<{ userId: string; dailyTokens: number | null; monthlyTokens: number | null; budget: BudgetStatus }> {
  // The decision and the values are recorded before the override is written: a change the audit
  // trail does not know about cannot happen (a failed write leaves an event with no change, not the reverse).
  const { ownerId, override } = await auditedThreadAccess(
    deps.audit,
    access,
    'admin.budget.set',
    { threadId: null, ownerId: userId },
    async () => {
      authorize(access.principal, 'admin.budget.set');
      return { ownerId: ownerIdOf(userId), override: body() };
    },
    // What is set goes into the audit event (counts only), so a budget change can be traced.
    ({ override: o }) => `dailyTokens=${o.dailyTokens ?? 'default'} monthlyTokens=${o.monthlyTokens ?? 'default'}`,
  );
  const none = override.dailyTokens === null && override.monthlyTokens === null;
  await deps.usage.setOverride(ownerId, none ? null : override, { setBy: access.principal.userId, setAt: deps.clock.now().toISOString() });
  return { userId: ownerId, ...override, budget: await deps.budget.statusOf(ownerId) };
}
