// Time-sortable unique ids (ULID layout: 48-bit ms time + 80 random bits, Crockford base32).
// Monotonic within a process so ids made in the same millisecond still sort in creation order.
import type { Clock } from './ports';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export interface IdGenerator {
  next(): string;
}

function encodeTime(ms: number): string {
  let out = '';
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[ms % 32] + out;
    ms = Math.floor(ms / 32);
  }
  return out;
}

/** @param random - fills a byte array; crypto.getRandomValues in production. */
export function ulidGenerator(clock: Clock, random: (b: Uint8Array) => Uint8Array): IdGenerator {
  let lastMs = -1;
  let lastRand: number[] = [];
  return {
    next() {
      const ms = clock.now().getTime();
      if (ms <= lastMs) {
        // Same (or earlier) millisecond: increment the random part to stay ordered.
        let i = lastRand.length - 1;
        while (i >= 0 && lastRand[i] === 31) lastRand[i--] = 0;
        if (i >= 0) lastRand[i] = (lastRand[i] ?? 0) + 1;
      } else {
        lastMs = ms;
        lastRand = Array.from(random(new Uint8Array(16)), (b) => b % 32);
      }
      return encodeTime(lastMs) + lastRand.map((n) => ALPHABET[n]).join('');
    },
  };
}
