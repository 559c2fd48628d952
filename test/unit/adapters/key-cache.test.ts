// The per-environment key cache: bounded in entries (least recently used goes first) and in age,
// one load for concurrent misses, and a failed load not remembered.
import { describe, expect, it } from 'vitest';
import { keyCache } from '../../../functions/shared/adapters/key-cache';

function manualClock(start = 0) {
  let t = start;
  return { clock: { now: () => new Date(t) }, advance: (ms: number) => void (t += ms) };
}

const counting = () => {
  const loads: string[] = [];
  return { loads, load: (key: string) => async () => (loads.push(key), `value of ${key}`) };
};

describe('keyCache', () => {
  it('keeps at most maxEntries, evicting the least recently used', async () => {
    // Prepare
    const { clock } = manualClock();
    const cache = keyCache<string>({ maxEntries: 2, maxAgeMs: 60_000, clock });
    const { loads, load } = counting();
    // Act
    await cache.get('a', load('a'));
    await cache.get('b', load('b'));
    await cache.get('a', load('a')); // a is now the most recent
    await cache.get('c', load('c')); // evicts b
    await cache.get('a', load('a'));
    await cache.get('b', load('b'));
    // Assess
    expect(cache.size).toBe(2);
    expect(loads).toEqual(['a', 'b', 'c', 'b']);
  });

  it('loads again once an entry is maxAgeMs old, even when it is in constant use', async () => {
    // Prepare
    const { clock, advance } = manualClock();
    const cache = keyCache<string>({ maxEntries: 10, maxAgeMs: 300_000, clock });
    const { loads, load } = counting();
    // Act
    for (let i = 0; i < 10; i++) {
      await cache.get('a', load('a'));
      advance(29_999);
    }
    advance(10);
    await cache.get('a', load('a'));
    // Assess: ten uses within 299,990 ms were one load; the use at 300,000 ms is a second
    expect(loads).toEqual(['a', 'a']);
  });

  it('shares one load among concurrent misses, and forgets a failed load', async () => {
    // Prepare
    const { clock } = manualClock();
    const cache = keyCache<string>({ maxEntries: 10, maxAgeMs: 60_000, clock });
    let calls = 0;
    const failing = async () => {
      calls++;
      throw new Error('KMS throttled');
    };
    // Act
    const results = await Promise.allSettled([cache.get('a', failing), cache.get('a', failing), cache.get('a', failing)]);
    const retried = await cache.get('a', async () => 'loaded');
    // Assess
    expect(calls).toBe(1);
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    expect(retried).toBe('loaded');
  });
});
