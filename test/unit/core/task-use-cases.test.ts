// Task use cases over a store: a create that did not store is never reported as created; the
// per-user cap; pages in creation order with cursors bound to the caller and the filter.
import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../../functions/shared/core/errors';
import type { Principal } from '../../../functions/shared/core/principal';
import { cursorCodec } from '../../../functions/shared/core/cursor';
import { MAX_TASKS_PER_USER, type Task } from '../../../functions/shared/core/tasks/task';
import { createTask, listTasks } from '../../../functions/shared/core/tasks/task-use-cases';
import { TaskLimitError, ValidationError } from '../../../functions/shared/core/errors';
import { toErrorResponse } from '../../../functions/shared/lambda/error-map';
import { InMemoryTaskStore } from '../../fakes/in-memory-task-store';
import { hmacSigner } from '../../../functions/shared/adapters/node-crypto';

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

describe('the task cap', () => {
  it(`refuses the create after ${MAX_TASKS_PER_USER} tasks with a 409 that says why`, async () => {
    const store = new InMemoryTaskStore();
    let n = 0;
    const deps = { tasks: () => store, clock: { now: () => new Date('2026-11-23T10:00:00Z') }, ids: { next: () => `T${n++}` } };
    for (let i = 0; i < MAX_TASKS_PER_USER; i++) await createTask(deps, alice, { title: `t${i}` });
    const refused = await createTask(deps, alice, { title: 'one more' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TaskLimitError);
    expect(toErrorResponse(refused)).toMatchObject({
      statusCode: 409,
      body: { error: { code: 'conflict', message: `You have reached the limit of ${MAX_TASKS_PER_USER} tasks; delete some first` } },
    });
    expect(store.tasks.size).toBe(MAX_TASKS_PER_USER);
  });
});

describe('listTasks pages', () => {
  const codec = cursorCodec(hmacSigner('a-cursor-secret-for-unit-tests'));
  const task = (id: string, createdAt: string, status: Task['status'] = 'open'): Task => ({ id, title: id, status, dueDate: null, createdAt, updatedAt: createdAt });

  async function setup() {
    const store = new InMemoryTaskStore();
    // A tracker's id ("zz-first") sorts after ours but was created first: pages follow creation time.
    await store.create(task('zz-first', '2026-01-01T00:00:00.000Z'));
    for (let i = 0; i < 6; i++) await store.create(task(`a${i}`, `2026-01-02T00:00:0${i}.000Z`, i % 2 ? 'done' : 'open'));
    store.list = async (status) => [...store.tasks.values()].filter((t) => !status || t.status === status).sort((a, b) => (a.createdAt < b.createdAt ? -1 : 1));
    return { tasks: () => store, clock: { now: () => new Date() }, ids: { next: () => 'x' }, cursors: codec };
  }

  it('walks every task once, in creation order, and ends with a null cursor', async () => {
    const deps = await setup();
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof listTasks>> = await listTasks(deps, alice, { limit: 3, cursor });
      ids.push(...page.data.map((t) => t.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(ids).toEqual(['zz-first', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5']);
    expect((await listTasks(deps, alice, { limit: 7, cursor: null })).nextCursor).toBeNull();
  });

  it('binds the cursor to the caller and the status filter', async () => {
    const deps = await setup();
    const first = await listTasks(deps, alice, { status: 'open', limit: 1, cursor: null });
    expect(first.data.map((t) => t.id)).toEqual(['zz-first']);
    expect((await listTasks(deps, alice, { status: 'open', limit: 5, cursor: first.nextCursor })).data.map((t) => t.id)).toEqual(['a0', 'a2', 'a4']);
    const bob = { ...alice, userId: 'u-bob' };
    await expect(listTasks(deps, bob, { status: 'open', limit: 5, cursor: first.nextCursor })).rejects.toBeInstanceOf(ValidationError);
    await expect(listTasks(deps, alice, { limit: 5, cursor: first.nextCursor })).rejects.toBeInstanceOf(ValidationError);
  });
});
