// DESIGN invariant 5 / THREATS T6: no id or `sub` can forge another key. Escaping is injective and
// leaves no separator inside a component, so distinct inputs always build distinct keys.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeKeyPart, keys, unescapeKeyPart } from '../../../functions/shared/core/keys';
import { tenantIdOf } from '../../../functions/shared/adapters/tenant-id';

// Strings rich in the characters that matter: the separator, the escape character and hex digits.
const tricky = fc.oneof(
  fc.string(),
  fc.array(fc.constantFrom('#', '%', '2', '3', '5', 'A', 'a', 'ITEM', 'USER', ':', '|'), { maxLength: 12 }).map((a) => a.join('')),
);

describe('key building', () => {
  it('escapes every component so that it holds no separator and round-trips exactly', () => {
    fc.assert(
      fc.property(tricky, (s) => {
        expect(escapeKeyPart(s)).not.toContain('#');
        expect(unescapeKeyPart(escapeKeyPart(s))).toBe(s);
      }),
      { numRuns: 2000 },
    );
  });

  it('never builds one key from two different (user, thread, item) triples', () => {
    fc.assert(
      fc.property(tricky, tricky, tricky, tricky, tricky, tricky, (u1, t1, i1, u2, t2, i2) => {
        const same = u1 === u2 && t1 === t2 && i1 === i2;
        const k1 = `${keys.userPk(tenantIdOf(u1))}|${keys.itemSk(t1, i1)}`;
        const k2 = `${keys.userPk(tenantIdOf(u2))}|${keys.itemSk(t2, i2)}`;
        expect(k1 === k2).toBe(same);
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps one thread\'s item prefix from matching another thread\'s items', () => {
    fc.assert(
      fc.property(tricky, tricky, tricky, (a, b, item) => {
        fc.pre(a !== b);
        expect(keys.itemSk(b, item).startsWith(keys.itemSkPrefix(a))).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it.each([
    ['a sub that spells another user\'s key', 'alice#THREAD#1', 'alice'],
    ['an escaped separator typed in by hand', 'alice%23x', 'alice#x'],
  ])('keeps %s in its own partition', (_name, hostile, victim) => {
    expect(keys.userPk(tenantIdOf(hostile))).not.toBe(keys.userPk(tenantIdOf(victim)));
    expect(keys.userPk(tenantIdOf(hostile)).startsWith(`${keys.userPk(tenantIdOf(victim))}#`)).toBe(false);
  });
});
