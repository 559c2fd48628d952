// The agent's view of one principal's tasks during one reply. Reads go to `taskStore(principal)`;
// changes are kept here and become staged writes committed with the reply (one transaction), so a
// tool effect never exists without the reply that announced it. Several changes to one task in one
// reply (create, then complete) merge into one write, as a transaction may touch an item only once.
import { TaskLimitError } from '../errors';
import { authorize } from '../policy';
import type { IdGenerator } from '../ids';
import type { Principal } from '../principal';
import { applyTaskPatch, byCreation, MAX_TASKS_PER_USER, type StagedWrite, type Task, type TaskPatch, type TaskStatus, type TaskStore } from '../tasks/task';

interface Change {
  /** The task as stored before this reply; null when this reply created it. */
  readonly before: Task | null;
  /** The task after this reply; null when this reply deleted it. */
  after: Task | null;
}

export interface TaskWorkspace {
  list(status: TaskStatus | undefined): Promise<Task[]>;
  get(taskId: string): Promise<Task | null>;
  /** @throws TaskLimitError when the user's tasks, with this reply's, would pass MAX_TASKS_PER_USER. */
  create(title: string, dueDate: string | null): Promise<Task>;
  update(task: Task, patch: TaskPatch): Task;
  remove(task: Task): void;
  /** The writes to commit with the reply. */
  staged(): StagedWrite[];
}

export function taskWorkspace(principal: Principal, store: TaskStore, ids: IdGenerator, now: () => string): TaskWorkspace {
  const changes = new Map<string, Change>();
  const write = () => authorize(principal, 'tasks.write'); // the loop refuses write tools first; this is the second wall
  let stored: number | null = null; // the counter, read once per reply on its first create
  /** Tasks this reply adds (creates) minus those it removes (deletes of stored tasks). */
  const netChange = () => {
    let n = 0;
    for (const { before, after } of changes.values()) n += (after ? 1 : 0) - (before ? 1 : 0);
    return n;
  };
  return {
    async list(status) {
      const stored = await store.list(status);
      const out = stored.filter((t) => !changes.has(t.id));
      for (const c of changes.values()) if (c.after && (!status || c.after.status === status)) out.push(c.after);
      return out.sort(byCreation);
    },
    async get(taskId) {
      const c = changes.get(taskId);
      return c ? c.after : store.get(taskId);
    },
    async create(title, dueDate) {
      write();
      stored ??= await store.count();
      if (stored + netChange() + 1 > MAX_TASKS_PER_USER) throw new TaskLimitError(MAX_TASKS_PER_USER);
      const at = now();
      const task: Task = { id: ids.next(), title, status: 'open', dueDate, createdAt: at, updatedAt: at };
      changes.set(task.id, { before: null, after: task });
      return task;
    },
    update(task, patch) {
      write();
      const next = applyTaskPatch(task, patch, now());
      const c = changes.get(task.id);
      if (c) c.after = next;
      else changes.set(task.id, { before: task, after: next });
      return next;
    },
    remove(task) {
      write();
      const c = changes.get(task.id);
      if (c) c.after = null;
      else changes.set(task.id, { before: task, after: null });
    },
    staged() {
      const out: StagedWrite[] = [];
      for (const [taskId, { before, after }] of changes) {
        if (!before && after) out.push(store.stage({ kind: 'create', task: after }));
        else if (before && !after) out.push(store.stage({ kind: 'delete', taskId }));
        else if (before && after) {
          const patch = { title: after.title, status: after.status, dueDate: after.dueDate };
          out.push(store.stage({ kind: 'update', taskId, patch, updatedAt: after.updatedAt }));
        }
      }
      const delta = netChange();
      if (delta !== 0) out.push(store.stage({ kind: 'count', delta }));
      return out;
    },
  };
}
