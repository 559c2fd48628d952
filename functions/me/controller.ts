// GET /me: the caller's profile, created in their own partition on first call, their daily
// model-token budget and the thread retention in force. POST /me/sign-out: ends every session of the
// caller's tokens issued up to now (core/sign-out.ts). DELETE /me: deletes the caller's account
// (core/account.ts). GET /me/usage: the caller's usage days and budget (core/usage.ts).
import * as z from 'zod';
import type { ProfileStore } from '../shared/adapters/profile-store';
import { deleteAccount, type DeleteAccountDeps } from '../shared/core/account';
import type { AuditLog } from '../shared/core/audit';
import type { Principal } from '../shared/core/principal';
import { signOut, type SignOutDeps } from '../shared/core/sign-out';
import type { TokenBudget } from '../shared/core/token-budget';
import { myUsage, usageDaysQuerySchema, type UsageStore } from '../shared/core/usage';
import { ok, type RouteControllers } from '../shared/lambda/http-handler';
import { jsonBody, requirePrincipal } from '../shared/lambda/http-request';
import { parse, threadAccessOf } from '../shared/lambda/validation';

export interface MeDeps extends SignOutDeps {
  readonly profiles: (p: Principal) => ProfileStore;
  readonly budget: TokenBudget;
  readonly usage: UsageStore;
  readonly audit: AuditLog;
  readonly account: DeleteAccountDeps;
  /** THREAD_RETENTION_DAYS in force (null: threads are kept until deleted). */
  readonly retentionDays: number | null;
}

/** `POST /me/sign-out` body (optional): revoke the keys the ended sessions created. */
export const signOutBodySchema = z.strictObject({ revokeKeysCreatedBefore: z.boolean().optional() });

/** `confirm` of a JSON object body; anything else is a missing confirm (400 from the use case). */
const confirmOf = (body: unknown): unknown => (body && typeof body === 'object' ? (body as { confirm?: unknown }).confirm : undefined);

export function meRoutes(deps: MeDeps): RouteControllers {
  return {
    'GET /me': async (req) => {
      const principal = requirePrincipal(req);
      const [profile, budget] = await Promise.all([deps.profiles(principal).getOrCreate(), deps.budget.status(principal)]);
      return ok({ ...profile, budget, retentionDays: deps.retentionDays });
    },
    'GET /me/usage': async (req) => ok(await myUsage(deps, requirePrincipal(req), () => parse(usageDaysQuerySchema, req.query, 'Invalid query'))),
    'POST /me/sign-out': async (req) => {
      const { principal, origin } = threadAccessOf(req);
      const body = parse(signOutBodySchema, jsonBody(req));
      return ok(await signOut(deps, principal, origin, { revokeKeysCreatedBefore: body.revokeKeysCreatedBefore === true }));
    },
    'DELETE /me': async (req) => {
      const { principal, origin } = threadAccessOf(req);
      const { complete } = await deleteAccount(deps.account, principal, origin, () => (req.rawBody ? confirmOf(jsonBody(req)) : undefined));
      return { statusCode: 202, body: { status: complete ? 'deleted' : 'deleting' } };
    },
  };
}
