// The audit trail's shape and port. Every thread access attempt, allowed or denied, is one event.

export const AUDIT_ACTIONS = [
  'thread.read',
  'thread.write',
  'thread.delete',
  'thread.message',
  'admin.thread.read',
  'apikey.create',
  'apikey.disable',
  'apikey.enable',
  'apikey.revoke',
  'admin.apikey.disable',
  'admin.usage.read',
  'admin.budget.set',
  'session.sign_out',
  'account.deleted',
  'account.export',
  'security.enumeration_suspected',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditEvent {
  readonly id: string;
  readonly at: string;
  readonly action: AuditAction;
  /** The actor. */
  readonly userId: string;
  /** Whose partition was addressed; differs from userId only for admin support reads. */
  readonly ownerId: string | null;
  readonly threadId: string | null;
  readonly outcome: 'allowed' | 'denied';
  readonly ip: string;
  readonly userAgent: string;
  readonly requestId: string;
  readonly reason: string | null;
}

/** Where the request came from; the transports fill it in. */
export interface RequestOrigin {
  readonly ip: string;
  readonly userAgent: string;
  readonly requestId: string;
}

export type AuditRecord = Omit<AuditEvent, 'id' | 'at'>;

export interface AuditLog {
  /** Durably records one event (never a token or key in any field). */
  record(event: AuditRecord): Promise<void>;
}

/** A position in an audit listing; built and read only by the audit reader (never a raw table key). */
export type AuditPosition = Readonly<Record<string, string>>;

export interface AuditPage {
  readonly events: AuditEvent[];
  readonly next: AuditPosition | null;
}

export interface AuditReader {
  /** Newest first; `actorId` null lists every actor's events. */
  list(query: { actorId: string | null; limit: number; after: AuditPosition | null }): Promise<AuditPage>;
}
