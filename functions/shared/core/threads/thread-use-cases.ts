// Thread use cases for the caller's own partition, and the admin support reads. Each one is a
// single audited access; the stores are built per principal so no use case can name a foreign key.
import type { AuditLog } from '../audit';
import type { CursorCodec, CursorScope } from '../cursor';
import { ForbiddenError, THREAD_NOT_FOUND_MESSAGE } from '../errors';
import type { IdGenerator } from '../ids';
import { authorize } from '../policy';
import type { Clock, Deferred } from '../ports';
import type { Principal } from '../principal';
import { auditedThreadAccess, type ThreadAccess } from './audited-access';
import {
  EMPTY_MEMORY,
  publicThread,
  type Item,
  type Metadata,
  type Order,
  type Thread,
  type ThreadPatch,
  type ThreadReader,
  type ThreadStore,
} from './thread';

export interface ThreadDeps {
  readonly threads: (principal: Principal) => ThreadStore;
  /** A reader of `ownerId`'s partition, for an admin the use case has authorized (`admin.read`). */
  readonly adminReader: (ownerId: string) => ThreadReader;
  readonly cursors: CursorCodec;
  readonly audit: AuditLog;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  /** Copies of a thread's content kept elsewhere (Idempotency-Key records), deleted with the thread. */
  readonly forgetCopies?: (userId: string, threadId: string) => Promise<void>;
}

export interface ListPage<T> {
  readonly data: T[];
  readonly nextCursor: string | null;
}

export interface PageRequest {
  readonly limit: number;
  readonly cursor: string | null;
}

export const DEFAULT_THREAD_TITLE = 'New thread';

export const threadNotFound = () => new ForbiddenError(THREAD_NOT_FOUND_MESSAGE);

export function createThread(
  deps: ThreadDeps,
  access: ThreadAccess,
  input: { title?: string | undefined; metadata?: Metadata | undefined },
): Promise<Thread> {
  return newThread(deps, access, input, 'threads.write');
}

/** The thread a first message opens (ChatKit's threads.create): posting a message is what is asked. */
export function createThreadForMessage(deps: ThreadDeps, access: ThreadAccess, input: { title?: string | undefined }): Promise<Thread> {
  return newThread(deps, access, input, 'messages.write');
}

function newThread(
  deps: ThreadDeps,
  access: ThreadAccess,
  input: { title?: string | undefined; metadata?: Metadata | undefined },
  action: 'threads.write' | 'messages.write',
): Promise<Thread> {
  const id = deps.ids.next();
  return auditedThreadAccess(deps.audit, access, 'thread.write', { threadId: id }, async () => {
    authorize(access.principal, action);
    const now = deps.clock.now().toISOString();
    const record = {
      id,
      title: input.title ?? DEFAULT_THREAD_TITLE,
      metadata: input.metadata ?? {},
      createdAt: now,
      updatedAt: now,
      agentMemory: EMPTY_MEMORY,
    };
    await deps.threads(access.principal).create(record);
    return publicThread(record);
  });
}

export function listThreads(deps: ThreadDeps, access: ThreadAccess, page: PageRequest): Promise<ListPage<Thread>> {
  return auditedThreadAccess(deps.audit, access, 'thread.read', { threadId: null }, async () => {
    authorize(access.principal, 'threads.read');
    return readThreads(deps, access.principal.userId, deps.threads(access.principal), page);
  });
}

export function getThread(deps: ThreadDeps, access: ThreadAccess, threadId: string): Promise<Thread> {
  return auditedThreadAccess(deps.audit, access, 'thread.read', { threadId }, async () => {
    authorize(access.principal, 'threads.read');
    return publicThread(await requireThread(deps.threads(access.principal), threadId));
  });
}

export function updateThread(deps: ThreadDeps, access: ThreadAccess, threadId: string, patch: ThreadPatch): Promise<Thread> {
  return auditedThreadAccess(deps.audit, access, 'thread.write', { threadId }, async () => {
    authorize(access.principal, 'threads.write');
    const updated = await deps.threads(access.principal).update(threadId, patch, deps.clock.now().toISOString());
    if (!updated) throw threadNotFound();
    return publicThread(updated);
  });
}

