// POST /threads/{threadId}/messages: JSON by default; server-sent events with `Accept: text/event-stream`.
// The reply use case does every check before a stream opens, so a refusal is an ordinary JSON error.
// With `Idempotency-Key`, a retry gets the stored exchange again, in its own framing.
import { confirmReplay, openReply, type ReplyDeps } from '../shared/core/agent/reply';
import type { HttpResult } from '../shared/lambda/http-handler';
import type { IdempotentRunner } from '../shared/lambda/idempotency';
import { jsonBody } from '../shared/lambda/http-request';
import { requestsDecisionOf } from '../shared/lambda/rate-limit-guard';
import { messageStreamError, messageStreamFrames, wantsEventStream } from '../shared/lambda/sse';
import type { StreamingController } from '../shared/lambda/streaming-handler';
import { pathParam, threadAccessOf } from '../shared/lambda/validation';

const ROUTE = 'POST /threads/{threadId}/messages';

/** A body field as sent (the use case applies the rule); a body that is not an object has none. */
const bodyField = (body: unknown, name: string): unknown =>
  typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>)[name] : undefined;

export function messageRoutes(deps: ReplyDeps, idempotency: IdempotentRunner): Readonly<Record<string, StreamingController>> {
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
          }),
        (thread) => confirmReplay(deps, access, thread.id),
      );
      if (!wantsEventStream(req.headers.accept)) return { statusCode: 201, body: await reply.collect(), headers: reply.headers } satisfies HttpResult;
      return {
        statusCode: 200,
        headers: reply.headers,
        stream: messageStreamFrames(reply.events),
        onError: (err) => messageStreamError(err, ROUTE),
      };
    },
  };
}
