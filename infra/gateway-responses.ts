// API Gateway's own responses, customised to the API.md error shape. Read by CDK and the local gateway.
import { CORS_EXPOSE_HEADERS } from '../functions/shared/core/cors';
import { SECURITY_HEADERS } from '../functions/shared/core/security-headers';

export type GatewayResponseType =
  | 'UNAUTHORIZED'
  | 'ACCESS_DENIED'
  | 'MISSING_AUTHENTICATION_TOKEN'
  | 'THROTTLED'
  | 'REQUEST_TOO_LARGE'
  | 'AUTHORIZER_CONFIGURATION_ERROR'
  | 'AUTHORIZER_FAILURE'
  | 'DEFAULT_4XX'
  | 'DEFAULT_5XX';

export interface GatewayResponseDef {
  readonly type: GatewayResponseType;
  /** Omitted: the status API Gateway chose is kept (DEFAULT_4XX/5XX). */
  readonly statusCode?: number;
  readonly code: string;
  readonly message: string;
  /** Literal headers of this response only (the CORS origin is mapped from the request: gatewayCorsHeaders). */
  readonly headers?: Readonly<Record<string, string>>;
}

export const GATEWAY_RESPONSES: readonly GatewayResponseDef[] = [
  { type: 'UNAUTHORIZED', statusCode: 401, code: 'unauthorized', message: 'Unauthorized' },
  { type: 'ACCESS_DENIED', statusCode: 403, code: 'forbidden', message: 'Forbidden' },
  // API Gateway answers an unknown route or method with this type; the API promises a 404.
  { type: 'MISSING_AUTHENTICATION_TOKEN', statusCode: 404, code: 'not_found', message: 'Not found' },
  { type: 'THROTTLED', statusCode: 429, code: 'rate_limited', message: 'Too many requests' },
  { type: 'REQUEST_TOO_LARGE', statusCode: 413, code: 'payload_too_large', message: 'Payload too large' },
  // An authorizer that throws anything but `Unauthorized` is API Gateway's "Authorizer Configuration
  // Error" (500, AuthorizerConfigurationException): ours does so only when a credential could not be
  // checked, the key store or the issuer's JWKS unreadable (functions/shared/lambda/user-authorizer.ts), so
  // it means "retry later", not "bad key".
  // https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
  ...(['AUTHORIZER_CONFIGURATION_ERROR', 'AUTHORIZER_FAILURE'] as const).map((type) => ({
    type,
    statusCode: 503,
    code: 'service_unavailable',
    message: 'Service temporarily unavailable; retry later',
    headers: { 'Retry-After': '5' },
  })),
  { type: 'DEFAULT_4XX', code: 'bad_request', message: 'Bad request' },
  { type: 'DEFAULT_5XX', code: 'internal', message: 'Internal server error' },
];

export function gatewayResponse(type: GatewayResponseType): GatewayResponseDef {
  const def = GATEWAY_RESPONSES.find((r) => r.type === type);
  if (!def) throw new Error(`no gateway response ${type}`);
  return def;
}

export const gatewayResponseBody = (def: GatewayResponseDef): string =>
  JSON.stringify({ error: { code: def.code, message: def.message } });

/**
 * CORS on gateway responses: the request's own `Origin`, echoed. A gateway response header is either a
 * static value or a value mapped from the request (`method.request.header.<name>`, context or stage
 * variables); there is no condition, so it cannot be "the caller's origin when allow-listed".
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-gateway-responses.responseParameters.html
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-parameter-mapping-sources.html
 * A static value (the first allowed origin, as before) leaves every other allowed origin, a web client
 * behind CloudFront included, unable to read a 401/429/503: the browser reports a network error instead
 * of "sign in again". Echoing keeps the allow-list where it matters, in two places:
 * - the API's own responses (functions, core/cors.ts) and the preflight (infra/stack.ts) allow only
 *   listed origins. Any request carrying a credential (`Authorization`, `X-API-Key`, a JSON body) needs a
 *   preflight, which an unlisted origin fails, so its page never sends the request nor sees the answer;
 * - what an unlisted origin can read is limited to these fixed bodies, for requests without a
 *   credential, with no `Access-Control-Allow-Credentials` (the API uses no cookies): nothing a script
 *   could not learn by calling the API from anywhere.
 * Alternatives weighed: an authorizer `Deny` with the checked origin in its context reaches only the
 * authorizer's own refusals (not 429, 413, 404 or 503), and would turn every 401 into ACCESS_DENIED; a
 * CloudFront function in front of the API could filter by the list, at the cost of a second hop on
 * every call, for bodies that hold nothing.
 */
export const GATEWAY_ORIGIN_SOURCE = 'method.request.header.Origin';

/** The local gateway's copy of the mapping above: the request's Origin, when it sent one. */
export function gatewayCorsHeaders(origin: string | undefined): Record<string, string> {
  return origin ? { 'Access-Control-Allow-Origin': origin } : {};
}

/** Static headers of a gateway response besides Content-Type and CORS (the security set, its own). */
export function gatewayStaticHeaders(def: GatewayResponseDef): Record<string, string> {
  return { 'Access-Control-Expose-Headers': CORS_EXPOSE_HEADERS, Vary: 'Origin', ...SECURITY_HEADERS, ...(def.headers ?? {}) };
}
