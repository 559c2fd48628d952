// The built-in TaskManager model: deterministic, offline. It recognises plain requests to create,
// list, complete, rename and delete tasks, resolves follow-ups ("mark it done", "the second one")
// from the thread's memory, and answers conversationally. Tools act only through AgentTools.
import type { Task, TaskStatus } from '../tasks/task';
import { textDeltas, type ChatModel, type ModelEvent, type ModelInput } from './chat-model';
import { extractDueDate } from './due-dates';

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

type Resolution = { task: Task } | { reply: string };

/** Finds the task a phrase refers to: a pronoun, an ordinal of the last list, or (part of) a title. */
async function resolve(ref: string, input: ModelInput, events: ModelEvent[]): Promise<Resolution> {
  const { tools, memory, pageContext } = input;
  const r = ref.toLowerCase().replace(/^the /, '').replace(/ task$/, '').trim();
  const recent = memory.recentTasks;
  let id: string | undefined;
  if (PRONOUN.test(ref.toLowerCase()) || PRONOUN.test(r)) {
    if (recent.length === 1) id = recent[0]!.id;
    else if (pageContext?.taskId) id = pageContext.taskId;
    else if (recent.length > 1) return { reply: `Which one do you mean? ${recent.map((t, i) => `${i + 1}. "${t.title}"`).join(', ')}.` };
    else return { reply: "I'm not sure which task you mean. Tell me its name, or ask me to list your tasks." };
  } else {
    const ord = /^(?:(first|second|third|fourth|fifth|1st|2nd|3rd|4th|5th|last)(?: one)?|(?:number |#|task )?(\d{1,2}))$/.exec(r);
    if (ord && recent.length > 0) {
      const index = ord[1] === 'last' ? recent.length - 1 : ord[1] ? ORDINALS[ord[1]]! : Number(ord[2]) - 1;
      const picked = recent[index];
      if (!picked) return { reply: `There is no task number ${index + 1} in the last list I showed you.` };
      id = picked.id;
    }
  }
  if (id !== undefined) {
    events.push({ type: 'tool_call', name: 'list_tasks', arguments: { taskId: id } });
    const task = await tools.findTask(id);
    return task ? { task } : { reply: "That task doesn't exist any more." };
  }
  events.push({ type: 'tool_call', name: 'list_tasks', arguments: { query: ref } });
  const all = await tools.listTasks();
  const exact = all.filter((t) => t.title.toLowerCase() === r);
  const partial = all.filter((t) => t.title.toLowerCase().includes(r) || (r.length > 3 && r.includes(t.title.toLowerCase())));
  const matches = exact.length > 0 ? exact : partial;
  if (matches.length === 1) return { task: matches[0]! };
  if (matches.length === 0) return { reply: `I couldn't find a task matching "${ref}".` };
  tools.remember(matches);
  return { reply: `I found ${matches.length} tasks matching "${ref}": ${matches.map((t, i) => `${i + 1}. ${describe(t)}`).join(', ')}. Which one?` };
}

async function respond(input: ModelInput, events: ModelEvent[]): Promise<string> {
  const { tools, pageContext } = input;
  const intent = parseIntent(input.content);
  switch (intent.kind) {
    case 'help': {
      const where = pageContext?.page ? ` I see you're on the ${pageContext.page} page.` : '';
      return `Hi! I'm your TaskManager.${where} I can add tasks (with due dates like "tomorrow" or "next friday"), list them, mark them done, rename and delete them.`;
    }
    case 'list': {
      events.push({ type: 'tool_call', name: 'list_tasks', arguments: intent.status ? { status: intent.status } : {} });
      const tasks = await tools.listTasks(intent.status);
      tools.remember(tasks);
      const noun = (n: number) => `${intent.status ? `${intent.status} ` : ''}${n === 1 ? 'task' : 'tasks'}`;
      if (tasks.length === 0) return `You have no ${noun(0)}.`;
      return `You have ${tasks.length} ${noun(tasks.length)}:\n${tasks.map((t, i) => `${i + 1}. ${describe(t)}`).join('\n')}`;
    }
    case 'create': {
      const { title, dueDate } = extractDueDate(intent.text, input.today);
      if (title.length === 0) return 'What should the task be called?';
      if (title.length > MAX_TITLE) return `That title is too long; keep it under ${MAX_TITLE} characters.`;
      events.push({ type: 'tool_call', name: 'create_task', arguments: { title, dueDate } });
      const task = tools.createTask(title, dueDate);
      tools.remember([task]);
      return `Added ${describe(task)} to your tasks.`;
    }
    case 'complete': {
      const found = await resolve(intent.ref, input, events);
      if ('reply' in found) return found.reply;
      if (found.task.status === 'done') {
        tools.remember([found.task]);
        return `"${found.task.title}" is already done.`;
      }
      events.push({ type: 'tool_call', name: 'complete_task', arguments: { taskId: found.task.id } });
      const done = tools.completeTask(found.task);
      tools.remember([done]);
      return `Nice work! I marked "${done.title}" as done.`;
    }
    case 'rename': {
      if (intent.title.length === 0 || intent.title.length > MAX_TITLE) return `A task title needs 1 to ${MAX_TITLE} characters.`;
      const found = await resolve(intent.ref, input, events);
      if ('reply' in found) return found.reply;
      events.push({ type: 'tool_call', name: 'rename_task', arguments: { taskId: found.task.id, title: intent.title } });
      const renamed = tools.renameTask(found.task, intent.title);
      tools.remember([renamed]);
      return `Renamed "${found.task.title}" to "${renamed.title}".`;
    }
    case 'delete': {
      const found = await resolve(intent.ref, input, events);
      if ('reply' in found) return found.reply;
      events.push({ type: 'tool_call', name: 'delete_task', arguments: { taskId: found.task.id } });
      tools.deleteTask(found.task);
      tools.remember([]);
      return `Deleted "${found.task.title}".`;
    }
    case 'unknown': {
      const where = pageContext?.page ? ` (you're on the ${pageContext.page} page)` : '';
      return `I'm not sure what you'd like me to do${where}. Try "add a task to call mom tomorrow", "list my tasks" or "mark it done".`;
    }
  }
}

export const taskManagerModel: ChatModel = {
  async *reply(input) {
    const events: ModelEvent[] = [];
    const text = await respond(input, events);
    yield* events;
    yield* textDeltas(text);
  },
};
