import { describe, expect, it } from 'vitest';
import { cursorCodec, type CursorScope } from '../../functions/shared/core/cursor';
import { ValidationError } from '../../functions/shared/core/errors';

const codec = cursorCodec('a-test-secret-of-some-length');
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
    expect(() => cursorCodec('another-secret-entirely').decode(scope, c)).toThrow(ValidationError);
    for (let i = 0; i < c.length; i++) {
      if (c[i] === '.') continue;
      const altered = c.slice(0, i) + (c[i] === 'A' ? 'B' : 'A') + c.slice(i + 1);
      expect(() => codec.decode(scope, altered), `position ${i}`).toThrow(ValidationError);
    }
  });
});
