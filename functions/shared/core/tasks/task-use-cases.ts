// Task use cases over the caller's own task store. Not found and not yours are one 403.
import { ConflictError, ForbiddenError, TASK_NOT_FOUND_MESSAGE } from '../errors';
import { isAddressableId, type IdGenerator } from '../ids';
import { authorize } from '../policy';
import type { Clock } from '../ports';
import type { Principal } from '../principal';
import type { Task, TaskPatch, TaskStatus, TaskStore } from './task';

export interface TaskDeps {
  readonly tasks: (principal: Principal) => TaskStore;
  readonly clock: Clock;
  readonly ids: IdGenerator;
}

const taskNotFound = () => new ForbiddenError(TASK_NOT_FOUND_MESSAGE);

export function listTasks(deps: TaskDeps, principal: Principal, status?: TaskStatus): Promise<Task[]> {
  authorize(principal, 'read');
  return deps.tasks(principal).list(status);
}

export async function createTask(deps: TaskDeps, principal: Principal, input: { title: string; dueDate?: string | null | undefined }): Promise<Task> {
  authorize(principal, 'write');
  const now = deps.clock.now().toISOString();
  const task: Task = { id: deps.ids.next(), title: input.title, status: 'open', dueDate: input.dueDate ?? null, createdAt: now, updatedAt: now };
  // A fresh id cannot collide with ours; one a tracker chose (webhook) could, and must not pass as created.
  if (!(await deps.tasks(principal).create(task))) throw new ConflictError('A task with this id already exists; please try again');
  return task;
}

export async function updateTask(deps: TaskDeps, principal: Principal, taskId: string, patch: TaskPatch): Promise<Task> {
  authorize(principal, 'write');
  if (!isAddressableId(taskId)) throw taskNotFound();
  const updated = await deps.tasks(principal).update(taskId, patch, deps.clock.now().toISOString());
  if (!updated) throw taskNotFound();
  return updated;
}

export async function deleteTask(deps: TaskDeps, principal: Principal, taskId: string): Promise<void> {
  authorize(principal, 'write');
  if (!isAddressableId(taskId) || !(await deps.tasks(principal).delete(taskId))) throw taskNotFound();
}
