// CORS rules from the allow-list, shared by the functions, the CDK preflight and the local gateway.

/** `Last-Event-ID`: a browser script resuming a reply's events after the last one it saw. */
export const CORS_ALLOW_HEADERS = 'Authorization,Content-Type,X-API-Key,X-Page-Context,Idempotency-Key,Accept,Last-Event-ID';
export const CORS_ALLOW_METHODS = 'GET,POST,PUT,PATCH,DELETE,OPTIONS';
/**
 * Response headers a browser script may read: the rate-limit headers, whether an `Idempotency-Key`
 * answer was a replay, and where a reply still running after a JSON answer's wait can be followed.
 */
export const CORS_EXPOSE_HEADERS = 'Retry-After,X-RateLimit-Limit,X-RateLimit-Remaining,X-RateLimit-Reset,Idempotent-Replayed,Location';

/** Headers for an actual (non-preflight) response: only for an allow-listed origin. */
export function corsResponseHeaders(origin: string | undefined, allowed: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = { Vary: 'Origin' };
  if (origin && allowed.includes(origin)) {
    headers['Access-Control-Allow-Origin'] = origin;
    headers['Access-Control-Expose-Headers'] = CORS_EXPOSE_HEADERS;
  }
  return headers;
}

/** Preflight answer: an unlisted origin gets no allow headers at all. */
export function preflightHeaders(origin: string | undefined, allowed: readonly string[]): Record<string, string> {
  if (!origin || !allowed.includes(origin)) return { Vary: 'Origin' };
  return {
    Vary: 'Origin',
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Allow-Methods': CORS_ALLOW_METHODS,
    'Access-Control-Allow-Headers': CORS_ALLOW_HEADERS,
    'Access-Control-Max-Age': '600',
  };
}
