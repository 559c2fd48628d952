// Item and thread ids: sortable by time, unique and ordered within one millisecond, not guessable
// from a neighbour (THREATS T2, T13).
import { getRandomValues } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isAddressableId, ulidGenerator } from '../../../functions/shared/core/ids';

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const DECODE = (s: string) => [...s].reduce((acc, c) => acc * 32n + BigInt('0123456789ABCDEFGHJKMNPQRSTVWXYZ'.indexOf(c)), 0n);

describe('ulidGenerator', () => {
  it('keeps 10,000 ids made in one millisecond unique and in creation order', () => {
    const at = new Date('2026-11-23T10:00:00.000Z');
    const ids = ulidGenerator({ now: () => at }, (b) => getRandomValues(b));
    const made = Array.from({ length: 10_000 }, () => ids.next());
    expect(new Set(made).size).toBe(made.length);
    expect([...made].sort()).toEqual(made);
    for (const id of made) expect(id).toMatch(ULID);
  });

  it('steps by a random amount within a millisecond, so the next id cannot be derived from one seen', () => {
    const at = new Date('2026-11-23T10:00:00.000Z');
    const ids = ulidGenerator({ now: () => at }, (b) => getRandomValues(b));
    const made = Array.from({ length: 50 }, () => DECODE(ids.next().slice(10)));
    const steps = made.slice(1).map((v, i) => v - made[i]!);
    expect(steps.every((d) => d >= 1n)).toBe(true);
    expect(new Set(steps.map(String)).size).toBeGreaterThan(40);
  });

  it('orders ids from later milliseconds after earlier ones and encodes the time first', () => {
    let ms = Date.parse('2026-11-23T10:00:00.000Z');
    const ids = ulidGenerator({ now: () => new Date(ms) }, (b) => getRandomValues(b));
    const first = ids.next();
    ms += 1;
    const second = ids.next();
    expect(first < second).toBe(true);
    expect(Number(DECODE(second.slice(0, 10)))).toBe(ms);
  });

  it('borrows the next millisecond instead of wrapping when the random part runs out', () => {
    const at = new Date('2026-11-23T10:00:00.000Z');
    const ids = ulidGenerator({ now: () => at }, (b) => b.fill(0xff));
    const first = ids.next();
    const second = ids.next();
    expect(first < second).toBe(true);
    expect(Number(DECODE(second.slice(0, 10)))).toBe(at.getTime() + 1);
  });
});

describe('isAddressableId', () => {
  it('accepts ids up to 128 characters and refuses empty or longer ones', () => {
    expect(isAddressableId('01JABCDEFGHJKMNPQRSTVWXYZ0')).toBe(true);
    expect(isAddressableId('x'.repeat(128))).toBe(true);
    expect(isAddressableId('x'.repeat(129))).toBe(false);
    expect(isAddressableId('')).toBe(false);
  });
});
