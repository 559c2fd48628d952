// Redaction rules shared by the Lambda logger and the local stack's log output (THREATS T11).

const SENSITIVE_KEY = /^(authorization|x-api-key|api[-_]?key|key|token|access[-_]?token|id[-_]?token|cookie|set-cookie|secret|password|webhook[-_]?token)$/i;
/**
 * Any other field or header whose name ends in a credential word (`X-Webhook-Token`, `apiKey`,
 * `cursorSecret`, `X-Amz-Security-Token`, `proxy-authorization`): its value is never logged.
 */
const SENSITIVE_SUFFIX = /(?:^|[-_a-z])(?:api[-_]?key|key|token|secret|password|passwd|signature|authorization|credentials?|cookie)$/i;
/** Names ending in `key` that only ever hold identifiers (ids of keys, DynamoDB positions, idempotency). */
const NOT_SECRET = /^(keyid|idempotency[-_]?key|sort[-_]?key|partition[-_]?key|lastevaluatedkey|exclusivestartkey)$/i;
/** Anything shaped like a JWS compact token (three base64url parts, first starting with `eyJ`). */
const JWT_LIKE = /eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*/g;
const BEARER = /(Bearer\s+)[^\s",]+/gi;
/** `token=` / `key=` query parameters inside URLs or raw strings. */
const QUERY_SECRET = /([?&](?:token|key|api_key)=)[^&\s"]*/gi;
/** An API key written after its header name in free text (`x-api-key: <uuid>`, `"X-API-Key":"<uuid>"`). */
const API_KEY_IN_TEXT = /(x-api-key["']?\s*[:=]\s*["']?)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

export const REDACTED = '[REDACTED]';

export function redactString(s: string): string {
  return s
    .replace(JWT_LIKE, REDACTED)
    .replace(BEARER, `$1${REDACTED}`)
    .replace(QUERY_SECRET, `$1${REDACTED}`)
    .replace(API_KEY_IN_TEXT, `$1${REDACTED}`);
}

export const isSensitiveKey = (key: string): boolean =>
  SENSITIVE_KEY.test(key) || (SENSITIVE_SUFFIX.test(key) && !NOT_SECRET.test(key));

/** JSON.stringify replacer: drops sensitive fields' values and scrubs token-shaped text. */
export function redactReplacer(key: string, value: unknown): unknown {
  if (key && isSensitiveKey(key) && value !== null && value !== undefined && value !== '') return REDACTED;
  if (typeof value === 'string') return redactString(value);
  return value;
}

/** Deep copy with redaction applied; for objects logged outside JSON.stringify. */
export function redactDeep<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, redactReplacer)) as T;
}
