// The TaskManager agent's tools as the API describes them. `writes` decides who may use a tool.
import { canWrite } from '../policy';
import type { Principal } from '../principal';

export interface ToolDescription {
  readonly name: string;
  readonly description: string;
  readonly writes: boolean;
}

export const TOOL_CATALOGUE: readonly ToolDescription[] = [
  { name: 'list_tasks', description: 'List your tasks, optionally only open or done ones', writes: false },
  { name: 'create_task', description: 'Create a task with an optional due date', writes: true },
  { name: 'complete_task', description: 'Mark a task as done', writes: true },
  { name: 'rename_task', description: 'Change the title of a task', writes: true },
  { name: 'delete_task', description: 'Delete a task', writes: true },
];

/** The tools this principal may use: read tools only for guests and read-only keys. */
export function toolsFor(principal: Principal): ToolDescription[] {
  const writer = canWrite(principal);
  return TOOL_CATALOGUE.filter((t) => writer || !t.writes);
}
