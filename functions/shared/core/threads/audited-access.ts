// The one place a thread access attempt is audited, allowed or denied (DESIGN invariant 7).
// Every transport (REST, SSE, WebSocket, ChatKit) runs its thread operations through this helper,
// so enumeration detection can be layered on top of it without touching the use cases.
import type { AuditAction, AuditLog, RequestOrigin } from '../audit';
import { DomainError, ForbiddenError, MissingScopeError, THREAD_NOT_FOUND_MESSAGE } from '../errors';
import { isAddressableId, MAX_ID_LENGTH } from '../ids';
import { decide, type Action } from '../policy';
import type { Principal } from '../principal';
import { truncateText } from '../text';

export interface ThreadAccess {
  readonly principal: Principal;
  readonly origin: RequestOrigin;
}

export interface AuditTarget {
  readonly threadId: string | null;
  /** Whose partition is addressed; the caller's own unless an admin support read. */
  readonly ownerId?: string;
}

/**
 * Runs `fn` and records one audit event: `allowed` when it returns, `denied` (reason = the error
 * code) when it throws a domain error. Infrastructure failures are not decisions and are not
 * recorded here; the edge logs them.
 */
export async function auditedThreadAccess<T>(
  audit: AuditLog,
  access: ThreadAccess,
  action: AuditAction,
  target: AuditTarget,
  fn: () => Promise<T>,
  /** What an allowed change set, recorded as the event's reason (counts and names only, never content). */
  allowedReason?: (result: T) => string,
): Promise<T> {
  const base = {
    action,
    userId: access.principal.userId,
    ownerId: target.ownerId ?? access.principal.userId,
    ...access.origin,
  };
  // The id as asked for, bounded so a hostile path cannot bloat the audit trail.
  const threadId = target.threadId === null ? null : truncateText(target.threadId, MAX_ID_LENGTH);
  let result: T;
  try {
    // An id too long to be stored cannot name a thread: the usual denial, audited like any other.
    if (target.threadId !== null && !isAddressableId(target.threadId)) throw new ForbiddenError(THREAD_NOT_FOUND_MESSAGE);
    result = await fn();
  } catch (err) {
    if (err instanceof DomainError) {
      // A scope refusal says which scope; it answers the same for every id (core/enumeration.ts).
      await audit.record({ ...base, threadId, outcome: 'denied', reason: err instanceof MissingScopeError ? `missing_scope:${err.scope}` : err.code });
    }
    throw err;
  }
  await audit.record({ ...base, threadId, outcome: 'allowed', reason: allowedReason ? allowedReason(result) : null });
  return result;
}

/**
 * Refuses, audited, an exchange whose principal may not perform `action`, before any limit, stream
 * or store is touched (ChatKit write requests of a read-only caller). Allowed: records nothing, as
 * the use case that follows audits the access itself.
 */
export async function refuseUnlessAllowed(audit: AuditLog, access: ThreadAccess, action: Action, auditAction: AuditAction, target: AuditTarget): Promise<void> {
  const refusal = decide(access.principal, action);
  if (refusal) await auditedThreadAccess(audit, access, auditAction, target, () => Promise.reject(refusal));
}
