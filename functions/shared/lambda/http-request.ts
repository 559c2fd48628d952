// A transport-neutral view of an API Gateway REST (payload v1) request, built once per invocation.
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { fromAuthorizerContext, type Principal } from '../core/principal';
import { UnauthenticatedError, ValidationError } from '../core/errors';
import { truncateText } from '../core/text';

/** Every non-webhook route refuses bodies above this (API.md). */
export const MAX_BODY_BYTES = 64 * 1024;

/** Request-header text kept in audit events and other records (User-Agent) is cut to this many characters. */
export const MAX_STORED_HEADER_LENGTH = 256;

export interface HttpRequest {
  readonly method: string;
  /** The route template, e.g. `/threads/{threadId}`. */
  readonly resource: string;
  readonly path: string;
  /** As API Gateway's REST proxy event carries them: still percent-encoded. Read them with `pathParam`. */
  readonly pathParameters: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string>>;
  /** Header names lower-cased. */
  readonly headers: Readonly<Record<string, string>>;
  readonly rawBody: string | null;
  readonly requestId: string;
  readonly sourceIp: string;
  /** At most MAX_STORED_HEADER_LENGTH characters: it is stored with audit events. */
  readonly userAgent: string;
  /** Null only on public routes. */
  readonly principal: Principal | null;
  /** Milliseconds left before the function's timeout (the Lambda context's); absent outside Lambda. */
  readonly remainingMs?: () => number;
}

export function toHttpRequest(event: APIGatewayProxyEvent): HttpRequest {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(event.headers ?? {})) if (v !== undefined) headers[k.toLowerCase()] = v;
  const rawBody =
    event.body == null ? null : event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  const pathParameters: Record<string, string> = {};
  for (const [k, v] of Object.entries(event.pathParameters ?? {})) {
    if (v !== undefined) pathParameters[k] = v;
  }
  const query: Record<string, string> = {};
  for (const [k, v] of Object.entries(event.queryStringParameters ?? {})) if (v !== undefined) query[k] = v;
  return {
    method: event.httpMethod,
    resource: event.resource,
    path: event.path,
    pathParameters,
    query,
    headers,
    rawBody,
    requestId: event.requestContext?.requestId ?? '',
    sourceIp: event.requestContext?.identity?.sourceIp ?? '',
    userAgent: truncateText(headers['user-agent'] ?? '', MAX_STORED_HEADER_LENGTH),
    principal: fromAuthorizerContext(event.requestContext?.authorizer as Record<string, unknown> | null),
  };
}

/** The verified principal; a missing one on a protected route is a wiring fault treated as 401. */
export function requirePrincipal(req: HttpRequest): Principal {
  if (!req.principal) throw new UnauthenticatedError();
  return req.principal;
}

/** Parse the JSON body (its size cap was applied by dispatch, on every method). Empty body → `{}`. */
export function jsonBody(req: HttpRequest): unknown {
  if (req.rawBody === null || req.rawBody === '') return {};
  try {
    return JSON.parse(req.rawBody);
  } catch {
    throw new ValidationError('Request body is not valid JSON');
  }
}
