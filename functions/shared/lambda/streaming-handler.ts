// The edge wrapper for routes served with Lambda response streaming (REST `responseTransferMode:
// STREAM`). A controller answers either JSON (HttpResult) or a stream of text chunks; every refusal
// happens before the stream opens, so it is an ordinary JSON error with the documented status.
import httpSecurityHeaders from '@middy/http-security-headers';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import type { Writable } from 'node:stream';
import { corsResponseHeaders } from '../core/cors';
import { SECURITY_HEADERS } from '../core/security-headers';
import { dispatch } from './dispatch';
import type { HttpHandlerOptions, HttpResult } from './http-handler';
import { toHttpRequest, type HttpRequest } from './http-request';
import { logger } from './logger';

export interface StreamResult {
  readonly statusCode: number;
  readonly headers?: Record<string, string>;
  /** Chunks written as they come; an error thrown mid-stream becomes `onError`'s last chunk. */
  readonly stream: AsyncIterable<string>;
  /** Renders a mid-stream failure in the stream's own format (an SSE `error` event, say); logs faults (wire-error.ts). */
  readonly onError: (err: unknown) => string;
}

export type StreamingController = (req: HttpRequest) => Promise<HttpResult | StreamResult>;

interface Prelude {
  statusCode: number;
  headers: Record<string, string>;
}

/** The Lambda runtime's streaming API (a global on Lambda; the local stack installs the same). */
declare const awslambda: {
  streamifyResponse<E>(fn: (event: E, stream: Writable, context: Context) => Promise<void>): unknown;
  HttpResponseStream: { from(stream: Writable, prelude: Prelude): Writable };
};

const securityHeaders = httpSecurityHeaders();

async function withSecurityHeaders(prelude: Prelude): Promise<Prelude> {
  // Reuse the middleware's own header set rather than copying it.
  const request = { response: { statusCode: prelude.statusCode, headers: { ...prelude.headers } } };
  await securityHeaders.after?.(request as never);
  // Same set as buffered responses: the middleware's, plus ours (core/security-headers.ts).
  const headers: Record<string, string> = { ...SECURITY_HEADERS };
  for (const [k, v] of Object.entries(request.response.headers)) if (typeof v === 'string' && v !== '') headers[k] = v;
  return { statusCode: prelude.statusCode, headers };
}

export function streamingHttpHandler(routes: Readonly<Record<string, StreamingController>>, options: HttpHandlerOptions) {
  return awslambda.streamifyResponse<APIGatewayProxyEvent>(async (event, responseStream, context) => {
    logger.addContext(context);
    if (context) options.idempotency?.useContext(context);
    const req = toHttpRequest(event);
    const extra = corsResponseHeaders(req.headers.origin, options.corsOrigins);
    const result = await dispatch(routes, req, extra, options);
    const open = async (headers: Record<string, string>) =>
      awslambda.HttpResponseStream.from(responseStream, await withSecurityHeaders({ statusCode: result.statusCode, headers: { ...extra, ...headers } }));

    if ('stream' in result) {
      const out = await open({ 'Content-Type': 'text/event-stream; charset=utf-8', ...(result.headers ?? {}) });
      try {
        for await (const chunk of result.stream) out.write(chunk);
      } catch (err) {
        out.write(result.onError(err));
      }
      out.end();
      return;
    }

    const hasBody = result.body !== undefined;
    const out = await open({ ...(result.headers ?? {}), ...(hasBody ? { 'Content-Type': 'application/json; charset=utf-8' } : {}) });
    out.end(hasBody ? JSON.stringify(result.body) : undefined);
  });
}
