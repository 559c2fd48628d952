// Enumeration detection (THREATS T2), as a decorator over the AuditLog port: every denied thread
// access is counted per user and window; past the threshold, one `security.enumeration_suspected`
// event per user and window is recorded and the alarm metric is emitted.
import type { AuditAction, AuditLog, AuditRecord } from './audit';
import type { Clock } from './ports';

/** Denials of these actions count towards the threshold (thread access attempts on any transport). */
export const THREAD_ACCESS_ACTIONS: ReadonlySet<AuditAction> = new Set<AuditAction>([
  'thread.read',
  'thread.write',
  'thread.delete',
  'thread.message',
  'admin.thread.read',
]);

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
      if (event.outcome !== 'denied' || !THREAD_ACCESS_ACTIONS.has(event.action)) return deps.inner.record(event);
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
        reason: `more than ${deps.settings.threshold} denied thread accesses within ${deps.settings.windowMinutes} minutes`,
      });
      deps.onSuspected(event.userId);
    },
  };
}
