// Signed, caller-bound cursors (DESIGN invariant 4, THREATS T6).
import { describe, expect, it } from 'vitest';
import { cursorCodec, signCursor, verifyCursor, type CursorScope } from '../../../functions/shared/core/cursor';
import { ValidationError } from '../../../functions/shared/core/errors';
import { hmacSigner } from '../../../functions/shared/adapters/node-crypto';

const SECRET = 'test-secret-0123456789';

describe('signCursor / verifyCursor', () => {
  it('round-trips a position for the same binding', () => {
    const c = signCursor(hmacSigner(SECRET), 'admin-audit|a', { sk: '2025#X', day: '2025-01-01' });
    expect(verifyCursor(hmacSigner(SECRET), 'admin-audit|a', c)).toEqual({ sk: '2025#X', day: '2025-01-01' });
  });

  it.each([
    ['another binding', (c: string) => c, 'admin-audit|b', SECRET],
    ['another secret', (c: string) => c, 'admin-audit|a', 'another-secret-value'],
    ['a changed payload', (c: string) => `${Buffer.from('{"sk":"other"}').toString('base64url')}.${c.split('.')[1]}`, 'admin-audit|a', SECRET],
    ['a cut signature', (c: string) => c.slice(0, -3), 'admin-audit|a', SECRET],
    ['no signature', (c: string) => c.split('.')[0]!, 'admin-audit|a', SECRET],
    ['extra parts', (c: string) => `${c}.x`, 'admin-audit|a', SECRET],
    ['garbage', () => '!!!', 'admin-audit|a', SECRET],
  ])('refuses %s with a 400 ValidationError', (_name, mutate, binding, secret) => {
    const c = mutate(signCursor(hmacSigner(SECRET), 'admin-audit|a', { sk: 'x' }));
    expect(() => verifyCursor(hmacSigner(secret), binding, c)).toThrowError(expect.objectContaining({ name: 'ValidationError', code: 'bad_request' }));
  });
});


const codec = cursorCodec(hmacSigner('a-test-secret-of-some-length'));
const scope: CursorScope = { userId: 'u1', list: 'items', threadId: 't1', order: 'asc' };

describe('cursorCodec', () => {
  it('round-trips the last key for the same scope', () => {
    expect(codec.decode(scope, codec.encode(scope, 'ITEM#t1#x'))).toBe('ITEM#t1#x');
  });

  it('keeps the scope out of the cursor text', () => {
    const c = codec.encode({ userId: 'secret-user', list: 'threads' }, 'THREAD#1');
    expect(Buffer.from(c.split('.')[0]!, 'base64url').toString()).not.toContain('secret-user');
  });

  it.each<[string, CursorScope]>([
    ['another user', { ...scope, userId: 'u2' }],
    ['another list', { userId: 'u1', list: 'threads' }],
    ['another thread', { ...scope, threadId: 't2' }],
    ['another order', { ...scope, order: 'desc' }],
    ['another owner', { ...scope, ownerId: 'u9' }],
  ])('refuses a cursor presented for %s', (_n, other) => {
    expect(() => codec.decode(other, codec.encode(scope, 'ITEM#t1#x'))).toThrow(ValidationError);
  });

  it('refuses a cursor from another secret and any altered character', () => {
    const c = codec.encode(scope, 'ITEM#t1#x');
    expect(() => cursorCodec(hmacSigner('another-secret-entirely')).decode(scope, c)).toThrow(ValidationError);
    for (let i = 0; i < c.length; i++) {
      if (c[i] === '.') continue;
      const altered = c.slice(0, i) + (c[i] === 'A' ? 'B' : 'A') + c.slice(i + 1);
      expect(() => codec.decode(scope, altered), `position ${i}`).toThrow(ValidationError);
    }
  });
});
