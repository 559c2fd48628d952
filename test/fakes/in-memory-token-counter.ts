// An in-memory TokenCounter with the DynamoDB adapter's contract (integration tests run the real one).
import type { TokenCounter } from '../../functions/shared/core/token-budget';

export class InMemoryTokenCounter implements TokenCounter {
  readonly counts = new Map<string, number>();
  /** Tokens plus the holds of replies in flight. */
  readonly committed = new Map<string, number>();
  async used(userId: string, day: string) {
    return this.counts.get(`${userId}|${day}`) ?? 0;
  }
  async hold(userId: string, day: string, amount: number, limit: number) {
    const key = `${userId}|${day}`;
    const used = this.counts.get(key) ?? 0;
    const committed = this.committed.get(key) ?? used;
    if (committed >= limit) return { held: false, used };
    this.committed.set(key, committed + amount);
    return { held: true, used };
  }
  async settle(userId: string, day: string, held: number, tokens: number) {
    const key = `${userId}|${day}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + tokens);
    this.committed.set(key, (this.committed.get(key) ?? 0) + tokens - held);
  }
}
