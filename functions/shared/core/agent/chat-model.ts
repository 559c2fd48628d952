// The model behind the agent, as a stream of events from the start: the non-streaming route collects
// it, SSE / WebSocket / ChatKit forward it. A hosted model (Amazon Bedrock) implements the same
// interface in an adapter; handlers and use cases do not change.
import type { Task, TaskStatus } from '../tasks/task';
import type { AgentMemory } from '../threads/thread';

export type ModelEvent =
  | { readonly type: 'text.delta'; readonly delta: string }
  | { readonly type: 'tool_call'; readonly name: string; readonly arguments: Readonly<Record<string, unknown>> };

/** Optional UX context from `X-Page-Context`: shapes replies, never authorizes anything. */
export interface PageContext {
  readonly page?: string;
  readonly title?: string;
  /** The task the user is looking at; resolved only through the caller's own task store. */
  readonly taskId?: string;
}

/**
 * The agent's tools, already bound to one principal's task store. Reads happen at once; writes are
 * staged and committed together with the reply (one transaction), so a tool effect never exists
 * without the reply that announced it.
 */
export interface AgentTools {
  listTasks(status?: TaskStatus): Promise<Task[]>;
  findTask(taskId: string): Promise<Task | null>;
  createTask(title: string, dueDate: string | null): Task;
  completeTask(task: Task): Task;
  renameTask(task: Task, title: string): Task;
  deleteTask(task: Task): void;
  /** Tasks the reply is about, so follow-ups ("mark it done") can refer to them. */
  remember(tasks: readonly Task[]): void;
}

export interface ModelInput {
  readonly content: string;
  readonly memory: AgentMemory;
  readonly pageContext: PageContext | null;
  /** The caller's current date, `YYYY-MM-DD` (UTC), for due dates like "tomorrow". */
  readonly today: string;
  readonly tools: AgentTools;
}

export interface ChatModel {
  reply(input: ModelInput): AsyncIterable<ModelEvent>;
}

/** Splits finished text into word-sized deltas (what a streaming model would send). */
export function* textDeltas(text: string): Generator<ModelEvent> {
  for (const chunk of text.match(/\S+\s*|\s+/g) ?? []) yield { type: 'text.delta', delta: chunk };
}
