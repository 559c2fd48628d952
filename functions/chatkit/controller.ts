// POST /chatkit: the ChatKit server protocol over the same per-principal stores and use cases as the
// REST routes (a thread made here is listed by GET /threads and the other way round). Every refusal
// (validation, read-only, the reply limit, a thread outside the caller's partition, a retry of an
// item that is not one of its user messages) is a JSON error before any stream. `Idempotency-Key`
// applies to the requests that change something: a replayed reply is its stored exchange streamed
// again, a replayed update, delete or feedback its first answer. As in ChatKit's server protocol,
// every response stream allows a cancel, and a stream its client leaves before the reply's end
// stops the reply (the Stop button closes the stream); what was said is kept.
import { confirmReplay, openReply, type ReplyDeps, type ReplyRequest } from '../shared/core/agent/reply';
import type { AuditAction } from '../shared/core/audit';
import { truncateText } from '../shared/core/text';
import type { Item } from '../shared/core/threads/thread';
import type { Action } from '../shared/core/policy';
import {
  createThreadForMessage,
  deleteThread,
  getThread,
  listItems,
  listThreads,
  updateThread,
  type ThreadDeps,
} from '../shared/core/threads/thread-use-cases';
import { refuseUnlessAllowed, type ThreadAccess } from '../shared/core/threads/audited-access';
import { ok } from '../shared/lambda/http-handler';
import type { IdempotentRunner } from '../shared/lambda/idempotency';
import { jsonBody, type HttpRequest } from '../shared/lambda/http-request';
import { requestsDecisionOf } from '../shared/lambda/rate-limit-guard';
import { replyDeadline } from '../shared/lambda/reply-deadline';
import type { StreamingController } from '../shared/lambda/streaming-handler';
import { threadAccessOf } from '../shared/lambda/validation';
import { inputText, itemWire, parseChatKitRequest, threadWire, type ChatKitRequest, type Page, type ThreadItemWire } from './protocol';
import { STREAM_OPTIONS, streamReply } from './reply-stream';

export interface ChatKitDeps {
  readonly threadDeps: ThreadDeps;
  readonly reply: ReplyDeps;
  readonly idempotency: IdempotentRunner;
}

const DEFAULT_PAGE = 20;
const TITLE_LENGTH = 60;

const page = <T>(data: T[], nextCursor: string | null): Page<T> =>
  nextCursor ? { data, has_more: true, after: nextCursor } : { data, has_more: false };

const wireItems = (items: Item[]) => items.map(itemWire).filter((i): i is ThreadItemWire => i !== null);

/** What each request asks of the policy, and what a refusal is audited as (its REST counterpart's action). */
const REQUEST_ACTION: Readonly<Record<ChatKitRequest['type'], readonly [Action, AuditAction]>> = {
  'threads.create': ['messages.write', 'thread.write'],
  'threads.add_user_message': ['messages.write', 'thread.message'],
  'threads.retry_after_item': ['messages.write', 'thread.message'],
  'threads.update': ['threads.write', 'thread.write'],
  'threads.delete': ['threads.write', 'thread.delete'],
  'items.feedback': ['threads.write', 'thread.write'],
  'threads.get_by_id': ['threads.read', 'thread.read'],
  'threads.list': ['threads.read', 'thread.read'],
  'items.list': ['threads.read', 'thread.read'],
};

/**
 * Refused here, audited as on REST, before the reply limit, any stream or any store: a read-only
 * caller's writes, and any request outside an API key's scopes (feedback reaches no write use case
 * that would refuse it).
 */
async function refuseDisallowed(threadDeps: ThreadDeps, access: ThreadAccess, request: ChatKitRequest): Promise<void> {
  const threadId = request.params && 'thread_id' in request.params ? request.params.thread_id : null;
  const [action, auditAction] = REQUEST_ACTION[request.type];
  await refuseUnlessAllowed(threadDeps.audit, access, action, auditAction, { threadId });
}

export function chatKitRoutes(deps: ChatKitDeps): Readonly<Record<string, StreamingController>> {
  const { threadDeps } = deps;
  /** The reply use case does every check (content, both rate buckets, budget, the thread) before anything is stored. */
  const reply = (req: HttpRequest, access: ThreadAccess, target: ReplyRequest['target'], content: string | null) =>
    deps.idempotency.reply(
      req,
      () =>
        openReply(deps.reply, { access, target, content, pageContext: req.headers['x-page-context'], requestsDecision: requestsDecisionOf(req), deadlineAt: replyDeadline(req) }),
      (thread) => confirmReplay(deps.reply, access, thread.id),
    );
  const once = deps.idempotency;
  return {
    'POST /chatkit': async (req) => {
      const request = parseChatKitRequest(jsonBody(req));
      const access = threadAccessOf(req);
      await refuseDisallowed(threadDeps, access, request);
      switch (request.type) {
        case 'threads.create': {
          const opened = await reply(req, access, { newThread: (content) => createThreadForMessage(threadDeps, access, { title: truncateText(content, TITLE_LENGTH) }) }, inputText(request.params.input));
          return streamReply(deps.reply, access, opened, { first: [{ type: 'thread.created', thread: threadWire(opened.thread) }] });
        }
        case 'threads.add_user_message': {
          return streamReply(deps.reply, access, await reply(req, access, { threadId: request.params.thread_id }, inputText(request.params.input)));
        }
        case 'threads.retry_after_item': {
          // The items after the message go when the new reply is stored (no thread.item.removed: the client drops them itself).
          const { thread_id: threadId, item_id: retryAfter } = request.params;
          return streamReply(deps.reply, access, await reply(req, access, { threadId, retryAfter }, null), { first: [STREAM_OPTIONS], retry: true });
        }
        case 'threads.get_by_id': {
          const thread = await getThread(threadDeps, access, request.params.thread_id);
          const items = await listItems(threadDeps, access, thread.id, { limit: 100, cursor: null, order: 'asc' });
          return ok(threadWire(thread, page(wireItems(items.data), items.nextCursor)));
        }
        case 'threads.list': {
          // Newest first always (ChatKit's default order); `order: "asc"` is not offered by the store.
          const p = request.params ?? {};
          const res = await listThreads(threadDeps, access, { limit: p.limit || DEFAULT_PAGE, cursor: p.after ?? null });
          return ok(page(res.data.map((t) => threadWire(t)), res.nextCursor));
        }
        case 'threads.update':
          return once(req, async () => ({
            ...ok(threadWire(await updateThread(threadDeps, access, request.params.thread_id, { title: request.params.title }))),
            thread: request.params.thread_id,
          }));
        case 'threads.delete':
          // A delete always runs (never replayed): repeating it is harmless.
          await deleteThread(threadDeps, access, request.params.thread_id);
          return ok({});
        case 'items.list': {
          const p = request.params;
          const res = await listItems(threadDeps, access, p.thread_id, {
            limit: p.limit || DEFAULT_PAGE,
            cursor: p.after ?? null,
            order: p.order ?? 'desc',
          });
          return ok(page(wireItems(res.data), res.nextCursor));
        }
        case 'items.feedback':
          // Accepted for threads the caller owns (checked and audited like a read); not stored.
          return once(req, async () => {
            await getThread(threadDeps, access, request.params.thread_id);
            return ok({});
          });
      }
    },
  };
}
