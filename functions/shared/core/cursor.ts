// Opaque pagination cursors, bound to the caller and to the list that issued them (DESIGN invariant 4).
// A cursor is base64url(JSON {lastKey}) + "." + base64url(HMAC-SHA256 over the scope and that payload);
// the scope (caller, list, thread, order) is never written into the cursor. Anything that does not
// verify, or was issued for another caller, list, thread or order, is a ValidationError (400).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ValidationError } from './errors';

/** What a cursor is valid for. `ownerId` differs from `userId` only for admin support reads. */
export interface CursorScope {
  readonly userId: string;
  readonly list: 'threads' | 'items';
  readonly ownerId?: string;
  readonly threadId?: string;
  readonly order?: string;
}

export interface CursorCodec {
  encode(scope: CursorScope, lastKey: string): string;
  /** @throws ValidationError for a bad, tampered or foreign cursor. */
  decode(scope: CursorScope, cursor: string): string;
}

const MAX_CURSOR_LENGTH = 2048;

const scopeString = (s: CursorScope): string =>
  JSON.stringify([s.userId, s.list, s.ownerId ?? s.userId, s.threadId ?? '', s.order ?? '']);

export function cursorCodec(secret: string): CursorCodec {
  if (secret.length < 16) throw new Error('cursor secret too short');
  const sign = (scope: CursorScope, payload: string) =>
    createHmac('sha256', secret).update(scopeString(scope)).update('\n').update(payload).digest();
  const invalid = () => new ValidationError('Invalid cursor');
  return {
    encode(scope, lastKey) {
      const payload = Buffer.from(JSON.stringify({ k: lastKey })).toString('base64url');
      return `${payload}.${sign(scope, payload).toString('base64url')}`;
    },
    decode(scope, cursor) {
      if (cursor.length > MAX_CURSOR_LENGTH) throw invalid();
      const [payload, mac, extra] = cursor.split('.');
      if (!payload || !mac || extra !== undefined) throw invalid();
      // Compare the canonical text, so a variant spelling of the same bytes is refused too.
      const expected = Buffer.from(sign(scope, payload).toString('base64url'));
      const given = Buffer.from(mac);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
      let parsed: unknown;
      try {
        parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      } catch {
        throw invalid();
      }
      const { k } = (parsed ?? {}) as { k?: unknown };
      if (typeof k !== 'string' || k.length === 0) throw invalid();
      return k;
    },
  };
}
