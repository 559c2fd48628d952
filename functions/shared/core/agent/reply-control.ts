// What a client can do with a reply once it started, from any connection: read its state, resume its
// events after the last one it saw (then follow it live until it ends), and stop it. Each is one
// audited thread access: the thread must be the caller's (the usual 403 otherwise), and an item
// that is not a reply of that thread is `404 not_found`.
import type { AuditLog } from '../audit';
import { ConflictError, NotFoundError } from '../errors';
import { authorize } from '../policy';
import { auditedThreadAccess, type ThreadAccess } from '../threads/audited-access';
import type { ThreadStore } from '../threads/thread';
import { threadNotFound } from '../threads/thread-use-cases';
import type { ReplyDeps } from './reply';
import { FOLLOW_INTERVAL_MS, type NumberedEvent, type ReplyLog, type ReplyState, type ReplyStatus } from './reply-log';

export { REPLY_STATUSES } from './reply-log';

export interface ReplyControlDeps {
  readonly threads: (principal: ThreadAccess['principal']) => ThreadStore;
  readonly replies: (principal: ThreadAccess['principal']) => ReplyLog;
  readonly audit: AuditLog;
  /** Resolves after `ms` (tests may pass a faster clock). */
  readonly wait?: (ms: number) => Promise<void>;
}

export interface ReplyRef {
  readonly threadId: string;
  readonly itemId: string;
}

/** What `GET …/events` answers without `Accept: text/event-stream`, and what a cancel answers. */
export interface ReplyProgress {
  readonly status: ReplyStatus;
  readonly lastEventId: number;
}

/** How long a cancel waits to see the reply stop (it is seen within about a second wherever it runs). */
export const CANCEL_WAIT_MS = 5_000;
const CANCEL_POLL_MS = 100;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const progress = (s: ReplyState): ReplyProgress => ({ status: s.status, lastEventId: s.lastEventId });
/** A reply that ended on its own before the cancel could stop it: nothing to stop. */
function refuseEnded(state: ReplyState): void {
  if (state.status === 'done' || state.status === 'failed') throw new ConflictError(`The reply has already ${state.status === 'done' ? 'finished' : 'failed'}`);
}
const noSuchReply = () => new NotFoundError('No reply with this id in this thread (a reply can be resumed for at least 10 minutes after it ends)');

/** The caller may read the thread, it is the caller's, and the reply is one of its replies: its state. Audited as a thread read. */
async function replyOfThread(deps: ReplyControlDeps, access: ThreadAccess, ref: ReplyRef): Promise<ReplyState> {
  return auditedThreadAccess(deps.audit, access, 'thread.read', { threadId: ref.threadId }, async () => {
    authorize(access.principal, 'threads.read');
    if (!(await deps.threads(access.principal).get(ref.threadId))) throw threadNotFound();
    const state = await deps.replies(access.principal).state(ref.threadId, ref.itemId);
    if (!state) throw noSuchReply();
    return state;
  });
}

export async function replyProgress(deps: ReplyControlDeps, access: ThreadAccess, ref: ReplyRef): Promise<ReplyProgress> {
  return progress(await replyOfThread(deps, access, ref));
}

/**
 * The reply's events after `after` (0: all of them), then the rest as the reply makes them, until
 * it ends: a finished reply replays and ends at once. A failed reply ends with its error event.
 */
export async function followReply(
  deps: ReplyControlDeps,
  access: ThreadAccess,
  ref: ReplyRef,
  after: number,
  /** Epoch ms: the stream ends here even if the reply runs on (the client resumes again from its last id). */
  deadlineAt = Infinity,
): Promise<AsyncIterable<NumberedEvent>> {
  await replyOfThread(deps, access, ref);
  const log = deps.replies(access.principal);
  const wait = deps.wait ?? sleep;
  return (async function* follow() {
    let seen = after;
    for (;;) {
      // The state before the events: once it says ended, the events read after it are all there are.
      const state = await log.state(ref.threadId, ref.itemId);
      for (const e of await log.eventsAfter(ref.threadId, ref.itemId, seen)) {
        seen = e.id;
        yield e;
      }
      if (!state || (state.status !== 'running' && seen >= state.lastEventId)) return;
      if (Date.now() + FOLLOW_INTERVAL_MS >= deadlineAt) return;
      await wait(FOLLOW_INTERVAL_MS);
    }
  })();
}

/**
 * The client of a ChatKit stream went away before its reply ended. ChatKit's server protocol stops
 * the reply then (its Stop button closes the stream; the reference server keeps what was said), so
 * the reply is asked to stop as a cancel asks, without waiting: it sees the request at its next
 * batch and ends cancelled. The request that opened the reply was allowed to post in the thread and
 * audited; a reply that has ended is left as it is. A failed request is reported to `onLogFault`
 * and the reply runs to its end, as if its client had stayed.
 */
export async function stopLeftReply(deps: Pick<ReplyDeps, 'replies' | 'onLogFault'>, access: ThreadAccess, ref: ReplyRef): Promise<void> {
  authorize(access.principal, 'messages.write');
  try {
    await deps.replies(access.principal).requestCancel(ref.threadId, ref.itemId);
  } catch (err) {
    deps.onLogFault(err);
  }
}

/**
 * Stops a running reply, wherever it runs: answers once it has stopped (`cancelled`), or
 * `running` if it has not within CANCEL_WAIT_MS (it still stops). A repeated cancel answers the
 * same; a reply that finished first is `409 conflict`. Needs the right to post messages.
 */
export async function cancelReply(
  deps: ReplyControlDeps,
  access: ThreadAccess,
  ref: ReplyRef,
  /** Epoch ms: answer `running` from here on rather than outlive the request. */
  deadlineAt = Infinity,
): Promise<ReplyProgress> {
  const log = deps.replies(access.principal);
  const asked = await auditedThreadAccess(deps.audit, access, 'thread.write', { threadId: ref.threadId }, async () => {
    authorize(access.principal, 'messages.write');
    if (!(await deps.threads(access.principal).get(ref.threadId))) throw threadNotFound();
    const state = await log.requestCancel(ref.threadId, ref.itemId);
    if (!state) throw noSuchReply();
    refuseEnded(state);
    return state;
  });
  const wait = deps.wait ?? sleep;
  let state: ReplyState | null = asked;
  const until = Math.min(Date.now() + CANCEL_WAIT_MS, deadlineAt);
  while (state?.status === 'running' && Date.now() + CANCEL_POLL_MS < until) {
    await wait(CANCEL_POLL_MS);
    state = await log.state(ref.threadId, ref.itemId);
  }
  if (!state) throw noSuchReply(); // its thread was deleted meanwhile
  refuseEnded(state); // it finished before it saw the cancel: nothing was stopped
  return progress(state);
}
