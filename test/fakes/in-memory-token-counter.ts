// An in-memory TokenCounter with the DynamoDB adapter's contract (integration tests run the real one).
import type { TokenCounter } from '../../functions/shared/core/token-budget';

export class InMemoryTokenCounter implements TokenCounter {
  readonly counts = new Map<string, number>();
  async used(userId: string, day: string) {
    return this.counts.get(`${userId}|${day}`) ?? 0;
  }
  async add(userId: string, day: string, tokens: number) {
    const key = `${userId}|${day}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + tokens);
  }
}
