// The ThreadStore port's contract, run against the in-memory fake (test/unit) and the DynamoDB
// adapter on DynamoDB Local (test/integration), so the fake the unit tests lean on behaves as the
// adapter does.
import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../functions/shared/core/errors';
import { EMPTY_MEMORY, RETRY_MAX_REPLACED, type Item, type ThreadRecord, type ThreadStore } from '../../functions/shared/core/threads/thread';

export interface ThreadStoreWorld {
  /** A store of one user's partition. */
  readonly mine: ThreadStore;
  /** Another user's. */
  readonly theirs: ThreadStore;
}

let seq = 0;
/** Ids that sort by creation, as the service's ULIDs do. */
const nextId = (prefix: string) => `${prefix}${Date.now().toString(36).padStart(10, '0')}${String(++seq).padStart(6, '0')}`.toUpperCase();

const record = (title: string): ThreadRecord => {
  const at = new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString();
  return { id: nextId('01T'), title, metadata: { n: seq }, createdAt: at, updatedAt: at, agentMemory: EMPTY_MEMORY };
};
const item = (threadId: string, content: string): Item => ({ id: nextId('01I'), threadId, type: 'user_message', content, createdAt: new Date().toISOString() });
const reply = (threadId: string, content: string): Item => ({ ...item(threadId, content), type: 'assistant_message', status: 'done' });

