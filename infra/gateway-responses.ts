// API Gateway's own responses, customised to the API.md error shape. Read by CDK and the local gateway.
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
  /** Static headers of this response only (API Gateway takes no per-request values here). */
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
  // checked, the key store or the issuer's JWKS unreadable (functions/authorizer/authorizer.ts), so
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
 * CORS on gateway responses. API Gateway cannot choose per request here, so these carry the first
 * allowed origin (never `*`); browsers on other allowed origins still get the status code.
 */
export function gatewayCorsHeaders(corsOrigins: readonly string[]): Record<string, string> {
  const first = corsOrigins[0];
  return first ? { 'Access-Control-Allow-Origin': first, Vary: 'Origin' } : { Vary: 'Origin' };
}

/** Every header a gateway response carries besides Content-Type (CORS, the security set, its own). */
export function gatewayResponseHeaders(corsOrigins: readonly string[], def?: GatewayResponseDef): Record<string, string> {
  return { ...gatewayCorsHeaders(corsOrigins), ...SECURITY_HEADERS, ...(def?.headers ?? {}) };
}
