// THE edge engine of every REST function, buffered or streamed: one middy stack (Lambda context in
// the logger, reset per invocation; the security headers, the same set on every host), then the
// request view, CORS, route dispatch (guards, body cap, parameter checks, one error map), the
// deadline, and the answer. The two front ends (http-handler.ts, streaming-handler.ts) only say how
// the answer leaves: a buffered proxy result, or a Lambda response stream.
import middy from '@middy/core';
import httpSecurityHeaders from '@middy/http-security-headers';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEvent, Context, StreamifyHandler } from 'aws-lambda';
import { Readable } from 'node:stream';
import { corsResponseHeaders } from '../core/cors';
import { ServiceUnavailableError } from '../core/errors';
import { SECURITY_HEADERS } from '../core/security-headers';
import { dispatch } from './dispatch';
import type { HttpHandlerOptions } from './edge-options';
import { toErrorResponse } from './error-map';
import { toHttpRequest, type HttpRequest } from './http-request';
import type { HttpResult, StreamResult } from './http-result';
import { logger } from './logger';
import { SSE_CONTENT_TYPE } from './sse';

/**
 * A request still unanswered this long before the Lambda timeout is answered with `503
 * service_unavailable` (Retry-After 1): buffered, 25 s into the 28 s Lambda timeout (infra/routes.ts);
 * streamed, when its stream has not opened 26 s into its 29 s.
 */
export const DEADLINE_MARGIN_MS = 3_000;

/** What the engine hands its front end: a JSON text, or a stream of chunks. */
interface EdgeResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string | Readable;
}

type AnyController = (req: HttpRequest) => Promise<HttpResult | StreamResult>;

/** The answer, or the API's own 503 once the deadline passes (before the Lambda timeout, and so before API Gateway's 29 s). */
async function beforeDeadline<R>(work: Promise<R | HttpResult>, context: Context | undefined, req: HttpRequest): Promise<R | HttpResult> {
  const remaining = context?.getRemainingTimeInMillis?.();
  if (!remaining) return work;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<HttpResult>((resolve) => {
    timer = setTimeout(() => {
      logger.error('request timed out', { route: req.resource, afterMs: remaining - DEADLINE_MARGIN_MS });
      resolve(toErrorResponse(new ServiceUnavailableError(1, 'The request took too long; retry later')));
    }, Math.max(0, remaining - DEADLINE_MARGIN_MS));
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A stream's chunks; a failure mid-stream becomes its own last chunk (the stream's error event).
 * A client that goes away breaks the response stream: the stream is returned early (it may act on
 * that: ChatKit stops its reply), and that is no failure of the stream. Whether the client read to
 * the end or went away, the invocation waits for the work the stream started (`settled`): a reply
 * whose client left still ends and is stored.
 */
async function* chunks(result: StreamResult): AsyncGenerator<string> {
  const source = result.stream[Symbol.asyncIterator]();
  try {
    for (;;) {
      let step: IteratorResult<string>;
      try {
        step = await source.next();
      } catch (err) {
        yield result.onError(err);
        return;
      }
      if (step.done) return;
      try {
        yield step.value;
      } catch {
        return; // thrown in by the broken response stream
      }
    }
  } finally {
    try {
      await source.return?.();
    } finally {
      await result.settled;
    }
  }
}

/** The work each invocation's stream started, for the invocation to wait for (see `edge`). */
const streamWork = new WeakMap<Context, Promise<void>>();

async function answer(routes: Readonly<Record<string, AnyController>>, options: HttpHandlerOptions, event: APIGatewayProxyEvent, context: Context | undefined): Promise<EdgeResponse> {
  if (context) options.idempotency?.useContext(context);
  const remaining = context?.getRemainingTimeInMillis?.bind(context);
  const req = { ...toHttpRequest(event), ...(remaining ? { remainingMs: remaining } : {}) };
  const extra = corsResponseHeaders(req.headers.origin, options.corsOrigins);
  const result = await beforeDeadline(dispatch(routes, req, extra, options), context, req);
  const headers: Record<string, string> = { ...SECURITY_HEADERS, ...extra };
  if ('stream' in result) {
    if (context && result.settled) streamWork.set(context, result.settled);
    return { statusCode: result.statusCode, headers: { ...headers, 'Content-Type': SSE_CONTENT_TYPE, ...(result.headers ?? {}) }, body: Readable.from(chunks(result)) };
  }
  Object.assign(headers, result.headers ?? {});
  if (result.body === undefined) return { statusCode: result.statusCode, headers, body: '' };
  headers['Content-Type'] = 'application/json; charset=utf-8';
  return { statusCode: result.statusCode, headers, body: JSON.stringify(result.body) };
}

/**
 * The security-headers middleware blanks the headers it removes (Server, X-Powered-By) rather than
 * deleting them; API Gateway drops those, so drop them here too and every host sees the same set.
 */
const dropEmptyHeaders: middy.MiddlewareObj<APIGatewayProxyEvent, EdgeResponse> = {
  after: (request) => {
    const headers = request.response?.headers;
    if (!headers) return;
    for (const [k, v] of Object.entries(headers)) if (v === undefined || v === '') delete headers[k];
  },
};

/**
 * The engine around `routes`. `streamed`: the answer leaves through Lambda response streaming
 * (middy's `streamifyResponse`: the status and headers first, then the body as it comes).
 */
export function edge(routes: Readonly<Record<string, AnyController>>, options: HttpHandlerOptions, streamed: boolean) {
  const handler = middy<APIGatewayProxyEvent, EdgeResponse, Error, Context>((event: APIGatewayProxyEvent, context: Context) => answer(routes, options, event, context), { streamifyResponse: streamed })
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(dropEmptyHeaders)
    .use(httpSecurityHeaders());
  if (!streamed) return handler;
  // middy's pipeline gives up as soon as the response stream breaks (the client went away), before
  // the body has wound down: the invocation still ends only once the work its stream started has.
  const streaming = handler as unknown as StreamifyHandler<APIGatewayProxyEvent, void>;
  return awslambda.streamifyResponse<APIGatewayProxyEvent, void>(async (event, responseStream, context) => {
    try {
      await streaming(event, responseStream, context);
    } finally {
      await streamWork.get(context);
    }
  });
}
