// The `rules` provider: a deterministic, offline StreamingChatModel. It reads the user's last message
// as a plain request (create, list, complete, rename, delete tasks), asks for tools exactly as a
// hosted model would, and words the answer from the tool results of this reply. It sees only what a
// provider sees (the system prompt, the messages, the offered tools) and counts words as tokens, so
// the loop, the budget and every transport are exercised without a network.
import type { Task, TaskStatus } from '../tasks/task';
import { extractDueDate } from './due-dates';
import type { ModelMessage, ModelRequest, ModelStreamEvent, StreamingChatModel } from './model-port';
import { readPromptContext, type PromptContext } from './prompt';

const MAX_TITLE = 200;
const ORDINALS: Record<string, number> = { first: 0, '1st': 0, second: 1, '2nd': 1, third: 2, '3rd': 2, fourth: 3, '4th': 3, fifth: 4, '5th': 4 };

/** What the user asked for, before any tool runs. Exported for tests. */
export type Intent =
  | { readonly kind: 'help' }
  | { readonly kind: 'list'; readonly status?: TaskStatus }
  | { readonly kind: 'create'; readonly text: string }
  | { readonly kind: 'complete'; readonly ref: string }
  | { readonly kind: 'rename'; readonly ref: string; readonly title: string }
  | { readonly kind: 'delete'; readonly ref: string }
  | { readonly kind: 'unknown' };

