// The agent loop: one model turn after another over the streaming model port, dispatching the tool
// calls of each turn through the registry, until the model answers without tools. The loop, not the
// model, decides what runs: arguments are parsed with the tool's zod schema, write tools are refused
// for read-only principals here (whatever the model was offered), and every tool acts only on the
// caller's workspace. At most MAX_TOOL_ROUNDS rounds of tools per reply; tool results are bounded.
// Before every model call after the first the token budget is asked (core/token-budget.ts); when it
// says stop, the reply ends with a short notice and keeps what was said.
import { ReadOnlyError } from '../errors';
import type { Principal } from '../principal';
import type { Task } from '../tasks/task';
import { BUDGET_LIMIT_NOTE, REPLY_LIMIT_NOTE, type BudgetStop } from '../token-budget';
import type { ModelMessage, StreamingChatModel, ToolCall, ToolSpec } from './model-port';
import type { TaskWorkspace } from './task-workspace';
import { findTool, toolRefusal, type ToolOutcome } from './tool-registry';

export const MAX_TOOL_ROUNDS = 5;
/** Largest tool result (JSON text) handed back to the model. */
export const MAX_TOOL_RESULT_BYTES = 16 * 1024;
/** Longest reply text kept; a model that runs on is cut here (the stored item stays far below DynamoDB's 400 KB). */
export const MAX_REPLY_CHARS = 32 * 1024;

/** The reply was cancelled (its signal aborted): no further model call or tool runs. */
export class ReplyStopped extends Error {
  constructor() {
    super('reply cancelled');
    this.name = 'ReplyStopped';
  }
}

/** A turn cut short reports no usage: charged as about four characters a token, what was sent and what came back. */
const estimatedTokens = (chars: number): number => Math.ceil(chars / 4);
const promptChars = (system: string, messages: readonly ModelMessage[]): number => messages.reduce((n, m) => n + m.content.length, system.length);

export const ROUND_LIMIT_NOTE = `\n\n(I stopped after ${MAX_TOOL_ROUNDS} rounds of tool use. Ask me to continue if something is left to do.)`;

export type LoopEvent =
  | { readonly type: 'text'; readonly delta: string }
  | { readonly type: 'tool_call'; readonly call: ToolCall }
  | { readonly type: 'tool_result'; readonly call: ToolCall; readonly outcome: ToolOutcome };

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  /** Model calls started and tool calls dispatched (the day's usage counts, core/usage.ts). */
  modelCalls?: number;
  toolCalls?: number;
}

export interface AgentRun {
  readonly principal: Principal;
  readonly workspace: TaskWorkspace;
  readonly model: StreamingChatModel;
  readonly system: string;
  /** Bounded history, ending with the new user message. */
  readonly messages: readonly ModelMessage[];
  readonly tools: readonly ToolSpec[];
  /** Filled as the provider reports usage, so a reply that fails half-way is still charged. */
  readonly usage: TokenUsage;
  readonly signal?: AbortSignal;
  /**
   * Before each model call after the first (the first was held when the reply was admitted):
   * holds what the call may spend; a stop ends the reply here (core/token-budget.ts).
   */
  readonly beforeCall?: () => Promise<BudgetStop | null>;
}

export interface AgentResult {
  readonly text: string;
  /** The tasks the reply is about after its last tool (null: no tool said). */
  readonly about: readonly Task[] | null;
  readonly toolRounds: number;
}

const byteLength = (s: string) => Buffer.byteLength(s, 'utf8');

/** Runs one tool call for the principal. Refusals and bad arguments are results the model sees, not failures. */
export async function dispatchTool(principal: Principal, workspace: TaskWorkspace, call: ToolCall): Promise<ToolOutcome> {
  const tool = findTool(call.name);
  if (!tool) return { ok: false, code: 'unknown_tool', message: `There is no tool named ${call.name.slice(0, 64)}` };
  // A tool the principal was not offered (read-only, or outside the key's scopes) is refused, whatever the model asks.
  const refusal = toolRefusal(principal, tool);
  if (refusal) return { ok: false, code: refusal.code, message: refusal.message };
  let raw: unknown;
  try {
    raw = call.arguments.trim() === '' ? {} : JSON.parse(call.arguments);
  } catch {
    return { ok: false, code: 'invalid_arguments', message: 'The arguments are not valid JSON' };
  }
  const parsed = tool.input.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    return { ok: false, code: 'invalid_arguments', message: `${where}${issue?.message ?? 'invalid arguments'}` };
  }
  try {
    return await tool.run(workspace, parsed.data as never);
  } catch (err) {
    if (err instanceof ReadOnlyError) return { ok: false, code: 'read_only', message: err.message };
    throw err;
  }
}

