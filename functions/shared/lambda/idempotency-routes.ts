// Which POST routes take no client Idempotency-Key, and what a key may be (read by the edge and by
// the OpenAPI document).

/** 1-200 printable ASCII characters (API.md). */
export const IDEMPOTENCY_KEY_TEXT = /^[\x20-\x7e]{1,200}$/;

/**
 * Webhooks dedupe on their own delivery key, and a new API key is shown once and never stored (only
 * its hash is), so no idempotency record may hold it for a replay.
 */
export const WITHOUT_IDEMPOTENCY_KEY: ReadonlySet<string> = new Set(['POST /webhooks/{source}', 'POST /api-keys']);
