// What each source's delivery does, decided (and validated) before anything is stored.
// `tasks` applies an external tracker's task events to a user's tasks; other sources are stored only.
import { z } from 'zod';
import { ValidationError } from '../shared/core/errors';
import type { WebhookEffect } from '../shared/core/webhooks';
import type { TaskSink } from './task-sink';

const userId = z.string().min(1).max(600);
const taskId = z.string().min(1).max(128);
const title = z.string().trim().min(1).max(500);

const TaskEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('task.created'), userId, taskId: taskId.optional(), title }),
  z.object({ type: z.literal('task.completed'), userId, taskId, title: title.optional() }),
]);

export interface SourceDeps {
  readonly tasks: TaskSink;
}

export function effectFor(deps: SourceDeps, source: string, payload: Record<string, unknown>): WebhookEffect {
  if (source !== 'tasks') return async () => 'stored';
  const parsed = TaskEvent.safeParse(payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
    throw new ValidationError(`Invalid tasks event: ${where}${issue?.message ?? 'invalid'}`);
  }
  const event = parsed.data;
  if (event.type === 'task.created') {
    // Without a taskId the event id names the task, so a retried delivery cannot create it twice.
    return async (eventId) =>
      (await deps.tasks.created(event.userId, { taskId: event.taskId ?? eventId, title: event.title }))
        ? 'task_created'
        : 'task_exists';
  }
  return async () => ((await deps.tasks.completed(event.userId, event.taskId)) ? 'task_completed' : 'task_not_found');
}
