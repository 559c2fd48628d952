// Signed, caller-bound cursors (DESIGN invariant 4, THREATS T6).
import { describe, expect, it } from 'vitest';
import { signCursor, verifyCursor } from '../../../functions/shared/core/cursor';

const SECRET = 'test-secret-0123456789';

describe('signCursor / verifyCursor', () => {
  it('round-trips a position for the same binding', () => {
    const c = signCursor(SECRET, 'admin-audit|a', { sk: '2025#X', day: '2025-01-01' });
    expect(verifyCursor(SECRET, 'admin-audit|a', c)).toEqual({ sk: '2025#X', day: '2025-01-01' });
  });

  it.each([
    ['another binding', (c: string) => c, 'admin-audit|b', SECRET],
    ['another secret', (c: string) => c, 'admin-audit|a', 'other-secret'],
    ['a changed payload', (c: string) => `${Buffer.from('{"sk":"other"}').toString('base64url')}.${c.split('.')[1]}`, 'admin-audit|a', SECRET],
    ['a cut signature', (c: string) => c.slice(0, -3), 'admin-audit|a', SECRET],
    ['no signature', (c: string) => c.split('.')[0]!, 'admin-audit|a', SECRET],
    ['extra parts', (c: string) => `${c}.x`, 'admin-audit|a', SECRET],
    ['garbage', () => '!!!', 'admin-audit|a', SECRET],
  ])('refuses %s with a 400 ValidationError', (_name, mutate, binding, secret) => {
    const c = mutate(signCursor(SECRET, 'admin-audit|a', { sk: 'x' }));
    expect(() => verifyCursor(secret, binding, c)).toThrowError(expect.objectContaining({ name: 'ValidationError', code: 'bad_request' }));
  });
});
