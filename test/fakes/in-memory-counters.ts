// In-memory stand-ins for the counter ports, with the same contract as the DynamoDB adapters
// (the integration tests run the real ones against DynamoDB Local).
import type { DenialCounter } from '../../functions/shared/core/enumeration';
import type { RateCounter } from '../../functions/shared/core/rate-limit';
import type { Clock } from '../../functions/shared/core/ports';

export class InMemoryRateCounter implements RateCounter {
  readonly counts = new Map<string, number>();
  async hit(i: Parameters<RateCounter['hit']>[0]) {
    const key = `${i.subject}|${i.bucket}|${i.windowStart}`;
    const count = this.counts.get(key) ?? 0;
    if (count >= i.limit) return { admitted: false, count: i.limit };
    this.counts.set(key, count + 1);
    return { admitted: true, count: count + 1 };
  }
}

export class InMemoryDenialCounter implements DenialCounter {
  readonly counts = new Map<string, number>();
  readonly flagged = new Set<string>();
  async addDenial(userId: string, windowStart: number) {
    const key = `${userId}|${windowStart}`;
    const n = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, n);
    return n;
  }
  async markFlagged(userId: string, windowStart: number) {
    const key = `${userId}|${windowStart}`;
    if (this.flagged.has(key)) return false;
    this.flagged.add(key);
    return true;
  }
}

export function settableClock(iso: string): Clock & { set(iso: string): void } {
  let now = new Date(iso);
  return { now: () => now, set: (v) => (now = new Date(v)) };
}
