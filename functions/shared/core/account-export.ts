// Account export (GET /me/export): everything the caller owns, as one JSON document written as it
// is read, so an account of any size leaves in bounded memory. Any caller may export their own
// account (a guest reads what they can read); the request is audited before the first byte.
import type { ApiKeyView } from './api-keys';
import type { AuditEvent, AuditLog, RequestOrigin } from './audit';
import { MissingScopeError } from './errors';
import { decide } from './policy';
import type { Clock } from './ports';
import type { Principal } from './principal';
import type { Task } from './tasks/task';
import { publicThread, type Item, type Thread } from './threads/thread';

/** The document's `format`; a change of shape gets a new one. */
export const EXPORT_FORMAT = 'threadguard.export.v1';
/** Audit events of this many days are exported (the audit trail's default retention). */
export const EXPORT_AUDIT_DAYS = 90;
/** Chunks are gathered up to this size before they are written (fewer, larger stream writes). */
const CHUNK_BYTES = 64 * 1024;

export interface ExportProfile {
  readonly userId: string;
  readonly email: string | null;
  readonly roles: readonly string[];
  readonly authMethod: Principal['authMethod'];
  readonly createdAt: string;
}

/** One thread and its items, oldest first; `items` is read as the consumer goes. */
export interface ExportedThread {
  readonly thread: Thread;
  readonly items: AsyncIterable<Item>;
}

/** The caller's data, read page by page (adapters decide the paging; nothing here holds a whole list but tasks and keys, which are capped). */
export interface AccountExportSource {
  profile(): Promise<ExportProfile>;
  /** Every live thread, oldest first, each with its items. */
  threads(): AsyncIterable<ExportedThread>;
  /** At most MAX_TASKS_PER_USER. */
  tasks(): Promise<readonly Task[]>;
  /** Metadata only (never a key or its hash); at most MAX_API_KEYS_PER_USER. */
  apiKeys(): Promise<readonly ApiKeyView[]>;
  /** The caller's own events at or after `since`, newest first. */
  auditEvents(since: Date): AsyncIterable<AuditEvent>;
}

export interface AccountExportDeps {
  readonly source: (principal: Principal) => AccountExportSource;
  readonly audit: AuditLog;
  readonly clock: Clock;
}

const json = (value: unknown): string => JSON.stringify(value);

/**
 * Records the export, then returns the document as chunks of JSON text. The root object closes
 * only with its last chunk, so a stream cut short never parses as a complete export.
 */
export async function exportAccount(deps: AccountExportDeps, principal: Principal, origin: RequestOrigin): Promise<AsyncIterable<string>> {
  const event = { action: 'account.export', userId: principal.userId, ownerId: principal.userId, threadId: null, ...origin } as const;
  // A refusal (a key without a read scope) is audited like every other scope refusal.
  const refusal = decide(principal, 'account.export');
  if (refusal) {
    await deps.audit.record({ ...event, outcome: 'denied', reason: refusal instanceof MissingScopeError ? `missing_scope:${refusal.scope}` : refusal.code });
    throw refusal;
  }
  const source = deps.source(principal);
  const now = deps.clock.now();
  await deps.audit.record({ ...event, outcome: 'allowed', reason: null });
  return gathered(documentParts(source, now));
}

/** A JSON array written element by element. */
async function* array<T>(elements: AsyncIterable<T> | Iterable<T>, render: (e: T) => AsyncIterable<string> | string): AsyncGenerator<string> {
  yield '[';
  let first = true;
  for await (const e of elements) {
    if (!first) yield ',';
    first = false;
    const out = render(e);
    if (typeof out === 'string') yield out;
    else yield* out;
  }
  yield ']';
}

async function* threadParts({ thread, items }: ExportedThread): AsyncGenerator<string> {
  const head = json(publicThread(thread));
  yield `${head.slice(0, -1)},"items":`; // the thread object, reopened for its items
  yield* array(items, json);
  yield '}';
}

async function* documentParts(source: AccountExportSource, now: Date): AsyncGenerator<string> {
  const since = new Date(now.getTime() - EXPORT_AUDIT_DAYS * 86_400_000);
  yield `{"format":${json(EXPORT_FORMAT)},"exportedAt":${json(now.toISOString())},"profile":${json(await source.profile())},"threads":`;
  yield* array(source.threads(), threadParts);
  yield `,"tasks":`;
  yield* array(await source.tasks(), json);
  yield `,"apiKeys":`;
  yield* array(await source.apiKeys(), json);
  yield `,"auditEvents":`;
  yield* array(source.auditEvents(since), json);
  yield `,"complete":true}`;
}

/** Joins small parts into chunks of about CHUNK_BYTES; the first part goes at once (the client sees the export start). */
async function* gathered(parts: AsyncIterable<string>): AsyncGenerator<string> {
  let buffer = '';
  let first = true;
  for await (const part of parts) {
    buffer += part;
    if (first || buffer.length >= CHUNK_BYTES) {
      first = false;
      yield buffer;
      buffer = '';
    }
  }
  if (buffer) yield buffer;
}