/** The tool result as JSON text of at most MAX_TOOL_RESULT_BYTES: long task lists lose their tail (and say so). */
export function toolResultText(outcome: ToolOutcome): string {
  if (!outcome.ok) return JSON.stringify({ error: { code: outcome.code, message: outcome.message } });
  let result = outcome.result as Record<string, unknown>;
  let text = JSON.stringify(result);
  while (byteLength(text) > MAX_TOOL_RESULT_BYTES && Array.isArray(result.tasks) && result.tasks.length > 0) {
    result = { ...result, tasks: result.tasks.slice(0, Math.floor(result.tasks.length / 2)), truncated: true };
    text = JSON.stringify(result);
  }
  return byteLength(text) <= MAX_TOOL_RESULT_BYTES ? text : JSON.stringify({ error: { code: 'result_too_large', message: 'The result was too large' } });
}

export async function* runAgent(run: AgentRun): AsyncGenerator<LoopEvent, AgentResult> {
  const messages: ModelMessage[] = [...run.messages];
  let text = '';
  let about: readonly Task[] | null = null;
  const stopped = () => {
    if (run.signal?.aborted) throw new ReplyStopped();
  };
  for (let round = 0; ; round++) {
    stopped();
    const stop = round > 0 && run.beforeCall ? await run.beforeCall() : null;
    if (stop) {
      const note = stop === 'reply_limit' ? REPLY_LIMIT_NOTE : BUDGET_LIMIT_NOTE;
      text += note;
      yield { type: 'text', delta: note };
      return { text, about, toolRounds: round };
    }
    const toolsAllowed = round < MAX_TOOL_ROUNDS;
    const calls: ToolCall[] = [];
    let turnText = '';
    run.usage.modelCalls = (run.usage.modelCalls ?? 0) + 1;
    let reported = false;
    try {
      for await (const event of run.model.stream({ system: run.system, messages, tools: toolsAllowed ? run.tools : [], signal: run.signal })) {
        stopped();
        if (event.type === 'text') {
          const room = MAX_REPLY_CHARS - text.length;
          if (room <= 0) continue;
          const delta = event.delta.slice(0, room);
          turnText += delta;
          text += delta;
          yield { type: 'text', delta };
        } else if (event.type === 'tool_call') {
          calls.push(event.call);
          yield { type: 'tool_call', call: event.call };
        } else if (event.type === 'usage') {
          reported = true;
          run.usage.inputTokens += event.inputTokens;
          run.usage.outputTokens += event.outputTokens;
        }
      }
    } catch (err) {
      // Cancelled mid-turn: the tokens the model produced are charged even though it never said how many.
      if (run.signal?.aborted && !reported) {
        run.usage.inputTokens += estimatedTokens(promptChars(run.system, messages));
        run.usage.outputTokens += estimatedTokens(turnText.length);
      }
      if (run.signal?.aborted) throw new ReplyStopped();
      throw err;
    }
    if (calls.length === 0) return { text, about, toolRounds: round };
    if (!toolsAllowed) {
      // A sixth round of tools is not run: the reply ends with what was said, and says why.
      text += ROUND_LIMIT_NOTE;
      yield { type: 'text', delta: ROUND_LIMIT_NOTE };
      return { text, about, toolRounds: round };
    }
    messages.push({ role: 'assistant', content: turnText, toolCalls: calls });
    for (const call of calls) {
      stopped();
      run.usage.toolCalls = (run.usage.toolCalls ?? 0) + 1;
      const outcome = await dispatchTool(run.principal, run.workspace, call);
      if (outcome.ok && outcome.about) about = outcome.about;
      messages.push({ role: 'tool', toolCallId: call.id, name: call.name, content: toolResultText(outcome), isError: !outcome.ok });
      yield { type: 'tool_result', call, outcome };
    }
  }
}
