// Opaque pagination cursors, bound to the caller and to the list that issued them (DESIGN invariant 4).
// A cursor is base64url(JSON position) + "." + base64url(HMAC-SHA256 over the binding and that payload);
// the binding (caller, list, thread, order, filter) is never written into the cursor. Anything that
// does not verify, or was issued for another binding, is a ValidationError (400).
import { ValidationError } from './errors';
import type { MessageSigner } from './ports';
import { isWellFormed } from './text';

export const BAD_CURSOR_MESSAGE = 'Invalid cursor';
const MAX_CURSOR_LENGTH = 2048;

const signed = (binding: string, payload: string): string => `${binding}\n${payload}`;

/**
 * @param binding - who and which list the cursor is for, e.g. `admin-audit|<adminId>|<filter>`.
 * @param position - where to continue from (a DynamoDB LastEvaluatedKey or similar).
 */
export function signCursor(signer: MessageSigner, binding: string, position: Record<string, unknown>): string {
  const payload = Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
  return `${payload}.${signer.sign(signed(binding, payload))}`;
}

/** @throws ValidationError for any cursor not signed by us for this exact binding. */
export function verifyCursor(signer: MessageSigner, binding: string, cursor: string): Record<string, unknown> {
  const bad = () => new ValidationError(BAD_CURSOR_MESSAGE);
  if (cursor.length > MAX_CURSOR_LENGTH) throw bad();
  const [payload, sig, extra] = cursor.split('.');
  if (!payload || !sig || extra !== undefined) throw bad();
  if (!signer.verify(signed(binding, payload), sig)) throw bad();
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
export function cursorCodec(signer: MessageSigner): CursorCodec {
  return {
    encode: (scope, lastKey) => signCursor(signer, scopeBinding(scope), { k: lastKey }),
    decode(scope, cursor) {
      const k = verifyCursor(signer, scopeBinding(scope), cursor).k;
      if (typeof k !== 'string' || !isWellFormed(k)) throw new ValidationError(BAD_CURSOR_MESSAGE);
      return k;
    },
  };
}
