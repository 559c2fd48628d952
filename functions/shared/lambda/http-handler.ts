// The shared edge wrapper for REST functions: request view, route dispatch, guards, one error map,
// CORS and security headers, structured logs. Controllers return data; errors bubble up to here.
import middy from '@middy/core';
import httpSecurityHeaders from '@middy/http-security-headers';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { corsResponseHeaders } from '../core/cors';
import { SECURITY_HEADERS } from '../core/security-headers';
import { ServiceUnavailableError } from '../core/errors';
import { dispatch } from './dispatch';
import { toErrorResponse } from './error-map';
import { toHttpRequest, type HttpRequest } from './http-request';
import type { IdempotentRunner } from './idempotency';
import { logger } from './logger';

export interface HttpResult {
  statusCode: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** The thread this answer shows (not sent): an `Idempotency-Key` replay of it is served only while the thread is still the caller's. */
  thread?: string;
}

export type Controller = (req: HttpRequest) => Promise<HttpResult>;

/** Keyed by `METHOD /resource/{template}`, exactly as in infra/routes.ts. */
export type RouteControllers = Readonly<Record<string, Controller>>;

/** Runs before the controller (rate limits, for instance); may add headers to every response. */
export type RequestGuard = (req: HttpRequest, out: Record<string, string>) => Promise<void>;

export interface HttpHandlerOptions {
  readonly corsOrigins: readonly string[];
  readonly guards?: readonly RequestGuard[];
  /** Bodies over this are a 413 on every method (API.md); default MAX_BODY_BYTES. */
  readonly maxBodyBytes?: number;
  /** Client `Idempotency-Key` handling around each controller (buffered POST routes). */
  readonly idempotency?: IdempotentRunner;
}

/**
 * A buffered request still running this long before the Lambda timeout is answered with
 * `503 service_unavailable` (Retry-After 1): 25 s into the 28 s Lambda timeout (infra/routes.ts).
 */
export const DEADLINE_MARGIN_MS = 3_000;

export const ok = (body: unknown, headers?: Record<string, string>): HttpResult => ({ statusCode: 200, body, headers });
export const created = (body: unknown): HttpResult => ({ statusCode: 201, body });
export const noContent = (): HttpResult => ({ statusCode: 204 });

export function httpHandler(routes: RouteControllers, options: HttpHandlerOptions) {
  // After the guards (a replay still counts against the rate limit), around the controller.
  const idempotency = options.idempotency;
  const controllers: RouteControllers = idempotency
    ? Object.fromEntries(Object.entries(routes).map(([route, controller]) => [route, (req: HttpRequest) => idempotency(req, () => controller(req))]))
    : routes;
  const handle = async (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> => {
    if (context) idempotency?.useContext(context);
    const req = toHttpRequest(event);
    const extra: Record<string, string> = corsResponseHeaders(req.headers.origin, options.corsOrigins);
    const work = dispatch(controllers, req, extra, options);
    const remaining = context?.getRemainingTimeInMillis?.();
    if (!remaining) return toProxyResult(await work, extra);
    // Answer before the Lambda timeout (and so before API Gateway's 29 s) with the API's own 503.
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<HttpResult>((resolve) => {
      timer = setTimeout(() => {
        logger.error('request timed out', { route: req.resource, afterMs: remaining - DEADLINE_MARGIN_MS });
        resolve(toErrorResponse(new ServiceUnavailableError(1, 'The request took too long; retry later')));
      }, Math.max(0, remaining - DEADLINE_MARGIN_MS));
    });
    try {
      return toProxyResult(await Promise.race([work, deadline]), extra);
    } finally {
      clearTimeout(timer);
    }
  };
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>(handle)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(dropEmptyHeaders)
    .use(httpSecurityHeaders());
}

/**
 * The security-headers middleware blanks the headers it removes (Server, X-Powered-By) rather than
 * deleting them; API Gateway drops those, so drop them here too and every host sees the same set.
 */
const dropEmptyHeaders: middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> = {
  after: (request) => {
    const headers = request.response?.headers;
    if (!headers) return;
    for (const [k, v] of Object.entries(headers)) if (v === undefined || v === '') delete headers[k];
  },
};

function toProxyResult(result: HttpResult, extra: Record<string, string>): APIGatewayProxyResult {
  const headers: Record<string, string> = { ...SECURITY_HEADERS, ...extra, ...(result.headers ?? {}) };
  if (result.body === undefined) return { statusCode: result.statusCode, headers, body: '' };
  headers['Content-Type'] = 'application/json; charset=utf-8';
  return { statusCode: result.statusCode, headers, body: JSON.stringify(result.body) };
}
