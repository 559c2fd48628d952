// Enumeration detection (THREATS T2), as a decorator over the AuditLog port: every denial that names
// a resource another user could own is counted per user and window; past the threshold, one `security.enumeration_suspected`
// event per user and window is recorded and the alarm metric is emitted.
import type { AuditAction, AuditLog, AuditRecord } from './audit';
import type { Clock } from './ports';

/** Thread access attempts on any transport. */
export const THREAD_ACCESS_ACTIONS: ReadonlySet<AuditAction> = new Set<AuditAction>([
  'thread.read',
  'thread.write',
  'thread.delete',
  'thread.message',
  'admin.thread.read',
]);

/** Key changes that name a key id (a create names none). */
const KEY_ACTIONS: ReadonlySet<AuditAction> = new Set<AuditAction>(['apikey.disable', 'apikey.enable', 'apikey.revoke']);

/** Refusals for the caller's role or key scopes: they answer the same for every id, so they reveal nothing and probe nothing. */
const ROLE_REFUSALS: ReadonlySet<string> = new Set(['read_only', 'admin_only']);
const isRoleRefusal = (reason: string | null) => reason !== null && (ROLE_REFUSALS.has(reason) || reason.startsWith('missing_scope:'));

/**
 * Whether a denial could be a probe for someone else's resource: it names a thread (or item) or key
 * id and was refused because that id is not the caller's. A guest's refused `POST /threads` names
 * nothing, so any number of them raises no alarm (THREATS T18).
 */
export function countsTowardsEnumeration(event: AuditRecord): boolean {
  if (event.outcome !== 'denied') return false;
  if (THREAD_ACCESS_ACTIONS.has(event.action)) return event.threadId !== null && !isRoleRefusal(event.reason);
  // Key events carry `keyId=<id>`; an id that is not even a key id shape names nothing.
  if (KEY_ACTIONS.has(event.action)) return event.reason !== null && event.reason.startsWith('keyId=') && event.reason !== 'keyId=invalid';
  return false;
}

export interface DenialCounter {
  /** Atomically adds one denial for (userId, window); returns the window's count after it. */
  addDenial(userId: string, windowStart: number, expiresAt: number): Promise<number>;
  /** Marks (userId, window) as flagged; true only for the one caller that set the mark first. */
  markFlagged(userId: string, windowStart: number, expiresAt: number): Promise<boolean>;
}

export interface EnumerationSettings {
  /** More denials than this within one window raise the flag. @default 20 */
  readonly threshold: number;
  /** @default 5 */
  readonly windowMinutes: number;
}

export interface EnumerationDetectorDeps {
  readonly inner: AuditLog;
  readonly counter: DenialCounter;
  readonly clock: Clock;
  readonly settings: EnumerationSettings;
  /** Called once per flagged (user, window): emits the metric the CloudWatch alarm watches. */
  readonly onSuspected: (userId: string) => void;
}

export const ENUMERATION_ACTION: AuditAction = 'security.enumeration_suspected';

export function withEnumerationDetection(deps: EnumerationDetectorDeps): AuditLog {
  const windowSeconds = deps.settings.windowMinutes * 60;
  return {
    async record(event: AuditRecord): Promise<void> {
      if (!countsTowardsEnumeration(event)) return deps.inner.record(event);
      const nowSeconds = Math.floor(deps.clock.now().getTime() / 1000);
      const windowStart = nowSeconds - (nowSeconds % windowSeconds);
      const expiresAt = windowStart + 2 * windowSeconds;
      // Independent writes, so side by side rather than one after the other on the response path.
      const [, count] = await Promise.all([deps.inner.record(event), deps.counter.addDenial(event.userId, windowStart, expiresAt)]);
      if (count <= deps.settings.threshold) return;
      // Every denial past the threshold tries the mark; the conditional write lets exactly one through.
      if (!(await deps.counter.markFlagged(event.userId, windowStart, expiresAt))) return;
      await deps.inner.record({
        action: ENUMERATION_ACTION,
        userId: event.userId,
        ownerId: null,
        threadId: null,
        outcome: 'denied',
        ip: event.ip,
        userAgent: event.userAgent,
        requestId: event.requestId,
        reason: `more than ${deps.settings.threshold} denied accesses to threads or keys within ${deps.settings.windowMinutes} minutes`,
      });
      deps.onSuspected(event.userId);
    },
  };
}
