// Opaque pagination cursors, bound to the caller and to the list that issued them (DESIGN invariant 4).
// A cursor is base64url(JSON position) + "." + base64url(HMAC-SHA256 over the binding and that payload);
// the binding (caller, list, thread, order, filter) is never written into the cursor. Anything that
// does not verify, or was issued for another binding, is a ValidationError (400).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ValidationError } from './errors';
import { isWellFormed } from './text';

export const BAD_CURSOR_MESSAGE = 'Invalid cursor';
const MAX_CURSOR_LENGTH = 2048;

const mac = (secret: string, binding: string, payload: string): string =>
  createHmac('sha256', secret).update(binding).update('\n').update(payload).digest('base64url');

/**
 * @param binding - who and which list the cursor is for, e.g. `admin-audit|<adminId>|<filter>`.
 * @param position - where to continue from (a DynamoDB LastEvaluatedKey or similar).
 */
export function signCursor(secret: string, binding: string, position: Record<string, unknown>): string {
  const payload = Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
  return `${payload}.${mac(secret, binding, payload)}`;
}

/** @throws ValidationError for any cursor not signed by us for this exact binding. */
export function verifyCursor(secret: string, binding: string, cursor: string): Record<string, unknown> {
  const bad = () => new ValidationError(BAD_CURSOR_MESSAGE);
  if (cursor.length > MAX_CURSOR_LENGTH) throw bad();
  const [payload, sig, extra] = cursor.split('.');
  if (!payload || !sig || extra !== undefined) throw bad();
  // Compared as text, so a non-canonical base64url variant of a valid signature is refused too.
  const expected = Buffer.from(mac(secret, binding, payload));
  const given = Buffer.from(sig);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw bad();
  try {
    const parsed: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
    return parsed as Record<string, unknown>;
  } catch {
    throw bad();
  }
}

/** What a thread-list cursor is valid for. `ownerId` differs from `userId` only for admin support reads. */
export interface CursorScope {
  readonly userId: string;
  readonly list: 'threads' | 'items' | 'tasks';
  readonly ownerId?: string;
  readonly threadId?: string;
  readonly order?: string;
}

export interface CursorCodec {
  encode(scope: CursorScope, lastKey: string): string;
  /** @throws ValidationError for a bad, tampered or foreign cursor. */
  decode(scope: CursorScope, cursor: string): string;
}

const scopeBinding = (s: CursorScope): string =>
  JSON.stringify([s.userId, s.list, s.ownerId ?? s.userId, s.threadId ?? '', s.order ?? '']);

/** Cursors for the thread and item lists, whose position is one sort key. */
export function cursorCodec(secret: string): CursorCodec {
  if (secret.length < 16) throw new Error('cursor secret too short');
  return {
    encode: (scope, lastKey) => signCursor(secret, scopeBinding(scope), { k: lastKey }),
    decode(scope, cursor) {
      const k = verifyCursor(secret, scopeBinding(scope), cursor).k;
      if (typeof k !== 'string' || !isWellFormed(k)) throw new ValidationError(BAD_CURSOR_MESSAGE);
      return k;
    },
  };
}
