// POST /threads/{threadId}/messages: JSON by default; server-sent events with `Accept: text/event-stream`.
// Validation, authorization and the thread's 403 all happen before a stream opens.
import { postMessage, startExchange, type ExchangeEvent, type PostMessageDeps } from '../shared/core/agent/post-message';
import { toErrorResponse } from '../shared/lambda/error-map';
import { eventChannel } from '../shared/lambda/event-channel';
import { created } from '../shared/lambda/http-handler';
import { jsonBody, type HttpRequest } from '../shared/lambda/http-request';
import type { StreamingController } from '../shared/lambda/streaming-handler';
import { messageBodySchema, pageContextOf, parse, pathParam, threadAccessOf } from '../shared/lambda/validation';

const wantsEventStream = (req: HttpRequest) => /\btext\/event-stream\b/i.test(req.headers.accept ?? '');

/** One SSE event per API.md: `data: <json>\n\n`. */
export const sseEvent = (event: unknown): string => `data: ${JSON.stringify(event)}\n\n`;

/** The documented stream events (tool calls stay internal). */
const isStreamed = (e: ExchangeEvent) => e.type === 'item.added' || e.type === 'text.delta' || e.type === 'item.done';

export function messageRoutes(deps: PostMessageDeps): Readonly<Record<string, StreamingController>> {
  return {
    'POST /threads/{threadId}/messages': async (req) => {
      const { content } = parse(messageBodySchema, jsonBody(req));
      const access = threadAccessOf(req);
      const threadId = pathParam(req, 'threadId');
      const pageContext = pageContextOf(req);
      if (!wantsEventStream(req)) return created(await postMessage(deps, access, threadId, content, pageContext));
      const exchange = await startExchange(deps, access, threadId); // refusals end here, as JSON
      return {
        statusCode: 200,
        stream: (async function* () {
          for await (const e of eventChannel<ExchangeEvent>((emit) => exchange.complete(content, pageContext, emit))) {
            if (isStreamed(e)) yield sseEvent(e);
          }
        })(),
        onError: (err) => {
          const { body } = toErrorResponse(err);
          return sseEvent({ type: 'error', code: body.error.code, message: body.error.message });
        },
      };
    },
  };
}