export function deleteThread(deps: ThreadDeps, access: ThreadAccess, threadId: string): Promise<void> {
  return auditedThreadAccess(deps.audit, access, 'thread.delete', { threadId }, async () => {
    authorize(access.principal, 'threads.write');
    if (!(await deps.threads(access.principal).delete(threadId))) throw threadNotFound();
    await deps.forgetCopies?.(access.principal.userId, threadId);
  });
}

export function listItems(
  deps: ThreadDeps,
  access: ThreadAccess,
  threadId: string,
  page: PageRequest & { order: Order },
): Promise<ListPage<Item>> {
  return auditedThreadAccess(deps.audit, access, 'thread.read', { threadId }, async () => {
    authorize(access.principal, 'threads.read');
    return readItems(deps, access.principal.userId, deps.threads(access.principal), threadId, page);
  });
}

/** An admin's reader of `ownerId`'s partition: the decision first, inside the audit, before the query is read. */
function adminReader(deps: ThreadDeps, access: ThreadAccess, ownerId: string): ThreadReader {
  authorize(access.principal, 'admin.read');
  return deps.adminReader(ownerId);
}

export function adminListThreads(deps: ThreadDeps, access: ThreadAccess, ownerId: string, page: Deferred<PageRequest>): Promise<ListPage<Thread>> {
  return auditedThreadAccess(deps.audit, access, 'admin.thread.read', { threadId: null, ownerId }, async () => {
    const reader = adminReader(deps, access, ownerId);
    return readThreads(deps, access.principal.userId, reader, page(), ownerId);
  });
}

export function adminGetThread(deps: ThreadDeps, access: ThreadAccess, ownerId: string, threadId: string): Promise<Thread> {
  return auditedThreadAccess(deps.audit, access, 'admin.thread.read', { threadId, ownerId }, async () =>
    publicThread(await requireThread(adminReader(deps, access, ownerId), threadId)),
  );
}

export function adminListItems(
  deps: ThreadDeps,
  access: ThreadAccess,
  ownerId: string,
  threadId: string,
  page: Deferred<PageRequest & { order: Order }>,
): Promise<ListPage<Item>> {
  return auditedThreadAccess(deps.audit, access, 'admin.thread.read', { threadId, ownerId }, async () => {
    const reader = adminReader(deps, access, ownerId);
    return readItems(deps, access.principal.userId, reader, threadId, page(), ownerId);
  });
}

async function requireThread(reader: ThreadReader, threadId: string) {
  const thread = await reader.get(threadId);
  if (!thread) throw threadNotFound();
  return thread;
}

async function readThreads(
  deps: ThreadDeps,
  userId: string,
  reader: ThreadReader,
  page: PageRequest,
  ownerId?: string,
): Promise<ListPage<Thread>> {
  const scope: CursorScope = { userId, ownerId, list: 'threads' };
  const after = page.cursor === null ? null : deps.cursors.decode(scope, page.cursor);
  const res = await reader.list(page.limit, after);
  return {
    data: res.data.map(publicThread),
    nextCursor: res.lastKey === null ? null : deps.cursors.encode(scope, res.lastKey),
  };
}

async function readItems(
  deps: ThreadDeps,
  userId: string,
  reader: ThreadReader,
  threadId: string,
  page: PageRequest & { order: Order },
  ownerId?: string,
): Promise<ListPage<Item>> {
  const scope: CursorScope = { userId, ownerId, list: 'items', threadId, order: page.order };
  const after = page.cursor === null ? null : deps.cursors.decode(scope, page.cursor);
  const res = await reader.listItems(threadId, { limit: page.limit, order: page.order, after });
  // Items are only ever written with their thread, so a non-empty page proves the thread is here;
  // an empty one costs a second read to tell "empty thread" from "not yours".
  if (res.data.length === 0) await requireThread(reader, threadId);
  return {
    data: res.data,
    nextCursor: res.lastKey === null ? null : deps.cursors.encode(scope, res.lastKey),
  };
}
