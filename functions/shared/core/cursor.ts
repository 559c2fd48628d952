// Opaque pagination cursors, HMAC-signed and bound to the caller and the list that issued them
// (DESIGN invariant 4). A tampered, foreign or hand-made cursor is a ValidationError (400).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ValidationError } from './errors';

export const BAD_CURSOR_MESSAGE = 'Invalid cursor';

const mac = (secret: string, binding: string, payload: string): Buffer =>
  createHmac('sha256', secret).update(binding).update('\n').update(payload).digest();

/**
 * @param binding - who and which list the cursor is for, e.g. `admin-audit|<adminId>|<filter>`.
 * @param lastKey - the position to continue from (a DynamoDB LastEvaluatedKey or similar).
 */
export function signCursor(secret: string, binding: string, lastKey: Record<string, unknown>): string {
  const payload = Buffer.from(JSON.stringify(lastKey), 'utf8').toString('base64url');
  return `${payload}.${mac(secret, binding, payload).toString('base64url')}`;
}

/** @throws ValidationError for any cursor not signed by us for this exact binding. */
export function verifyCursor(secret: string, binding: string, cursor: string): Record<string, unknown> {
  const [payload, sig, extra] = cursor.split('.');
  if (!payload || !sig || extra !== undefined || cursor.length > 4096) throw new ValidationError(BAD_CURSOR_MESSAGE);
  const expected = mac(secret, binding, payload);
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new ValidationError(BAD_CURSOR_MESSAGE);
  try {
    const parsed: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
    return parsed as Record<string, unknown>;
  } catch {
    throw new ValidationError(BAD_CURSOR_MESSAGE);
  }
}
