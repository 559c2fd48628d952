// The TaskStore port's contract, run against the in-memory fake (test/unit) and the DynamoDB adapter
// on DynamoDB Local (test/integration).
import { describe, expect, it } from 'vitest';
import type { Task, TaskStore } from '../../functions/shared/core/tasks/task';

export interface TaskStoreWorld {
  readonly mine: TaskStore;
  readonly theirs: TaskStore;
}

let seq = 0;
const task = (title: string, id = `ext-${Date.now().toString(36)}-${++seq}`): Task => {
  const at = new Date(Date.UTC(2026, 0, 1, 0, 0, ++seq)).toISOString();
  return { id, title, status: 'open', dueDate: null, createdAt: at, updatedAt: at };
};

export function taskStoreContract(name: string, world: () => Promise<TaskStoreWorld>): void {
  describe(`TaskStore contract: ${name}`, () => {
    it('creates once per id, gets it back and counts it', async () => {
      const { mine } = await world();
      const t = task('milk');
      expect(await mine.create(t)).toBe(true);
      expect(await mine.create({ ...t, title: 'again' })).toBe(false);
      expect(await mine.get(t.id)).toEqual(t);
      expect(await mine.count()).toBe(1);
    });

    it('lists in creation order, whatever the ids, and filters by status', async () => {
      const { mine } = await world();
      // Ids from a tracker need not sort by time: "zz" is created first.
      const first = task('first', `zz-${++seq}`);
      const second = task('second', `aa-${++seq}`);
      await mine.create(first);
      await mine.create(second);
      expect((await mine.list()).map((t) => t.title)).toEqual(['first', 'second']);
      await mine.update(first.id, { status: 'done' }, '2026-02-01T00:00:00.000Z');
      expect((await mine.list('done')).map((t) => t.title)).toEqual(['first']);
      expect((await mine.list('open')).map((t) => t.title)).toEqual(['second']);
    });

    it('updates a stored task and returns it; null for an absent one', async () => {
      const { mine } = await world();
      const t = task('rent');
      await mine.create(t);
      expect(await mine.update(t.id, { title: 'pay rent', status: 'done' }, '2026-03-01T00:00:00.000Z')).toEqual({ ...t, title: 'pay rent', status: 'done', updatedAt: '2026-03-01T00:00:00.000Z' });
      expect(await mine.update('never-created', { title: 'x' }, '2026-03-01T00:00:00.000Z')).toBeNull();
    });

    it('deletes once and counts it', async () => {
      const { mine } = await world();
      const t = task('temp');
      await mine.create(t);
      expect(await mine.delete(t.id)).toBe(true);
      expect(await mine.get(t.id)).toBeNull();
      expect(await mine.delete(t.id)).toBe(false);
      expect(await mine.count()).toBe(0);
    });

    it('keeps partitions apart', async () => {
      const { mine, theirs } = await world();
      const t = task('mine only');
      await mine.create(t);
      expect(await theirs.get(t.id)).toBeNull();
      expect(await theirs.list()).toEqual([]);
      expect(await theirs.update(t.id, { title: 'pwned' }, '2026-04-01T00:00:00.000Z')).toBeNull();
      expect(await theirs.delete(t.id)).toBe(false);
      expect((await mine.get(t.id))?.title).toBe('mine only');
    });
  });
}
