// How long one streamed reply may last: CDK context `threadguard:replyTimeoutSeconds` deployed,
// `REPLY_TIMEOUT_SECONDS` for `npm start`; one default and one range for both (infra/config.ts,
// infra/local/stack.ts). It is the integration timeout of the reply routes and their functions'
// Lambda timeout (infra/routes.ts `timeoutSecondsOf`).

/**
 * Above API Gateway's 29 s only because the reply routes stream: a REST integration using response
 * streaming may run up to 15 minutes
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/response-transfer-mode.html).
 * Below 5 s a reply could not open at all: its function answers `503 service_unavailable` 3 s
 * before its Lambda timeout when the stream has not opened (functions/shared/lambda/edge.ts).
 */
export const REPLY_TIMEOUT_SECONDS = { default: 300, min: 5, max: 900 } as const;

/**
 * The setting from a context or environment value: a whole number (or a string of digits) in range;
 * unset or empty gives the default.
 * @throws Error saying what is accepted (the caller names the setting).
 */
export function replyTimeoutSecondsFrom(value: unknown): number {
  if (value === undefined || value === null || value === '') return REPLY_TIMEOUT_SECONDS.default;
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  const { min, max } = REPLY_TIMEOUT_SECONDS;
  if (Number.isSafeInteger(n) && n >= min && n <= max) return n;
  throw new Error(`must be a whole number of seconds from ${min} to ${max}, got ${JSON.stringify(value)}`);
}