export function threadStoreContract(name: string, world: () => Promise<ThreadStoreWorld>): void {
  describe(`ThreadStore contract: ${name}`, () => {
    it('gets what it created, and nothing for an id it never stored', async () => {
      const { mine } = await world();
      const t = record('first');
      await mine.create(t);
      expect(await mine.get(t.id)).toEqual(t);
      expect(await mine.get(nextId('01T'))).toBeNull();
    });

    it('lists newest first', async () => {
      const { mine } = await world();
      const a = record('a');
      const b = record('b');
      await mine.create(a);
      await mine.create(b);
      const ids = (await mine.list(100, null)).data.map((t) => t.id);
      expect(ids.indexOf(b.id)).toBeLessThan(ids.indexOf(a.id));
    });

    it('updates a stored thread and returns it; null for an absent one', async () => {
      const { mine } = await world();
      const t = record('before');
      await mine.create(t);
      const updated = await mine.update(t.id, { title: 'after' }, '2026-02-01T00:00:00.000Z');
      expect(updated).toMatchObject({ id: t.id, title: 'after', metadata: t.metadata, updatedAt: '2026-02-01T00:00:00.000Z' });
      expect((await mine.get(t.id))?.title).toBe('after');
      expect(await mine.update(nextId('01T'), { title: 'x' }, '2026-02-01T00:00:00.000Z')).toBeNull();
    });

    it('appends an exchange only to a stored thread, and lists its items in both orders', async () => {
      const { mine } = await world();
      const t = record('talk');
      await mine.create(t);
      const first = item(t.id, 'hello');
      const second = item(t.id, 'hi there');
      expect(await mine.appendExchange(t.id, [first, second], EMPTY_MEMORY, [], '2026-03-01T00:00:00.000Z')).toBe(true);
      expect((await mine.listItems(t.id, { limit: 10, order: 'asc', after: null })).data.map((i) => i.content)).toEqual(['hello', 'hi there']);
      expect((await mine.listItems(t.id, { limit: 10, order: 'desc', after: null })).data.map((i) => i.content)).toEqual(['hi there', 'hello']);
      const absent = nextId('01T');
      expect(await mine.appendExchange(absent, [item(absent, 'lost')], EMPTY_MEMORY, [], '2026-03-01T00:00:00.000Z')).toBe(false);
      expect((await mine.listItems(absent, { limit: 10, order: 'asc', after: null })).data).toEqual([]);
    });

    it('finds an item and counts the items after it (up to the bound); null for an id the thread does not hold', async () => {
      const { mine } = await world();
      const t = record('find');
      await mine.create(t);
      const [a, b, c] = [item(t.id, 'a'), reply(t.id, 'b'), item(t.id, 'c')];
      await mine.appendExchange(t.id, [a, b, c], EMPTY_MEMORY, [], '2026-03-02T00:00:00.000Z');
      expect(await mine.findItem(t.id, a.id, 10)).toEqual({ item: a, following: 2 });
      expect(await mine.findItem(t.id, a.id, 1)).toEqual({ item: a, following: 1 });
      expect(await mine.findItem(t.id, b.id, 10)).toEqual({ item: b, following: 1 });
      expect(await mine.findItem(t.id, c.id, 10)).toEqual({ item: c, following: 0 });
      expect(await mine.findItem(t.id, nextId('01I'), 10)).toBeNull();
      const other = record('other');
      await mine.create(other);
      expect(await mine.findItem(other.id, a.id, 10)).toBeNull();
    });

    it('a retry\'s exchange replaces every item after the message with the new ones, and moves the thread', async () => {
      const { mine } = await world();
      const t = record('retry');
      await mine.create(t);
      const first = [item(t.id, 'one'), reply(t.id, 'answer one')];
      const second = [item(t.id, 'two'), reply(t.id, 'answer two')];
      await mine.appendExchange(t.id, first, EMPTY_MEMORY, [], '2026-03-03T00:00:00.000Z');
      await mine.appendExchange(t.id, second, EMPTY_MEMORY, [], '2026-03-03T00:00:01.000Z');
      const again = reply(t.id, 'answer one, again');
      const memory = { recentTasks: [{ id: 't-1', title: 'remembered' }] };
      expect(await mine.replaceAfter(t.id, first[0]!.id, [again], memory, [], '2026-03-03T00:00:02.000Z')).toBe(true);
      expect((await mine.listItems(t.id, { limit: 10, order: 'asc', after: null })).data).toEqual([first[0], again]);
      expect(await mine.get(t.id)).toMatchObject({ updatedAt: '2026-03-03T00:00:02.000Z', agentMemory: memory });
      // The last message's retry replaces its one reply; a retry of a message with nothing after it adds.
      const last = reply(t.id, 'answer one, third');
      expect(await mine.replaceAfter(t.id, first[0]!.id, [last], memory, [], '2026-03-03T00:00:03.000Z')).toBe(true);
      expect((await mine.listItems(t.id, { limit: 10, order: 'asc', after: null })).data.map((i) => i.content)).toEqual(['one', 'answer one, third']);
    });

    it('a retry\'s exchange writes nothing for a message the thread does not hold or an absent thread, and refuses to replace more than the bound', async () => {
      const { mine } = await world();
      const t = record('retry-refused');
      await mine.create(t);
      const exchange = [item(t.id, 'only'), reply(t.id, 'answer')];
      await mine.appendExchange(t.id, exchange, EMPTY_MEMORY, [], '2026-03-04T00:00:00.000Z');
      expect(await mine.replaceAfter(t.id, nextId('01I'), [reply(t.id, 'lost')], EMPTY_MEMORY, [], '2026-03-04T00:00:01.000Z')).toBe(false);
      const absent = nextId('01T');
      expect(await mine.replaceAfter(absent, exchange[0]!.id, [reply(absent, 'lost')], EMPTY_MEMORY, [], '2026-03-04T00:00:01.000Z')).toBe(false);
      expect((await mine.listItems(t.id, { limit: 10, order: 'asc', after: null })).data).toEqual(exchange);
      expect((await mine.get(t.id))?.updatedAt).toBe('2026-03-04T00:00:00.000Z');

      const long = record('retry-long');
      await mine.create(long);
      const first = item(long.id, 'first');
      const tail = Array.from({ length: RETRY_MAX_REPLACED + 1 }, (_, i) => reply(long.id, `r${i}`));
      await mine.appendExchange(long.id, [first, ...tail], EMPTY_MEMORY, [], '2026-03-04T00:00:02.000Z');
      await expect(mine.replaceAfter(long.id, first.id, [reply(long.id, 'x')], EMPTY_MEMORY, [], '2026-03-04T00:00:03.000Z')).rejects.toBeInstanceOf(ConflictError);
      expect((await mine.listItems(long.id, { limit: 100, order: 'asc', after: null })).data).toHaveLength(RETRY_MAX_REPLACED + 2);
      // The next message's retry is within the bound.
      expect(await mine.replaceAfter(long.id, tail[0]!.id, [reply(long.id, 'y')], EMPTY_MEMORY, [], '2026-03-04T00:00:04.000Z')).toBe(true);
      expect((await mine.listItems(long.id, { limit: 100, order: 'asc', after: null })).data.map((i) => i.content)).toEqual(['first', 'r0', 'y']);
    });

    it('deletes a thread with its items once; a second delete and a delete of a changed thread are false', async () => {
      const { mine } = await world();
      const t = record('doomed');
      await mine.create(t);
      await mine.appendExchange(t.id, [item(t.id, 'bye')], EMPTY_MEMORY, [], '2026-04-01T00:00:00.000Z');
      const kept = record('kept');
      await mine.create(kept);
      expect(await mine.delete(kept.id, { unchangedSince: '1999-01-01T00:00:00.000Z' })).toBe(false);
      expect(await mine.get(kept.id)).not.toBeNull();
      expect(await mine.delete(t.id)).toBe(true);
      expect(await mine.get(t.id)).toBeNull();
      expect((await mine.listItems(t.id, { limit: 10, order: 'asc', after: null })).data).toEqual([]);
      expect((await mine.list(100, null)).data.map((x) => x.id)).not.toContain(t.id);
      expect(await mine.delete(t.id)).toBe(false);
    });

    it('keeps partitions apart: another user neither sees nor changes the thread', async () => {
      const { mine, theirs } = await world();
      const t = record('private');
      await mine.create(t);
      expect(await theirs.get(t.id)).toBeNull();
      expect((await theirs.list(100, null)).data.map((x) => x.id)).not.toContain(t.id);
      expect(await theirs.update(t.id, { title: 'pwned' }, '2026-05-01T00:00:00.000Z')).toBeNull();
      expect(await theirs.appendExchange(t.id, [item(t.id, 'pwned')], EMPTY_MEMORY, [], '2026-05-01T00:00:00.000Z')).toBe(false);
      expect(await theirs.delete(t.id)).toBe(false);
      const mineItem = item(t.id, 'mine');
      await mine.appendExchange(t.id, [mineItem], EMPTY_MEMORY, [], '2026-05-01T00:00:00.000Z');
      expect(await theirs.findItem(t.id, mineItem.id, 10)).toBeNull();
      expect(await theirs.replaceAfter(t.id, mineItem.id, [reply(t.id, 'pwned')], EMPTY_MEMORY, [], '2026-05-01T00:00:01.000Z')).toBe(false);
      expect((await mine.listItems(t.id, { limit: 10, order: 'asc', after: null })).data).toEqual([mineItem]);
      expect((await mine.get(t.id))?.title).toBe('private');
    });
  });
}
