// POST /chatkit: the ChatKit server protocol over the same per-principal stores and use cases as the
// REST routes (a thread made here is listed by GET /threads and the other way round). Every refusal
// (validation, read-only, the reply limit, a thread outside the caller's partition, a retry of an
// item that is not one of its user messages) is a JSON error before any stream. `Idempotency-Key`
// applies to the requests that change something: a replayed reply is its stored exchange streamed
// again, a replayed update, delete or feedback its first answer. As in ChatKit's server protocol,
// every response stream allows a cancel, and a stream its client leaves before the reply's end
// stops the reply (the Stop button closes the stream); what was said is kept.
import { stopLeftReply } from '../shared/core/agent/reply-control';
import { confirmReplay, openReply, type OpenReply, type ReplyDeps, type ReplyEvent, type ReplyRequest } from '../shared/core/agent/reply';
import type { AuditAction } from '../shared/core/audit';
import { truncateText } from '../shared/core/text';
import type { Item, Thread } from '../shared/core/threads/thread';
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
import { sseFrame } from '../shared/lambda/sse';
import type { StreamingController, StreamResult } from '../shared/lambda/streaming-handler';
import { threadAccessOf } from '../shared/lambda/validation';
import { chatKitErrorEvent } from '../shared/lambda/wire-error';
import {
  inputText,
  outputText,
  parseChatKitRequest,
  type ChatKitRequest,
  type Page,
  type ThreadItemWire,
  type ThreadStreamEvent,
  type ThreadWire,
} from './protocol';

export interface ChatKitDeps {
  readonly threadDeps: ThreadDeps;
  readonly reply: ReplyDeps;
  readonly idempotency: IdempotentRunner;
}

const DEFAULT_PAGE = 20;
const TITLE_LENGTH = 60;

const emptyPage = <T>(): Page<T> => ({ data: [], has_more: false });

export const threadWire = (t: Thread, items: Page<ThreadItemWire> = emptyPage()): ThreadWire => ({
  id: t.id,
  title: t.title,
  created_at: t.createdAt,
  status: { type: 'active' },
  metadata: {},
  items,
});

/**
 * Only messages are ChatKit items; tool calls and notices stay REST-only. A stopped reply is an
 * ordinary assistant message with what was said: ChatKit items have no status, and the reference
 * server keeps a stopped reply's text the same way.
 */
export function itemWire(i: Item): ThreadItemWire | null {
  if (i.type === 'user_message') {
    return {
      type: 'user_message',
      id: i.id,
      thread_id: i.threadId,
      created_at: i.createdAt,
      content: [{ type: 'input_text', text: i.content }],
      attachments: [],
      inference_options: {},
    };
  }
  if (i.type === 'assistant_message') {
    return { type: 'assistant_message', id: i.id, thread_id: i.threadId, created_at: i.createdAt, content: [outputText(i.content)] };
  }
  return null;
}

const page = <T>(data: T[], nextCursor: string | null): Page<T> =>
  nextCursor ? { data, has_more: true, after: nextCursor } : { data, has_more: false };

const wireItems = (items: Item[]) => items.map(itemWire).filter((i): i is ThreadItemWire => i !== null);

/** Sent once at the start of every response stream: the client shows its Stop button. */
const STREAM_OPTIONS: ThreadStreamEvent = { type: 'stream_options', stream_options: { allow_cancel: true } };

/**
 * Maps our exchange events to ChatKit's canonical sequence (protocol §2.4, §2.5): the user message
 * echoed, then stream_options, then the assistant message. A retry's stream has no user message
 * (its stream_options come first): a replay of one tells it, and it is left out.
 */
function* chatKitEvents(e: ReplyEvent, retry: boolean): Generator<ThreadStreamEvent> {
  if (e.type === 'item.added' && e.item.type === 'user_message') {
    if (retry) return;
    yield { type: 'thread.item.done', item: itemWire(e.item)! };
    yield STREAM_OPTIONS;
  } else if (e.type === 'item.added') {
    yield { type: 'thread.item.added', item: { ...(itemWire(e.item) as ThreadItemWire), content: [] } as ThreadItemWire };
    yield { type: 'thread.item.updated', item_id: e.item.id, update: { type: 'assistant_message.content_part.added', content_index: 0, content: outputText('') } };
  } else if (e.type === 'text.delta') {
    yield { type: 'thread.item.updated', item_id: e.itemId, update: { type: 'assistant_message.content_part.text_delta', content_index: 0, delta: e.delta } };
  } else if (e.type === 'item.done') {
    yield { type: 'thread.item.updated', item_id: e.item.id, update: { type: 'assistant_message.content_part.done', content_index: 0, content: outputText(e.item.content) } };
    yield { type: 'thread.item.done', item: itemWire(e.item)! };
  }
}

/**
 * The reply as a ChatKit stream. Left before the reply ended (the client went away: the stream is
 * returned early), the reply is asked to stop; it ends cancelled, keeping what was said. The
 * invocation waits for the reply either way (`settled`).
 */
function streamReply(deps: ReplyDeps, access: ThreadAccess, reply: OpenReply, opts: { first?: ThreadStreamEvent[]; retry?: boolean } = {}): StreamResult {
  const retry = opts.retry ?? false;
  async function* frames(): AsyncGenerator<string> {
    const events = reply.events[Symbol.asyncIterator]();
    let replyId: string | null = null;
    let ended = false;
    try {
      for (const e of opts.first ?? []) yield sseFrame(e);
      for (;;) {
        let step: IteratorResult<ReplyEvent>;
        try {
          step = await events.next();
        } catch (err) {
          ended = true; // the reply failed: nothing to stop
          throw err;
        }
        if (step.done) {
          ended = true;
          return;
        }
        const e = step.value;
        if (e.type === 'item.added' && e.item.type === 'assistant_message') replyId = e.item.id;
        if (e.type === 'item.done') ended = true;
        for (const out of chatKitEvents(e, retry)) yield sseFrame(out);
      }
    } finally {
      await events.return?.();
      if (!ended && replyId) await stopLeftReply(deps, access, { threadId: reply.thread.id, itemId: replyId });
    }
  }
  return {
    statusCode: 200,
    headers: reply.headers,
    stream: frames(),
    onError: (err) => sseFrame(chatKitErrorEvent(err, 'POST /chatkit')),
    settled: reply.settled,
  };
}

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
      () => openReply(deps.reply, { access, target, content, pageContext: req.headers['x-page-context'], requestsDecision: requestsDecisionOf(req) }),
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
