// Which POST routes take no client Idempotency-Key, and what a key may be (read by the edge and by
// the OpenAPI document).

/** 1-200 printable ASCII characters (API.md). */
export const IDEMPOTENCY_KEY_TEXT = /^[\x20-\x7e]{1,200}$/;

/**
 * Security actions always run, whatever `Idempotency-Key` they carry: repeating one is harmless, and
 * a replay would answer "done" while doing nothing (a sign-out from a later session that signs
 * nothing out, a disable of a key re-enabled since). Revoke and delete are DELETE routes, never replayed.
 */
const ALWAYS_RUN: ReadonlySet<string> = new Set(['POST /me/sign-out', 'POST /admin/users/{userId}/api-keys/{id}/disable']);

/**
 * POST routes whose `Idempotency-Key` is not remembered: webhooks dedupe on their own delivery key; a
 * new API key is shown once and never stored (only its hash is), so no record may hold it for a
 * replay; and the security actions (ALWAYS_RUN).
 */
export const WITHOUT_IDEMPOTENCY_KEY: ReadonlySet<string> = new Set(['POST /webhooks/{source}', 'POST /api-keys', ...ALWAYS_RUN]);
