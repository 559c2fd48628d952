// Account deletion (DELETE /me): the caller's own account, with a user token, confirmed by naming
// their user id. The content key goes first (crypto-shredding: whatever copy of the content
// survives the erase, a backup, a stray record, is unreadable from then on), then every token
// issued so far stops working and open WebSocket connections close, then the rows go, for at most ERASE_BUDGET_MS per request. Each step
// is idempotent, so a deletion that failed or ran out of time finishes when repeated.
import type { AuditLog, RequestOrigin } from './audit';
import type { ContentCipher } from './content-cipher';
import { ValidationError } from './errors';
import { authorize } from './policy';
import type { Clock, Deferred } from './ports';
import type { Principal } from './principal';
import type { SessionStore } from './sessions';
import type { UserConnections } from './sign-out';

/** Removes every row of a user but the session record (which keeps refusing their old tokens). */
export interface AccountEraser {
  /** Erases page by page until done or until `until` has passed; @returns whether nothing is left. */
  eraseAll(userId: string, until: Date): Promise<boolean>;
}

/** How long one request erases before it answers (a buffered function answers 503 itself at 25 s). */
export const ERASE_BUDGET_MS = 15_000;

export interface DeleteAccountDeps {
  readonly cipher: Pick<ContentCipher, 'destroyUserKey'>;
  readonly sessions: Pick<SessionStore, 'signOut'>;
  /** The user's open WebSocket connections, closed at once (not at their next frame). */
  readonly connections: UserConnections;
  readonly eraser: AccountEraser;
  readonly audit: AuditLog;
  readonly clock: Clock;
}

/**
 * @throws ForbiddenError for an API key (only a user token deletes an account)
 * @throws ValidationError when `confirm` is not the caller's user id
 */
export async function deleteAccount(deps: DeleteAccountDeps, principal: Principal, origin: RequestOrigin, confirmation: Deferred<unknown>): Promise<{ complete: boolean }> {
  authorize(principal, 'account.delete');
  if (confirmation() !== principal.userId) throw new ValidationError('confirm must be your user id (as GET /me shows it)');
  const { userId } = principal;
  await deps.cipher.destroyUserKey(userId);
  await deps.sessions.signOut(userId, Math.floor(deps.clock.now().getTime() / 1000));
  // Before the erase: closing finds them through the connection records the erase removes.
  await deps.connections.closeAll(userId);
  const complete = await deps.eraser.eraseAll(userId, new Date(deps.clock.now().getTime() + ERASE_BUDGET_MS));
  await deps.audit.record({ action: 'account.deleted', userId, ownerId: userId, threadId: null, outcome: 'allowed', ...origin, reason: complete ? null : 'erase_continues' });
  return { complete };
}
