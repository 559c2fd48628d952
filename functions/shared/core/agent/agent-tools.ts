// The agent's tools over one principal's task store: reads go to the store, writes are staged for
// the exchange's transaction. Write tools check the policy themselves, whatever the model asks.
import type { IdGenerator } from '../ids';
import { authorize } from '../policy';
import type { Principal } from '../principal';
import { applyTaskPatch, type StagedWrite, type Task, type TaskStore } from '../tasks/task';
import type { AgentTools } from './chat-model';

export interface BoundAgentTools extends AgentTools {
  /** Writes to commit with the reply. */
  readonly staged: StagedWrite[];
  /** Tasks the reply referred to (null: the model did not say). */
  readonly remembered: () => readonly Task[] | null;
}

export function bindAgentTools(
  principal: Principal,
  tasks: TaskStore,
  ids: IdGenerator,
  now: () => string,
): BoundAgentTools {
  const staged: StagedWrite[] = [];
  let remembered: readonly Task[] | null = null;
  const write = () => authorize(principal, 'write');
  return {
    staged,
    remembered: () => remembered,
    listTasks: (status) => tasks.list(status),
    findTask: (taskId) => tasks.get(taskId),
    createTask(title, dueDate) {
      write();
      const at = now();
      const task: Task = { id: ids.next(), title, status: 'open', dueDate, createdAt: at, updatedAt: at };
      staged.push(tasks.stage({ kind: 'create', task }));
      return task;
    },
    completeTask(task) {
      write();
      const at = now();
      staged.push(tasks.stage({ kind: 'update', taskId: task.id, patch: { status: 'done' }, updatedAt: at }));
      return applyTaskPatch(task, { status: 'done' }, at);
    },
    renameTask(task, title) {
      write();
      const at = now();
      staged.push(tasks.stage({ kind: 'update', taskId: task.id, patch: { title }, updatedAt: at }));
      return applyTaskPatch(task, { title }, at);
    },
    deleteTask(task) {
      write();
      staged.push(tasks.stage({ kind: 'delete', taskId: task.id }));
    },
    remember(list) {
      remembered = [...list];
    },
  };
}
