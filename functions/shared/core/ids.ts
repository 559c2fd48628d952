// Time-sortable unique ids (ULID layout: 48-bit ms time + 80 random bits, Crockford base32).
// Monotonic within a process so ids made in the same millisecond still sort in creation order; the
// step between them is random too, so one id does not reveal the next.
import type { Clock } from './ports';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const RANDOM_LIMIT = 1n << 80n;

export interface IdGenerator {
  next(): string;
}

function encode(value: bigint, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) {
    out = ALPHABET[Number(value % 32n)] + out;
    value /= 32n;
  }
  return out;
}

const toBigInt = (bytes: Uint8Array): bigint => bytes.reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);

/** @param random - fills a byte array; crypto.getRandomValues in production. */
export function ulidGenerator(clock: Clock, random: (b: Uint8Array) => Uint8Array): IdGenerator {
  let lastMs = -1;
  let lastRand = 0n;
  const fresh = () => toBigInt(random(new Uint8Array(10)));
  return {
    next() {
      const ms = clock.now().getTime();
      if (ms > lastMs) {
        lastMs = ms;
        lastRand = fresh();
      } else {
        // Same (or an earlier) millisecond: step forward by a random 1..2^32 to stay ordered.
        lastRand += 1n + toBigInt(random(new Uint8Array(4)));
        if (lastRand >= RANDOM_LIMIT) {
          lastMs += 1; // exhausted (about 2^48 ids in one ms): borrow the next millisecond
          lastRand = fresh();
        }
      }
      return encode(BigInt(lastMs), 10) + encode(lastRand, 16);
    },
  };
}

/** Longest id any route accepts; ours are 26 characters, a tracker's (webhook) at most this. */
export const MAX_ID_LENGTH = 128;

/**
 * Whether an id could name a stored thread, item or task. Longer ids cannot exist, so callers treat
 * them as absent (the usual 403) without asking DynamoDB, whose key size limit would make them a 500.
 */
export const isAddressableId = (id: string): boolean => id.length > 0 && id.length <= MAX_ID_LENGTH;
