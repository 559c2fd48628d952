// Posting a message to a thread: the one use case every transport shares (REST, SSE, WebSocket,
// ChatKit). `startExchange` checks that the thread is in the caller's partition BEFORE any reply
// text exists, so a streaming transport can refuse with the normal 403 before opening a stream;
// `complete` runs the model, forwards its events, and stores the message, the reply and any task
// changes in one transaction.
import type { AuditLog } from '../audit';
import type { IdGenerator } from '../ids';
import { authorize } from '../policy';
import type { Clock } from '../ports';
import type { Principal } from '../principal';
import type { TaskStore } from '../tasks/task';
import { auditedThreadAccess, type ThreadAccess } from '../threads/audited-access';
import type { Item, ThreadStore } from '../threads/thread';
import { threadNotFound } from '../threads/thread-use-cases';
import { bindAgentTools } from './agent-tools';
import type { ChatModel, PageContext } from './chat-model';
import { toCalendarDate } from './due-dates';

export interface PostMessageDeps {
  readonly threads: (principal: Principal) => ThreadStore;
  readonly tasks: (principal: Principal) => TaskStore;
  readonly model: ChatModel;
  readonly audit: AuditLog;
  readonly clock: Clock;
  readonly ids: IdGenerator;
}

/** Transport events, named as in API.md's SSE stream. */
export type ExchangeEvent =
  | { readonly type: 'item.added'; readonly item: Item }
  | { readonly type: 'text.delta'; readonly itemId: string; readonly delta: string }
  | { readonly type: 'tool_call'; readonly itemId: string; readonly name: string; readonly arguments: Readonly<Record<string, unknown>> }
  | { readonly type: 'item.done'; readonly item: Item };

export interface ExchangeResult {
  readonly userMessage: Item;
  readonly assistantMessage: Item;
}

export interface Exchange {
  /** Runs the model and stores the exchange whole. Throws the thread 403 if it was deleted meanwhile. */
  complete(content: string, pageContext: PageContext | null, onEvent?: (e: ExchangeEvent) => void | Promise<void>): Promise<ExchangeResult>;
}

/** Audited: one `thread.message` event per attempt, allowed or denied. */
export function startExchange(deps: PostMessageDeps, access: ThreadAccess, threadId: string): Promise<Exchange> {
  return auditedThreadAccess(deps.audit, access, 'thread.message', { threadId }, async () => {
    const { principal } = access;
    authorize(principal, 'write');
    const store = deps.threads(principal);
    const thread = await store.get(threadId);
    if (!thread) throw threadNotFound();
    return {
      async complete(content, pageContext, onEvent) {
        // Both ids now, back to back: concurrent exchanges never interleave a message and its reply.
        const userId = deps.ids.next();
        const replyId = deps.ids.next();
        const userMessage: Item = { id: userId, threadId, type: 'user_message', content, createdAt: deps.clock.now().toISOString() };
        await onEvent?.({ type: 'item.added', item: userMessage });
        await onEvent?.({ type: 'item.added', item: { id: replyId, threadId, type: 'assistant_message', content: '', createdAt: userMessage.createdAt } });
        const now = () => deps.clock.now().toISOString();
        const tools = bindAgentTools(principal, deps.tasks(principal), deps.ids, now);
        let text = '';
        for await (const event of deps.model.reply({
          content,
          memory: thread.agentMemory,
          pageContext,
          today: toCalendarDate(deps.clock.now()),
          tools,
        })) {
          if (event.type === 'text.delta') {
            text += event.delta;
            await onEvent?.({ type: 'text.delta', itemId: replyId, delta: event.delta });
          } else {
            await onEvent?.({ type: 'tool_call', itemId: replyId, name: event.name, arguments: event.arguments });
          }
        }
        const assistantMessage: Item = { id: replyId, threadId, type: 'assistant_message', content: text, createdAt: now() };
        const remembered = tools.remembered();
        const memory = remembered === null ? thread.agentMemory : { recentTasks: remembered.map(({ id, title }) => ({ id, title })) };
        const stored = await store.appendExchange(threadId, [userMessage, assistantMessage], memory, tools.staged, assistantMessage.createdAt);
        if (!stored) throw threadNotFound();
        await onEvent?.({ type: 'item.done', item: assistantMessage });
        return { userMessage, assistantMessage };
      },
    };
  });
}

/** The non-streaming route: start, collect, store. */
export async function postMessage(
  deps: PostMessageDeps,
  access: ThreadAccess,
  threadId: string,
  content: string,
  pageContext: PageContext | null,
  onEvent?: (e: ExchangeEvent) => void | Promise<void>,
): Promise<ExchangeResult> {
  const exchange = await startExchange(deps, access, threadId);
  return exchange.complete(content, pageContext, onEvent);
}
