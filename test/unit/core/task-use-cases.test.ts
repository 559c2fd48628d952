// Task use cases over a store: a create that did not store is never reported as created.
import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../../functions/shared/core/errors';
import type { Principal } from '../../../functions/shared/core/principal';
import { createTask } from '../../../functions/shared/core/tasks/task-use-cases';
import { InMemoryTaskStore } from '../../fakes/in-memory-task-store';

const alice: Principal = { userId: 'u-alice', roles: ['user'], authMethod: 'jwt', keyId: null, readOnly: false, email: null };

describe('createTask', () => {
  it('refuses with a conflict, and leaves the stored task as it was, when the id is already taken', async () => {
    const store = new InMemoryTaskStore();
    const deps = { tasks: () => store, clock: { now: () => new Date('2026-11-23T10:00:00Z') }, ids: { next: () => 'TRACKER-1' } };
    await store.create({ id: 'TRACKER-1', title: 'from the tracker', status: 'open', dueDate: null, createdAt: 'x', updatedAt: 'x' });
    await expect(createTask(deps, alice, { title: 'mine' })).rejects.toBeInstanceOf(ConflictError);
    expect((await store.get('TRACKER-1'))?.title).toBe('from the tracker');
  });

  it('returns the task it stored', async () => {
    const store = new InMemoryTaskStore();
    const deps = { tasks: () => store, clock: { now: () => new Date('2026-11-23T10:00:00Z') }, ids: { next: () => '01JTASK0000000000000000000' } };
    const task = await createTask(deps, alice, { title: 'mine', dueDate: '2026-11-24' });
    expect(await store.get(task.id)).toEqual(task);
  });
});
