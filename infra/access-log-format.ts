// The API Gateway access-log lines: one JSON object per request with who (the principal id, never a
// credential: no header, query string or API key variable appears here), what, how long (authorizer
// and integration latency) and how it ended (status, error message). Every value is quoted: API
// Gateway writes `-` for a missing one, which unquoted would break the JSON.
// Variables: https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-variables-for-access-logging.html
// and, for WebSocket APIs, https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-logging.html

export const REST_ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTimeEpoch',
  ip: '$context.identity.sourceIp',
  method: '$context.httpMethod',
  resource: '$context.resourcePath',
  status: '$context.status',
  responseLength: '$context.responseLength',
  principalId: '$context.authorizer.principalId',
  authorizerStatus: '$context.authorizer.status',
  authorizerLatency: '$context.authorizer.integrationLatency',
  integrationStatus: '$context.integration.status',
  integrationLatency: '$context.integration.latency',
  responseLatency: '$context.responseLatency',
  errorType: '$context.error.responseType',
  errorMessage: '$context.error.message',
  wafStatus: '$context.waf.status',
} as const;

export const WS_ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTimeEpoch',
  ip: '$context.identity.sourceIp',
  connectionId: '$context.connectionId',
  eventType: '$context.eventType',
  routeKey: '$context.routeKey',
  status: '$context.status',
  principalId: '$context.authorizer.principalId',
  authorizerLatency: '$context.authorizer.integrationLatency',
  integrationStatus: '$context.integration.status',
  integrationLatency: '$context.integration.latency',
  errorMessage: '$context.error.message',
} as const;

/** The fields as one JSON line. `$context.error.message` may hold quotes; API Gateway escapes none, so it is the last field and read as text if the line fails to parse. */
export function accessLogJson(fields: Readonly<Record<string, string>>): string {
  return `{${Object.entries(fields)
    .map(([k, v]) => `"${k}":"${v}"`)
    .join(',')}}`;
}
