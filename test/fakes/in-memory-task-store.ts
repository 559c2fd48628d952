// An in-memory TaskStore for unit tests, held to the adapter's contract (test/contracts/task-store.contract.ts); staged changes are applied by `commit`, as the transaction would.
import { TaskLimitError } from '../../functions/shared/core/errors';
import { applyTaskPatch, byCreation, MAX_TASKS_PER_USER, type StagedWrite, type Task, type TaskChange, type TaskStore } from '../../functions/shared/core/tasks/task';

export class InMemoryTaskStore implements TaskStore {
  readonly tasks = new Map<string, Task>();
  reads = 0;

  async list(status?: Task['status']) {
    this.reads++;
    return [...this.tasks.values()].filter((t) => !status || t.status === status).sort(byCreation);
  }
  async get(taskId: string) {
    this.reads++;
    return this.tasks.get(taskId) ?? null;
  }
  async count() {
    return this.tasks.size;
  }
  async create(task: Task) {
    if (this.tasks.has(task.id)) return false;
    if (this.tasks.size >= MAX_TASKS_PER_USER) throw new TaskLimitError(MAX_TASKS_PER_USER);
    this.tasks.set(task.id, task);
    return true;
  }
  async update(taskId: string, patch: Parameters<TaskStore['update']>[1], updatedAt: string) {
    const t = this.tasks.get(taskId);
    if (!t) return null;
    const next = applyTaskPatch(t, patch, updatedAt);
    this.tasks.set(taskId, next);
    return next;
  }
  async delete(taskId: string) {
    return this.tasks.delete(taskId);
  }
  stage(change: TaskChange): StagedWrite {
    return { staged: change };
  }
  commit(staged: readonly StagedWrite[]) {
    for (const { staged: c } of staged as ReadonlyArray<{ staged: TaskChange }>) {
      if (c.kind === 'create') this.tasks.set(c.task.id, c.task);
      else if (c.kind === 'delete') this.tasks.delete(c.taskId);
      else if (c.kind === 'count') continue; // the map's size is the count
      else this.tasks.set(c.taskId, applyTaskPatch(this.tasks.get(c.taskId)!, c.patch, c.updatedAt));
    }
  }
}
