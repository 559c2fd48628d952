// What each source's delivery does, decided (and validated) before anything is stored.
// `tasks` applies an external tracker's task events to a user's tasks, through that user's own task
// store (the same one the API and the agent use); other sources are stored only.
import * as z from 'zod';
import type { Clock } from '../shared/core/ports';
import { isPossibleUserId, type Principal } from '../shared/core/principal';
import { TaskLimitError } from '../shared/core/errors';
import type { TaskStore } from '../shared/core/tasks/task';
import type { WebhookEffect } from '../shared/core/webhooks';
import { idSchema, parse, taskTitleSchema } from '../shared/lambda/validation';

const userId = z.string().min(1).refine(isPossibleUserId, 'too long or not well-formed Unicode');
const taskId = idSchema;

export const TaskEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('task.created'), userId, taskId: taskId.optional(), title: taskTitleSchema }),
  z.object({ type: z.literal('task.completed'), userId, taskId, title: taskTitleSchema.optional() }),
]);

export interface SourceDeps {
  readonly tasks: (principal: Principal) => TaskStore;
  readonly clock: Clock;
}

/** The sender acts for this one user: a plain user's rights, in that user's partition only. */
const actingFor = (userId: string): Principal => ({
  userId,
  roles: ['user'],
  authMethod: 'webhook',
  keyId: null,
  readOnly: false,
  email: null,
});

export function effectFor(deps: SourceDeps, source: string, payload: Record<string, unknown>): WebhookEffect {
  if (source !== 'tasks') return async () => 'stored';
  const event = parse(TaskEvent, payload, 'Invalid tasks event');
  const store = deps.tasks(actingFor(event.userId));
  const now = () => deps.clock.now().toISOString();
  if (event.type === 'task.created') {
    // Without a taskId the event id names the task, so a retried delivery cannot create it twice.
    return async (eventId) => {
      const at = now();
      const task = { id: event.taskId ?? eventId, title: event.title, status: 'open' as const, dueDate: null, createdAt: at, updatedAt: at };
      try {
        return (await store.create(task)) ? 'task_created' : 'task_exists';
      } catch (err) {
        // At the cap a retry cannot succeed either: the delivery is recorded with this outcome.
        if (err instanceof TaskLimitError) return 'task_limit_reached';
        throw err;
      }
    };
  }
  return async () => ((await store.update(event.taskId, { status: 'done' }, now())) ? 'task_completed' : 'task_not_found');
}
