// Tasks (the TaskManager domain) and the per-principal task store port.

/**
 * Most tasks one user may have. It keeps every task list (and what the agent reads) bounded: all of
 * a user's tasks are one Query page (about 250 KB at most).
 */
export const MAX_TASKS_PER_USER = 1000;

export const TASK_STATUSES = ['open', 'done'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** Creation order, ties by id: how every task list is sorted (a tracker's ids need not sort by time). */
export const byCreation = (a: Pick<Task, 'createdAt' | 'id'>, b: Pick<Task, 'createdAt' | 'id'>): number =>
  a.createdAt === b.createdAt ? (a.id < b.id ? -1 : 1) : a.createdAt < b.createdAt ? -1 : 1;

export interface Task {
  readonly id: string;
  readonly title: string;
  readonly status: TaskStatus;
  /** Calendar date `YYYY-MM-DD`. */
  readonly dueDate: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface TaskPatch {
  readonly title?: string;
  readonly status?: TaskStatus;
  readonly dueDate?: string | null;
}

/** A task change to commit together with another write (the agent's reply). */
export type TaskChange =
  | { readonly kind: 'create'; readonly task: Task }
  | { readonly kind: 'update'; readonly taskId: string; readonly patch: TaskPatch; readonly updatedAt: string }
  | { readonly kind: 'delete'; readonly taskId: string }
  /** The task counter moves by `delta` (the net of a reply's creates and deletes); refused past the cap. */
  | { readonly kind: 'count'; readonly delta: number };

/** An adapter-specific write, opaque to the core; only the store that staged it can commit it. */
export interface StagedWrite {
  readonly staged: unknown;
}

export interface TaskStore {
  /** In creation order (ids from outside, such as a tracker's, need not sort by time). */
  list(status?: TaskStatus): Promise<Task[]>;
  get(taskId: string): Promise<Task | null>;
  /** Tasks counted against MAX_TASKS_PER_USER. */
  count(): Promise<number>;
  /**
   * False when this partition already has a task with that id (nothing is changed).
   * @throws TaskLimitError when the user already has MAX_TASKS_PER_USER tasks.
   */
  create(task: Task): Promise<boolean>;
  /** Null when the task is absent from this partition. */
  update(taskId: string, patch: TaskPatch, updatedAt: string): Promise<Task | null>;
  /** False when the task is absent from this partition. */
  delete(taskId: string): Promise<boolean>;
  /** The change as a write for a transaction, keyed in this store's partition. */
  stage(change: TaskChange): StagedWrite;
}

/** Applies a patch to a task in memory (what the store will hold after the write). */
export function applyTaskPatch(task: Task, patch: TaskPatch, updatedAt: string): Task {
  return {
    ...task,
    ...(patch.title !== undefined ? { title: patch.title } : {}),
    ...(patch.status !== undefined ? { status: patch.status } : {}),
    ...(patch.dueDate !== undefined ? { dueDate: patch.dueDate } : {}),
    updatedAt,
  };
}
