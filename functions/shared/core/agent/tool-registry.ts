// THE agent tools: what the model is offered, what `GET /tools/available` lists, and what the loop
// dispatches. Each tool declares its input as a zod schema (arguments are parsed with it; its JSON
// Schema is what models and clients see) and whether it writes. Tools take no user: they act only
// on the caller's workspace over `taskStore(principal)`, so a model can name no other partition.
import * as z from 'zod';
import { TASK_NOT_FOUND_MESSAGE, TaskLimitError } from '../errors';
import { decide } from '../policy';
import type { Principal } from '../principal';
import { dueDateSchema, taskIdSchema, taskStatusSchema, taskTitleSchema } from '../tasks/task-schemas';
import type { Task } from '../tasks/task';
import type { ToolSpec } from './model-port';
import type { TaskWorkspace } from './task-workspace';

/** Most tasks one `list_tasks` result carries; `total` says how many matched. */
export const MAX_LISTED_TASKS = 50;

/** A tool's answer: a JSON value for the model, and the tasks the reply is now about (for follow-ups). */
export type ToolOutcome =
  | { readonly ok: true; readonly result: unknown; readonly about?: readonly Task[] }
  | { readonly ok: false; readonly code: string; readonly message: string };

export interface AgentTool {
  readonly name: string;
  readonly description: string;
  readonly writes: boolean;
  readonly input: z.ZodType;
  run(workspace: TaskWorkspace, args: never): Promise<ToolOutcome>;
}

const tool = <S extends z.ZodType>(t: {
  name: string;
  description: string;
  writes: boolean;
  input: S;
  run(workspace: TaskWorkspace, args: z.output<S>): Promise<ToolOutcome>;
}): AgentTool => t as AgentTool;

/** What a task id outside the caller's partition (or no task at all) answers inside the loop: the REST 403. */
const taskNotFoundOutcome: ToolOutcome = { ok: false, code: 'forbidden', message: TASK_NOT_FOUND_MESSAGE };

const taskRef = z.object({ taskId: taskIdSchema.describe('The id of one of your tasks') }).strict();

async function withTask(workspace: TaskWorkspace, taskId: string, act: (task: Task) => ToolOutcome): Promise<ToolOutcome> {
  const task = await workspace.get(taskId);
  return task ? act(task) : taskNotFoundOutcome;
}

export const AGENT_TOOLS: readonly AgentTool[] = [
  tool({
    name: 'list_tasks',
    description: 'List your tasks, optionally only open or done ones, or those whose title contains a text',
    writes: false,
    input: z
      .object({
        status: taskStatusSchema.optional(),
        query: z.string().max(200).optional().describe('Only tasks whose title contains this text (case-insensitive)'),
        limit: z.number().int().min(1).max(MAX_LISTED_TASKS).optional().describe(`At most this many tasks (default and maximum ${MAX_LISTED_TASKS})`),
      })
      .strict(),
    async run(workspace, { status, query, limit }) {
      const all = await workspace.list(status);
      const q = query?.trim().toLowerCase();
      const matched = q ? all.filter((t) => t.title.toLowerCase().includes(q)) : all;
      const tasks = matched.slice(0, limit ?? MAX_LISTED_TASKS);
      return { ok: true, result: { tasks, total: matched.length, truncated: tasks.length < matched.length }, about: tasks };
    },
  }),
  tool({
    name: 'create_task',
    description: 'Create a task with an optional due date (YYYY-MM-DD)',
    writes: true,
    input: z.object({ title: taskTitleSchema, dueDate: dueDateSchema.nullable().optional() }).strict(),
    async run(workspace, { title, dueDate }) {
      try {
        const task = await workspace.create(title, dueDate ?? null);
        return { ok: true, result: { task }, about: [task] };
      } catch (err) {
        if (err instanceof TaskLimitError) return { ok: false, code: 'task_limit', message: err.message };
        throw err;
      }
    },
  }),
  tool({
    name: 'complete_task',
    description: 'Mark a task as done',
    writes: true,
    input: taskRef,
    run: (workspace, { taskId }) =>
      withTask(workspace, taskId, (task) => {
        if (task.status === 'done') return { ok: true, result: { task, alreadyDone: true }, about: [task] };
        const done = workspace.update(task, { status: 'done' });
        return { ok: true, result: { task: done, alreadyDone: false }, about: [done] };
      }),
  }),
  tool({
    name: 'rename_task',
    description: 'Change the title of a task',
    writes: true,
    input: taskRef.extend({ title: taskTitleSchema }),
    run: (workspace, { taskId, title }) =>
      withTask(workspace, taskId, (task) => {
        const renamed = workspace.update(task, { title });
        return { ok: true, result: { task: renamed, previousTitle: task.title }, about: [renamed] };
      }),
  }),
  tool({
    name: 'delete_task',
    description: 'Delete a task',
    writes: true,
    input: taskRef,
    run: (workspace, { taskId }) =>
      withTask(workspace, taskId, (task) => {
        workspace.remove(task);
        return { ok: true, result: { deleted: { id: task.id, title: task.title } }, about: [] };
      }),
  }),
];

const BY_NAME = new Map(AGENT_TOOLS.map((t) => [t.name, t]));
export const findTool = (name: string): AgentTool | undefined => BY_NAME.get(name);

const specOf = (t: AgentTool): ToolSpec => ({
  name: t.name,
  description: t.description,
  // The input as a caller writes it (before trimming and defaults), in the draft both providers accept.
  inputSchema: z.toJSONSchema(t.input, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>,
});

const SPECS = new Map(AGENT_TOOLS.map((t) => [t.name, specOf(t)]));

/** What running a tool asks of the policy: the tasks scopes an API key may be limited to. */
export const toolAction = (t: AgentTool): 'tasks.read' | 'tasks.write' => (t.writes ? 'tasks.write' : 'tasks.read');

/** Why `principal` may not run `t`, or null when it may. */
export const toolRefusal = (principal: Principal, t: AgentTool) => decide(principal, toolAction(t));

/** The tools this principal may use, as offered to the model and listed by `GET /tools/available`. */
export function toolSpecsFor(principal: Principal): ToolSpec[] {
  return AGENT_TOOLS.filter((t) => toolRefusal(principal, t) === null).map((t) => SPECS.get(t.name)!);
}
