// Key material cached per execution environment: at most `maxEntries` entries (least recently used
// goes first) and each for at most `maxAgeMs` from when it was loaded, so a destroyed key or a revoked
// KMS grant stops working here within that time. Concurrent misses for one key share one load.
import type { Clock } from '../core/ports';

export interface KeyCacheOptions {
  readonly maxEntries: number;
  readonly maxAgeMs: number;
  readonly clock: Clock;
}

export interface KeyCache<V> {
  /** The cached value, or `load()`'s (cached only when it resolves). */
  get(key: string, load: () => Promise<V>): Promise<V>;
  delete(key: string): void;
  readonly size: number;
}

export function keyCache<V>({ maxEntries, maxAgeMs, clock }: KeyCacheOptions): KeyCache<V> {
  // A Map iterates in insertion order: re-inserting on use keeps the least recently used first.
  const entries = new Map<string, { value: Promise<V>; loadedAt: number }>();
  return {
    get(key, load) {
      const now = clock.now().getTime();
      const hit = entries.get(key);
      if (hit && now - hit.loadedAt < maxAgeMs) {
        entries.delete(key);
        entries.set(key, hit);
        return hit.value;
      }
      entries.delete(key);
      const value = load();
      const entry = { value, loadedAt: now };
      entries.set(key, entry);
      // A failed load is not remembered: the next request tries again.
      value.catch(() => entries.get(key) === entry && entries.delete(key));
      while (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
      return value;
    },
    delete: (key) => void entries.delete(key),
    get size() {
      return entries.size;
    },
  };
}