const clean = (s: string) => s.trim().replace(/^["'“]|["'”]$/g, '').replace(/[.!?]+$/, '').trim();

export function parseIntent(content: string): Intent {
  const text = content.trim().replace(/\s+/g, ' ');
  const lower = text.toLowerCase().replace(/[.!?]+$/, '');
  let m: RegExpExecArray | null;

  if (/^(hi|hello|hey|help|what can you do|good (morning|afternoon|evening))\b/.test(lower)) return { kind: 'help' };

  if ((m = /^rename (.+?) (?:to|as) (.+)$/i.exec(text)) || (m = /^change (?:the (?:title|name) of )?(.+?) to (.+)$/i.exec(text))) {
    return { kind: 'rename', ref: clean(m[1]!), title: clean(m[2]!) };
  }
  if (
    (m = /^(?:please )?(?:mark|set) (.+?) (?:as )?(?:done|complete|completed|finished)$/i.exec(lower)) ||
    (m = /^(?:please )?(?:complete|finish|check off|tick off|close) (.+)$/i.exec(lower)) ||
    (m = /^i (?:have )?(?:finished|completed|did|done) (.+)$/i.exec(lower)) ||
    (m = /^done with (.+)$/i.exec(lower))
  ) {
    return { kind: 'complete', ref: clean(m[1]!) };
  }
  if (/^(it'?s |that'?s )?(done|finished|completed)$/.test(lower)) return { kind: 'complete', ref: 'it' };
  if ((m = /^(?:please )?(?:delete|remove|drop|cancel) (.+)$/i.exec(lower))) return { kind: 'delete', ref: clean(m[1]!) };

  if (
    (m = /^(?:please )?(?:add|create|make|new)(?: me)?(?: an?)?(?: new)? (?:task|todo|to-do|reminder)(?:s)?(?:\s*:\s*|\s+(?:to|called|named|for)\s+|\s+)(.+)$/i.exec(text)) ||
    (m = /^(?:please )?remind me to (.+)$/i.exec(text)) ||
    (m = /^(?:todo|task)\s*:\s*(.+)$/i.exec(text)) ||
    (m = /^(?:please )?(?:add|create) (.+?)(?: to my (?:tasks|list|todo list))?$/i.exec(text))
  ) {
    return { kind: 'create', text: clean(m[1]!) };
  }

  if (/\b(tasks?|todos?|to-dos?|to do list|list)\b/.test(lower) && /\b(list|show|what|which|see|view|my|any|have)\b/.test(lower)) {
    if (/\b(done|completed|finished)\b/.test(lower)) return { kind: 'list', status: 'done' };
    if (/\b(open|pending|remaining|left|outstanding|todo)\b/.test(lower)) return { kind: 'list', status: 'open' };
    return { kind: 'list' };
  }
  if (/^(tasks|my tasks|todo|todos)$/.test(lower)) return { kind: 'list' };
  return { kind: 'unknown' };
}

const describe = (t: Task) => `"${t.title}"${t.dueDate ? ` (due ${t.dueDate})` : ''}${t.status === 'done' ? ' [done]' : ''}`;
const PRONOUN = /^(it|this|that|this one|that one|this task|that task|the task|the last task)$/;

/** One step of the rules: ask for a tool, or answer. */
type Step = { readonly tool: string; readonly args: Record<string, unknown> } | { readonly text: string };

interface ToolResult {
  readonly name: string;
  readonly value: Record<string, any>;
  readonly error: { code: string; message: string } | null;
}

interface Turn {
  readonly content: string;
  readonly context: PromptContext;
  /** Tool results of this reply so far, in order. */
  readonly results: readonly ToolResult[];
  readonly offered: ReadonlySet<string>;
}

const READ_ONLY_TEXT = "You have read-only access, so I can't change your tasks.";

function call(turn: Turn, tool: string, args: Record<string, unknown>): Step {
  return turn.offered.has(tool) ? { tool, args } : { text: READ_ONLY_TEXT };
}

/** "this" points at what the user is looking at; "it"/"that" back at what the conversation just named. */
const DEMONSTRATIVE = /^(this|this one|selected|selected one)$/;

/**
 * The id a reference names without a search (pronoun or ordinal), a question back, or null (search by
 * title). For a pronoun, two candidates may exist: the task selected on the page (`page.taskId`) and
 * the one task the agent last named (`recentTasks` of length 1). "this task" means the page's task,
 * "it" the one just named; when they differ and the action destroys something, the user is asked.
 */
function resolveWithoutSearch(ref: string, turn: Turn, destructive: boolean): { id: string } | { text: string } | null {
  const { recentTasks: recent, page } = turn.context;
  const lower = ref.toLowerCase().trim();
  const r = lower.replace(/^the /, '').replace(/ task$/, '').trim();
  const pointsAtPage = DEMONSTRATIVE.test(r);
  if (PRONOUN.test(lower) || PRONOUN.test(r) || pointsAtPage) {
    const selected = page?.taskId ?? null;
    const named = recent.length === 1 ? recent[0]! : null;
    if (selected && named && selected !== named.id && destructive) {
      return { text: `Do you mean the task selected on your page, or "${named.title}" that I just mentioned? Tell me its name.` };
    }
    const preferred = pointsAtPage ? selected ?? named?.id : named?.id ?? selected;
    if (preferred) return { id: preferred };
    if (recent.length > 1) return { text: `Which one do you mean? ${recent.map((t, i) => `${i + 1}. "${t.title}"`).join(', ')}.` };
    return { text: "I'm not sure which task you mean. Tell me its name, or ask me to list your tasks." };
  }
  const ord = /^(?:(first|second|third|fourth|fifth|1st|2nd|3rd|4th|5th|last)(?: one)?|(?:number |#|task )?(\d{1,2}))$/.exec(r);
  if (ord && recent.length > 0) {
    const index = ord[1] === 'last' ? recent.length - 1 : ord[1] ? ORDINALS[ord[1]]! : Number(ord[2]) - 1;
    const picked = recent[index];
    return picked ? { id: picked.id } : { text: `There is no task number ${index + 1} in the last list I showed you.` };
  }
  return null;
}

/** For complete / rename / delete: find the task (maybe by a search), then act on it, then say what happened. */
function actOnReference(turn: Turn, ref: string, act: (id: string) => Step, done: (r: ToolResult) => string, destructive = false): Step {
  const last = turn.results[turn.results.length - 1];
  if (last && last.name !== 'list_tasks') {
    if (last.error?.code === 'forbidden') return { text: "That task doesn't exist any more." };
    if (last.error?.code === 'read_only') return { text: READ_ONLY_TEXT };
    if (last.error) return { text: `That didn't work: ${last.error.message}` };
    return { text: done(last) };
  }
  if (last) {
    const r = ref.toLowerCase().replace(/^the /, '').replace(/ task$/, '').trim();
    const found = (last.value.tasks ?? []) as Task[];
    const exact = found.filter((t) => t.title.toLowerCase() === r);
    const matches = exact.length > 0 ? exact : found;
    if (matches.length === 1) return act(matches[0]!.id);
    if (matches.length === 0) return { text: `I couldn't find a task matching "${ref}".` };
    return { text: `I found ${matches.length} tasks matching "${ref}": ${matches.map((t, i) => `${i + 1}. ${describe(t)}`).join(', ')}. Which one?` };
  }
  const resolved = resolveWithoutSearch(ref, turn, destructive);
  if (resolved === null) return call(turn, 'list_tasks', { query: ref.replace(/^the /i, '').replace(/ task$/i, '').trim() });
  return 'id' in resolved ? act(resolved.id) : resolved;
}

export function nextStep(turn: Turn): Step {
  const intent = parseIntent(turn.content);
  const page = turn.context.page;
  const last = turn.results[turn.results.length - 1];
  switch (intent.kind) {
    case 'help': {
      const where = page?.page ? ` I see you're on the ${page.page} page.` : '';
      return { text: `Hi! I'm your TaskManager.${where} I can add tasks (with due dates like "tomorrow" or "next friday"), list them, mark them done, rename and delete them.` };
    }
    case 'list': {
      if (!last) return call(turn, 'list_tasks', intent.status ? { status: intent.status } : {});
      const tasks = (last.value.tasks ?? []) as Task[];
      const total = Number(last.value.total ?? tasks.length);
      const noun = (n: number) => `${intent.status ? `${intent.status} ` : ''}${n === 1 ? 'task' : 'tasks'}`;
      if (total === 0) return { text: `You have no ${noun(0)}.` };
      const more = total > tasks.length ? `\n(showing the first ${tasks.length})` : '';
      return { text: `You have ${total} ${noun(total)}:\n${tasks.map((t, i) => `${i + 1}. ${describe(t)}`).join('\n')}${more}` };
    }
    case 'create': {
      const { title, dueDate } = extractDueDate(intent.text, turn.context.today);
      if (title.length === 0) return { text: 'What should the task be called?' };
      if (title.length > MAX_TITLE) return { text: `That title is too long; keep it under ${MAX_TITLE} characters.` };
      if (!last) return call(turn, 'create_task', { title, dueDate });
      if (last.error) return { text: last.error.code === 'read_only' ? READ_ONLY_TEXT : `I couldn't add that task: ${last.error.message}` };
      return { text: `Added ${describe(last.value.task as Task)} to your tasks.` };
    }
    case 'complete':
      return actOnReference(
        turn,
        intent.ref,
        (taskId) => call(turn, 'complete_task', { taskId }),
        (r) => (r.value.alreadyDone ? `"${r.value.task.title}" is already done.` : `Nice work! I marked "${r.value.task.title}" as done.`),
      );
    case 'rename':
      if (intent.title.length === 0 || intent.title.length > MAX_TITLE) return { text: `A task title needs 1 to ${MAX_TITLE} characters.` };
      return actOnReference(
        turn,
        intent.ref,
        (taskId) => call(turn, 'rename_task', { taskId, title: intent.title }),
        (r) => `Renamed "${r.value.previousTitle}" to "${r.value.task.title}".`,
      );
    case 'delete':
      return actOnReference(
        turn,
        intent.ref,
        (taskId) => call(turn, 'delete_task', { taskId }),
        (r) => `Deleted "${r.value.deleted.title}".`,
        true,
      );
    case 'unknown': {
      const where = page?.page ? ` (you're on the ${page.page} page)` : '';
      return { text: `I'm not sure what you'd like me to do${where}. Try "add a task to call mom tomorrow", "list my tasks" or "mark it done".` };
    }
  }
}

/** Words, the rules provider's token unit. */
export const countWords = (text: string): number => text.match(/\S+/g)?.length ?? 0;

function messageText(m: ModelMessage): string {
  if (m.role === 'assistant') return [m.content, ...(m.toolCalls ?? []).map((c) => `${c.name} ${c.arguments}`)].join(' ');
  return m.content;
}

function turnOf(request: ModelRequest): Turn {
  let lastUser = -1;
  request.messages.forEach((m, i) => {
    if (m.role === 'user') lastUser = i;
  });
  const results: ToolResult[] = [];
  for (const m of request.messages.slice(lastUser + 1)) {
    if (m.role !== 'tool') continue;
    let parsed: Record<string, any> = {};
    try {
      parsed = JSON.parse(m.content) as Record<string, any>;
    } catch {
      /* not JSON: treated as an empty result */
    }
    results.push({ name: m.name, value: parsed, error: m.isError ? (parsed.error ?? { code: 'error', message: 'failed' }) : null });
  }
  const user = request.messages[lastUser];
  return {
    content: user?.role === 'user' ? user.content : '',
    context: readPromptContext(request.system),
    results,
    offered: new Set(request.tools.map((t) => t.name)),
  };
}

export const rulesModel: StreamingChatModel = {
  async *stream(request): AsyncGenerator<ModelStreamEvent> {
    const turn = turnOf(request);
    const step = nextStep(turn);
    const inputTokens = countWords(request.system) + request.messages.reduce((n, m) => n + countWords(messageText(m)), 0);
    if ('tool' in step) {
      const call = { id: `rules-call-${turn.results.length + 1}`, name: step.tool, arguments: JSON.stringify(step.args) };
      yield { type: 'tool_call', call };
      yield { type: 'usage', inputTokens, outputTokens: countWords(`${call.name} ${call.arguments}`) };
      yield { type: 'end', stopReason: 'tool_use' };
      return;
    }
    for (const delta of step.text.match(/\S+\s*|\s+/g) ?? []) yield { type: 'text', delta };
    yield { type: 'usage', inputTokens, outputTokens: countWords(step.text) };
    yield { type: 'end', stopReason: 'end_turn' };
  },
};
