// Task use cases over the caller's own task store. Not found and not yours are one 403.
import { BAD_CURSOR_MESSAGE, type CursorCodec, type CursorScope } from '../cursor';
import { ConflictError, ForbiddenError, TASK_NOT_FOUND_MESSAGE, ValidationError } from '../errors';
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

export interface TaskListDeps extends TaskDeps {
  readonly cursors: CursorCodec;
}

export interface TaskPageRequest {
  readonly status?: TaskStatus | undefined;
  readonly limit: number;
  readonly cursor: string | null;
}

/** Where a page ends: the last task's place in creation order (createdAt, then id, as the store sorts). */
type Position = readonly [createdAt: string, id: string];

function positionOf(raw: string): Position {
  const p: unknown = JSON.parse(raw);
  if (!Array.isArray(p) || p.length !== 2 || typeof p[0] !== 'string' || typeof p[1] !== 'string') throw new ValidationError(BAD_CURSOR_MESSAGE);
  return [p[0], p[1]];
}

const isAfter = (t: Task, [createdAt, id]: Position) => t.createdAt > createdAt || (t.createdAt === createdAt && t.id > id);

/**
 * A page of the caller's tasks in creation order. The cursor is signed and bound to the caller and
 * the status filter. The store reads the user's tasks at once (bounded by MAX_TASKS_PER_USER): a
 * tracker's own ids need not sort by time, so key order is not creation order.
 */
export async function listTasks(deps: TaskListDeps, principal: Principal, req: TaskPageRequest): Promise<{ data: Task[]; nextCursor: string | null }> {
  authorize(principal, 'tasks.read');
  const scope: CursorScope = { userId: principal.userId, list: 'tasks', order: req.status ?? '' };
  const after = req.cursor === null ? null : positionOf(deps.cursors.decode(scope, req.cursor));
  const all = await deps.tasks(principal).list(req.status);
  const rest = after ? all.filter((t) => isAfter(t, after)) : all;
  const data = rest.slice(0, req.limit);
  const last = data[data.length - 1];
  const nextCursor = rest.length > req.limit && last ? deps.cursors.encode(scope, JSON.stringify([last.createdAt, last.id])) : null;
  return { data, nextCursor };
}

export async function createTask(deps: TaskDeps, principal: Principal, input: { title: string; dueDate?: string | null | undefined }): Promise<Task> {
  authorize(principal, 'tasks.write');
  const now = deps.clock.now().toISOString();
  const task: Task = { id: deps.ids.next(), title: input.title, status: 'open', dueDate: input.dueDate ?? null, createdAt: now, updatedAt: now };
  // A fresh id cannot collide with ours; one a tracker chose (webhook) could, and must not pass as created.
  if (!(await deps.tasks(principal).create(task))) throw new ConflictError('A task with this id already exists; please try again');
  return task;
}

export async function updateTask(deps: TaskDeps, principal: Principal, taskId: string, patch: TaskPatch): Promise<Task> {
  authorize(principal, 'tasks.write');
  if (!isAddressableId(taskId)) throw taskNotFound();
  const updated = await deps.tasks(principal).update(taskId, patch, deps.clock.now().toISOString());
  if (!updated) throw taskNotFound();
  return updated;
}

export async function deleteTask(deps: TaskDeps, principal: Principal, taskId: string): Promise<void> {
  authorize(principal, 'tasks.write');
  if (!isAddressableId(taskId) || !(await deps.tasks(principal).delete(taskId))) throw taskNotFound();
}
