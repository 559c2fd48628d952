// POST /threads/{threadId}/messages: JSON by default; server-sent events with `Accept: text/event-stream`.
// The reply use case does every check before a stream opens, so a refusal is an ordinary JSON error.
// With `Idempotency-Key`, a retry gets the stored exchange again, in its own framing.
// GET …/items/{itemId}/events resumes a reply's stream; POST …/items/{itemId}/cancel stops it.
import { cancelReply, followReply, replyProgress, type ReplyControlDeps } from '../shared/core/agent/reply-control';
import { confirmReplay, openReply, type ExchangeResult, type OpenReply, type ReplyDeps } from '../shared/core/agent/reply';
import { ok, type HttpResult } from '../shared/lambda/http-result';
import type { IdempotentRunner } from '../shared/lambda/idempotency';
import { jsonBody, type HttpRequest } from '../shared/lambda/http-request';
import { requestsDecisionOf } from '../shared/lambda/rate-limit-guard';
import { messageStreamError, messageStreamFrames, wantsEventStream } from '../shared/lambda/sse';
import type { StreamingController } from '../shared/lambda/streaming-handler';
import { eventIdSchema, parse, pathParam, replyEventsQuerySchema, threadAccessOf } from '../shared/lambda/validation';
import { replyDeadline } from '../shared/lambda/reply-deadline';

const ROUTE = 'POST /threads/{threadId}/messages';
const EVENTS = 'GET /threads/{threadId}/items/{itemId}/events';
const CANCEL = 'POST /threads/{threadId}/items/{itemId}/cancel';

/**
 * A JSON answer waits this long for the reply, as API Gateway's buffered 29 s would allow; a
 * longer reply answers `202` with the reply still running (it goes on, and is stored), and its
 * events route to follow it.
 */
export const JSON_REPLY_WAIT_MS = 25_000;

/** A body field as sent (the use case applies the rule); a body that is not an object has none. */
const bodyField = (body: unknown, name: string): unknown =>
  typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>)[name] : undefined;

const replyRef = (req: HttpRequest) => ({ threadId: pathParam(req, 'threadId'), itemId: pathParam(req, 'itemId') });

const eventsPath = (threadId: string, itemId: string) => `/threads/${encodeURIComponent(threadId)}/items/${encodeURIComponent(itemId)}/events`;

/** The exchange as JSON: `201` once stored, or `202` with the reply still running past JSON_REPLY_WAIT_MS. */
async function jsonAnswer(reply: OpenReply): Promise<HttpResult> {
  let running: ExchangeResult | null = null;
  let timer: NodeJS.Timeout | undefined;
  const cut = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), JSON_REPLY_WAIT_MS)));
  // The placeholder reply item (`item.added`, status running) is what a 202 shows.
  const done = (async () => {
    let assistant: ExchangeResult['assistantMessage'] | undefined;
    for await (const e of reply.events) {
      if (e.type === 'item.added' && e.item.type === 'assistant_message') running = { userMessage: reply.userMessage, assistantMessage: e.item };
      if (e.type === 'item.done') assistant = e.item;
    }
    return { userMessage: reply.userMessage, assistantMessage: assistant! };
  })();
  try {
    const exchange = await Promise.race([done, cut]);
    if (exchange) return { statusCode: 201, body: exchange, headers: reply.headers };
  } finally {
    clearTimeout(timer);
  }
  done.catch(() => undefined); // the reply goes on; its failure is in its log
  const pending = running as ExchangeResult | null;
  if (!pending) return { statusCode: 201, body: await done, headers: reply.headers };
  return {
    statusCode: 202,
    body: pending,
    headers: { ...reply.headers, Location: eventsPath(pending.assistantMessage.threadId, pending.assistantMessage.id) },
  };
}

export function messageRoutes(deps: ReplyDeps & ReplyControlDeps, idempotency: IdempotentRunner): Readonly<Record<string, StreamingController>> {
  return {
    [ROUTE]: async (req) => {
      const content = bodyField(jsonBody(req), 'content');
      const access = threadAccessOf(req);
      const reply = await idempotency.reply(
        req,
        () =>
          openReply(deps, {
            access,
            target: { threadId: pathParam(req, 'threadId') },
            content,
            pageContext: req.headers['x-page-context'],
            requestsDecision: requestsDecisionOf(req),
            deadlineAt: replyDeadline(req),
          }),
        (thread) => confirmReplay(deps, access, thread.id),
      );
      if (!wantsEventStream(req.headers.accept)) return jsonAnswer(reply);
      return {
        statusCode: 200,
        headers: reply.headers,
        stream: messageStreamFrames(reply.numbered, ROUTE),
        onError: (err) => messageStreamError(err, ROUTE),
        settled: reply.settled,
      };
    },
    [EVENTS]: async (req) => {
      const access = threadAccessOf(req);
      const ref = replyRef(req);
      if (!wantsEventStream(req.headers.accept)) return ok(await replyProgress(deps, access, ref));
      // The browser's EventSource sends Last-Event-ID when it reconnects; it wins over `?after=`.
      const header = req.headers['last-event-id'];
      const after = header !== undefined ? parse(eventIdSchema, header.trim(), 'Last-Event-ID') : (parse(replyEventsQuerySchema, req.query).after ?? 0);
      const events = await followReply(deps, access, ref, after, replyDeadline(req));
      return { statusCode: 200, stream: messageStreamFrames(events, EVENTS), onError: (err) => messageStreamError(err, EVENTS) };
    },
    [CANCEL]: async (req) => ok(await cancelReply(deps, threadAccessOf(req), replyRef(req), replyDeadline(req))),
  };
}
