// THE reply use case: every transport (REST JSON, SSE, WebSocket, ChatKit) calls `openReply` and only
// frames its events. In order, before anything streams: the content rule (400), admission in both
// rate buckets (429 `rate_limited`, headers of the tighter bucket), the daily token budget (429
// `budget_exceeded`), write permission and the thread in the caller's partition (403, audited), the
// bounded history, and the model's first event (a provider failure here is a 503 before any stream).
// Then the events: the user message, the reply's text as it streams, and `item.done` once the
// message, the reply, the agent's memory and every task change are stored in one transaction.
// A failure after the first event stores nothing. From its first event the reply runs on its own
// (reply-run.ts): numbered, kept for a resume, stopped by a cancel from anywhere, and never by a
// client that goes away by itself (ChatKit, whose protocol stops a reply its client left, asks for
// the stop: reply-control.ts). A stopped reply keeps the message and its partial text, marked cancelled.
// A retry (ChatKit's `threads.retry_after_item`) answers a stored user message again: no new
// message, and the items after it are replaced in the write that stores the new reply.
import type { AuditLog } from '../audit';
import { ConflictError, NotFoundError, ProviderUnavailableError, RateLimitedError, ValidationError } from '../errors';
import type { IdGenerator } from '../ids';
import { authorize, decide } from '../policy';
import type { Clock } from '../ports';
import { rateLimitHeaders, tighter, type RateDecision, type RateLimiter } from '../rate-limit';
import type { TaskStore } from '../tasks/task';
import { auditedThreadAccess, refuseUnlessAllowed, type ThreadAccess } from '../threads/audited-access';
import { EMPTY_MEMORY, RETRY_MAX_REPLACED, type AgentMemory, type Item, type Thread, type ThreadStore } from '../threads/thread';
import { threadNotFound } from '../threads/thread-use-cases';
import type { BudgetStop, TokenBudget } from '../token-budget';
import { parse } from '../validate';
import { ReplyStopped, runAgent, type AgentResult, type LoopEvent, type TokenUsage } from './agent-loop';
import { toCalendarDate } from './due-dates';
import { ProviderError, type ModelMessage, type StreamingChatModel } from './model-port';
import { systemPrompt } from './prompt';
import { messageContentSchema, parsePageContext } from './reply-input';
import type { NumberedEvent, ReplyErrorEvent, ReplyLog } from './reply-log';
import { startRun, type ReplyEnd } from './reply-run';
import { taskWorkspace } from './task-workspace';
import { toolSpecsFor } from './tool-registry';

/** Most earlier messages given to the model, newest kept. */
export const HISTORY_MESSAGES = 20;
/** Each earlier message is cut to this many characters, and all of them together to HISTORY_CHARS. */
export const HISTORY_MESSAGE_CHARS = 4_000;
export const HISTORY_CHARS = 24_000;
/** Ends a reply cut at its time limit (ReplyRequest.timeLimitMs). */
export const TIME_LIMIT_NOTE = '\n\n(I stopped here: this reply reached its time limit. Ask me to continue.)';
/** The abort reason of a reply stopped by its time limit, not by its user. */
const TIME_LIMIT = 'time_limit';
/** Follows a stopped reply's text in the history the model is given. */
export const STOPPED_NOTE = '\n\n[The user stopped this reply here.]';
/** Most tasks remembered for follow-ups ("the 12th one"): as many as one list shows. */
export const MEMORY_TASKS = 50;

export interface ReplyDeps {
  readonly threads: (principal: ThreadAccess['principal']) => ThreadStore;
  readonly tasks: (principal: ThreadAccess['principal']) => TaskStore;
  readonly model: StreamingChatModel;
  readonly audit: AuditLog;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly limiter: RateLimiter;
  readonly budget: TokenBudget;
  /** The caller's reply logs (resume and cancel, reply-log.ts). */
  readonly replies: (principal: ThreadAccess['principal']) => ReplyLog;
  /** A failure's error event as the transports show it (kept in the log for a resume). */
  readonly errorEvent: (err: unknown) => ReplyErrorEvent;
  /** A reply-log write failed (the reply goes on; logged by the wiring). */
  readonly onLogFault: (err: unknown) => void;
}

export type ReplyTarget =
  | { readonly threadId: string }
  /**
   * ChatKit's `threads.retry_after_item`: a new reply to the user message `retryAfter` of the thread,
   * which replaces every item after it (stored with the reply, in one write). No new message is
   * made: the model is given the thread up to that message, and the events have no user `item.added`.
   */
  | { readonly threadId: string; readonly retryAfter: string }
  /** ChatKit's `threads.create`: the thread is created only once the reply is admitted and the model answers. */
  | { readonly newThread: (content: string) => Promise<Thread> };

const retryOf = (target: ReplyTarget): string | null => ('retryAfter' in target ? target.retryAfter : null);

export interface ReplyRequest {
  readonly access: ThreadAccess;
  readonly target: ReplyTarget;
  /** Unvalidated: the content rule is applied here, the same for every transport. Not read for a retry (the message's own). */
  readonly content: unknown;
  /** `X-Page-Context` text or a WebSocket `pageContext` object; invalid → ignored. */
  readonly pageContext?: unknown;
  /** The `requests` decision the edge already made (REST); without one the request is counted here. */
  readonly requestsDecision?: RateDecision | null;
  /**
   * When the reply must end (epoch ms: the function's timeout less a margin): then it stops as a
   * cancel stops it, but ends done with TIME_LIMIT_NOTE, stored before the function is stopped.
   */
  readonly deadlineAt?: number;
}

/** Transport events, named as in the API's SSE stream. */
export type ReplyEvent =
  | { readonly type: 'item.added'; readonly item: Item }
  | { readonly type: 'text.delta'; readonly itemId: string; readonly delta: string }
  | { readonly type: 'item.done'; readonly item: Item };

export interface ExchangeResult {
  readonly userMessage: Item;
  readonly assistantMessage: Item;
}

export interface OpenReply {
  readonly thread: Thread;
  /** The caller's message, made before any event (the first `item.added`); a retry's is the stored one. */
  readonly userMessage: Item;
  /** `X-RateLimit-*` of the tighter bucket (a replay: `Idempotent-Replayed`). */
  readonly headers: Record<string, string>;
  /** Read once (this or `numbered`). Throws (after the events already yielded) when the reply fails; nothing is stored then. */
  readonly events: AsyncIterable<ReplyEvent>;
  /** The same events with their numbers (the SSE `id:`), read once instead of `events`. */
  readonly numbered: AsyncIterable<NumberedEvent>;
  /** Settles when the reply has ended and is stored, whether or not anyone still reads it. */
  readonly settled: Promise<void>;
  /** Another reader of the same events from the first (for what must follow the reply, not the client). */
  listen(): AsyncIterable<NumberedEvent>;
  /** Reads the events to the end (the non-streaming route). */
  collect(): Promise<ExchangeResult>;
}

/**
 * Before a replay shows a stored exchange again: its thread must still be the caller's (a deleted
 * thread's content is gone for replays too). Audited as a read of that thread.
 */
export async function confirmReplay(deps: Pick<ReplyDeps, 'threads' | 'audit'>, access: ThreadAccess, threadId: string): Promise<void> {
  await auditedThreadAccess(deps.audit, access, 'thread.read', { threadId }, async () => {
    authorize(access.principal, 'messages.write'); // a replayed reply is shown only to who may post it
    if (!(await deps.threads(access.principal).get(threadId))) throw threadNotFound();
  });
}

async function* numberedFrom(events: AsyncIterable<ReplyEvent>): AsyncGenerator<NumberedEvent> {
  let id = 0;
  for await (const event of events) yield { id: ++id, event };
}

async function* eventsOf(numbered: AsyncIterable<NumberedEvent>): AsyncGenerator<ReplyEvent> {
  for await (const { event } of numbered) if (event.type !== 'error') yield event;
}

/**
 * An open reply over its events, however they are made (a running reply's numbered events, a
 * replay, a wrapper); events without numbers are numbered 1, 2, 3… as they come.
 */
export function replyOf(
  thread: Thread,
  userMessage: Item,
  headers: Record<string, string>,
  source:
    | { readonly events: AsyncIterable<ReplyEvent> }
    | { readonly numbered: AsyncIterable<NumberedEvent>; readonly settled: Promise<void>; readonly listen: () => AsyncIterable<NumberedEvent> },
): OpenReply {
  const numbered = 'numbered' in source ? source.numbered : numberedFrom(source.events);
  const events = eventsOf(numbered);
  return {
    thread,
    userMessage,
    headers,
    events,
    numbered,
    settled: 'settled' in source ? source.settled : Promise.resolve(),
    listen:
      'listen' in source
        ? source.listen
        : () => {
            throw new Error('a reply told from memory has one reader'); // only running replies are listened to
          },
    async collect() {
      let assistantMessage: Item | undefined;
      for await (const e of events) if (e.type === 'item.done') assistantMessage = e.item;
      return { userMessage, assistantMessage: assistantMessage! };
    },
  };
}

/**
 * A stored exchange told again (an `Idempotency-Key` replay): the events a first run sends, with the
 * reply's whole text as one delta, so every transport frames it exactly as it framed the original.
 */
export function replayedReply(thread: Thread, exchange: ExchangeResult, headers: Record<string, string>): OpenReply {
  const { userMessage, assistantMessage } = exchange;
  async function* events(): AsyncGenerator<ReplyEvent> {
    yield { type: 'item.added', item: userMessage };
    yield { type: 'item.added', item: { ...assistantMessage, content: '', createdAt: userMessage.createdAt } };
    if (assistantMessage.content !== '') yield { type: 'text.delta', itemId: assistantMessage.id, delta: assistantMessage.content };
    yield { type: 'item.done', item: assistantMessage };
  }
  return replyOf(thread, userMessage, headers, { events: events() });
}

const providerUnavailable = (err: unknown) =>
  err instanceof ProviderError ? new ProviderUnavailableError(err.retryAfterSeconds, undefined, { cause: err }) : err;

async function admit(deps: ReplyDeps, req: ReplyRequest): Promise<RateDecision> {
  const { principal } = req.access;
  // Without an edge decision (WebSocket) both buckets are counted at once: two independent
  // counters, one round trip; a send refused by `requests` still counts in `respond`.
  const [requests, respond] = await Promise.all([
    req.requestsDecision ?? deps.limiter.check(principal, 'requests'),
    deps.limiter.check(principal, 'respond'),
  ]);
  const decision = tighter(requests, respond);
  if (!decision.admitted) throw new RateLimitedError(decision.retryAfterSeconds, decision);
  return decision;
}

/**
 * Earlier user and assistant messages, oldest first, newest kept within the bounds; with `before`,
 * only those before that message (a retry: `following` items come after it).
 */
async function history(store: ThreadStore, threadId: string, before?: { readonly id: string; readonly following: number }): Promise<ModelMessage[]> {
  const page = await store.listItems(threadId, { limit: HISTORY_MESSAGES + (before ? before.following + 1 : 0), order: 'desc', after: null });
  let items = page.data;
  if (before) {
    const at = items.findIndex((i) => i.id === before.id);
    items = at < 0 ? [] : items.slice(at + 1);
  }
  const out: ModelMessage[] = [];
  let chars = 0;
  for (const item of items) {
    if (item.type !== 'user_message' && item.type !== 'assistant_message') continue;
    // The model is told where the user stopped a reply, so its next turn does not carry on as if it had been read.
    const content = (item.status === 'cancelled' ? `${item.content}${STOPPED_NOTE}` : item.content).slice(0, HISTORY_MESSAGE_CHARS);
    if (chars + content.length > HISTORY_CHARS) break;
    chars += content.length;
    out.push({ role: item.type === 'user_message' ? 'user' : 'assistant', content });
  }
  return out.reverse();
}

export async function openReply(deps: ReplyDeps, req: ReplyRequest): Promise<OpenReply> {
  const { access } = req;
  const { principal } = access;
  // Refused (and audited) before the content is read or any counter, budget or thread is touched:
  // a read-only caller or a key without messages:write; the checks below stay as the second wall.
  await refuseUnlessAllowed(deps.audit, access, 'messages.write', 'thread.message', { threadId: 'threadId' in req.target ? req.target.threadId : null });
  // A retry's message was stored under the same rule.
  const content = retryOf(req.target) === null ? parse(messageContentSchema, req.content, 'content') : null;
  const rateLimit = await admit(deps, req);
  // Held from here, one model call at a time; every way out settles it once (the tokens used, 0
  // when the model never ran).
  const budget = await deps.budget.startReply(principal);
  const usage: TokenUsage = { inputTokens: 0, outputTokens: 0 };
  const spent = () => usage.inputTokens + usage.outputTokens;
  // The reply's counts go into the day's usage with its last settle (one write, core/usage.ts).
  const charge = () =>
    budget.settle(spent(), { modelCalls: usage.modelCalls ?? 0, inputTokens: usage.inputTokens, outputTokens: usage.outputTokens, toolCalls: usage.toolCalls ?? 0 });
  try {
    return await openHeld(deps, req, content, rateLimit, usage, charge, () => budget.nextCall(spent()));
  } catch (err) {
    await charge();
    throw err;
  }
}

async function openHeld(
  deps: ReplyDeps,
  req: ReplyRequest,
  asked: string | null,
  rateLimit: RateDecision,
  usage: TokenUsage,
  charge: () => Promise<void>,
  beforeCall: () => Promise<BudgetStop | null>,
): Promise<OpenReply> {
  const { access } = req;
  const { principal } = access;

  const store = deps.threads(principal);
  const target = await replyTarget(deps, req, store);
  let thread = target.thread;
  const { memory, earlier, retried } = target;
  const content = retried?.content ?? asked!;

  const now = () => deps.clock.now().toISOString();
  const pageContext = parsePageContext(req.pageContext);
  const workspace = taskWorkspace(principal, deps.tasks(principal), deps.ids, now);
  // The tasks the thread last named are task data: a key without tasks:read does not get them into the prompt.
  // Aborted by a cancel (reply-run.ts): the model call stops and no further tool runs.
  const stop = new AbortController();
  const loop = runAgent({
    signal: stop.signal,
    principal,
    workspace,
    model: deps.model,
    system: systemPrompt({ today: toCalendarDate(deps.clock.now()), page: pageContext, recentTasks: decide(principal, 'tasks.read') ? [] : memory.recentTasks }),
    messages: [...earlier, { role: 'user', content }],
    tools: toolSpecsFor(principal),
    usage,
    beforeCall,
  });

  // The model's first event decides whether a stream opens at all.
  let first: IteratorResult<LoopEvent, AgentResult>;
  try {
    first = await loop.next();
  } catch (err) {
    throw providerUnavailable(err); // openReply settles the hold
  }

  // A thread made for this reply (ChatKit's threads.create) goes again if the reply fails, while
  // nothing else touched it (its id was already streamed: another request may have used it).
  let madeHere: Thread | null = null;
  if (!thread) {
    const created = await (req.target as { newThread: (c: string) => Promise<Thread> }).newThread(content);
    madeHere = created;
    await auditedThreadAccess(deps.audit, access, 'thread.message', { threadId: created.id }, async () => authorize(principal, 'messages.write'));
    thread = created;
  }
  const threadId = thread.id;
  // Both ids now, back to back: concurrent exchanges never interleave a message and its reply.
  const userMessage: Item = retried ?? { id: deps.ids.next(), threadId, type: 'user_message', content, createdAt: now() };
  const replyId = deps.ids.next();

  const log = deps.replies(principal);
  await log.start(threadId, replyId);

  const run = startRun({
    log,
    threadId,
    replyId,
    produce: (signal) => replyEvents({ deps, access, store, loop, first, userMessage, retry: retried !== null, replyId, memory, workspace, madeHere, charge, now }, signal),
    stop,
    errorEvent: deps.errorEvent,
    onLogFault: deps.onLogFault,
  });
  if (req.deadlineAt !== undefined) {
    const timer = setTimeout(() => stop.abort(TIME_LIMIT), Math.max(0, req.deadlineAt - deps.clock.now().getTime()));
    void run.settled.finally(() => clearTimeout(timer));
  }
  return replyOf(thread, userMessage, rateLimitHeaders(rateLimit), { numbered: run.live(), settled: run.settled, listen: () => run.live() });
}

const noSuchMessage = () => new NotFoundError('No user message with this id in this thread');

/**
 * The thread a reply goes to, what the agent remembers of it, and its recent history (none for a new
 * thread); for a retry, the message it answers again, which must be a user message of the thread
 * with at most RETRY_MAX_REPLACED items after it.
 */
async function replyTarget(
  deps: ReplyDeps,
  req: ReplyRequest,
  store: ThreadStore,
): Promise<{ thread: Thread | null; memory: AgentMemory; earlier: ModelMessage[]; retried: Item | null }> {
  const { access } = req;
  const { principal } = access;
  if (!('threadId' in req.target)) {
    authorize(principal, 'messages.write');
    return { thread: null, memory: EMPTY_MEMORY, earlier: [], retried: null };
  }
  const { threadId } = req.target;
  const retryAfter = retryOf(req.target);
  const { thread, point } = await auditedThreadAccess(deps.audit, access, 'thread.message', { threadId }, async () => {
    authorize(principal, 'messages.write');
    const found = await store.get(threadId);
    if (!found) throw threadNotFound();
    if (retryAfter === null) return { thread: found, point: null };
    const at = await store.findItem(threadId, retryAfter, RETRY_MAX_REPLACED + 1);
    if (!at || at.item.type !== 'user_message') throw noSuchMessage();
    if (at.following > RETRY_MAX_REPLACED) throw new ValidationError(`A retry replaces at most ${RETRY_MAX_REPLACED} later items; retry a later message`);
    return { thread: found, point: at };
  });
  const earlier = await history(store, threadId, point ? { id: point.item.id, following: point.following } : undefined);
  return { thread, memory: thread.agentMemory, earlier, retried: point?.item ?? null };
}

/** One reply in flight, once its first model event has come. */
interface ReplyRun {
  readonly deps: ReplyDeps;
  readonly access: ReplyRequest['access'];
  readonly store: ThreadStore;
  readonly loop: ReturnType<typeof runAgent>;
  readonly first: IteratorResult<LoopEvent, AgentResult>;
  readonly userMessage: Item;
  /** A retry: the message is stored already, and the items after it are replaced. */
  readonly retry: boolean;
  readonly replyId: string;
  readonly memory: AgentMemory;
  readonly workspace: ReturnType<typeof taskWorkspace>;
  /** A thread made for this reply, removed again if the reply fails. */
  readonly madeHere: Thread | null;
  readonly charge: () => Promise<void>;
  readonly now: () => string;
}

/**
 * The reply's events; the exchange is stored before the final `item.done`, and the hold is settled
 * whatever happens. Once `signal` aborts (a cancel) the model call is abandoned, no further tool runs,
 * and what was said so far is stored, marked cancelled.
 */
async function* replyEvents(r: ReplyRun, signal: AbortSignal): AsyncGenerator<ReplyEvent, ReplyEnd> {
  const { deps, access, store, loop, userMessage, retry, replyId, memory, workspace, madeHere, charge, now } = r;
  const { threadId } = userMessage;
  try {
    if (!retry) yield { type: 'item.added', item: userMessage };
    yield { type: 'item.added', item: { id: replyId, threadId, type: 'assistant_message', content: '', createdAt: retry ? now() : userMessage.createdAt, status: 'running' } };
    let said = '';
    let result: AgentResult | null = null;
    try {
      let step = r.first;
      while (!step.done) {
        if (signal.aborted) throw new ReplyStopped();
        if (step.value.type === 'text') {
          said += step.value.delta;
          yield { type: 'text.delta', itemId: replyId, delta: step.value.delta };
        }
        step = await loop.next();
      }
      result = step.value;
    } catch (err) {
      // A model call abandoned for the cancel fails as the provider sees it: the cancel is what happened.
      if (!signal.aborted && !(err instanceof ReplyStopped)) throw err;
      await loop.return(undefined as never).catch(() => undefined); // closes the model's stream, if it is still open
    }
    // Out of time is not the user's stop: the reply ends done, saying why, like a length limit.
    const outOfTime = !result && signal.reason === TIME_LIMIT;
    if (outOfTime) yield { type: 'text.delta', itemId: replyId, delta: TIME_LIMIT_NOTE };
    const assistantMessage: Item = {
      id: replyId,
      threadId,
      type: 'assistant_message',
      content: result ? result.text : outOfTime ? `${said}${TIME_LIMIT_NOTE}` : said,
      createdAt: now(),
      status: result || outOfTime ? 'done' : 'cancelled',
    };
    const about = result?.about ?? null;
    const nextMemory = about === null ? memory : { recentTasks: about.slice(0, MEMORY_TASKS).map(({ id, title }) => ({ id, title })) };
    const stored = retry
      ? await store.replaceAfter(threadId, userMessage.id, [assistantMessage], nextMemory, workspace.staged(), assistantMessage.createdAt)
      : await store.appendExchange(threadId, [userMessage, assistantMessage], nextMemory, workspace.staged(), assistantMessage.createdAt);
    if (!stored) {
      // The thread went (or, for a retry, the message: a retry of an earlier message replaced it).
      if (retry && (await store.get(threadId))) throw new ConflictError('The message was replaced while its reply was being written');
      throw threadNotFound();
    }
    yield { type: 'item.done', item: assistantMessage };
    return assistantMessage.status === 'done' ? 'done' : 'cancelled';
  } catch (err) {
    if (madeHere) {
      const { updatedAt } = madeHere;
      // Best effort, audited: an empty thread left behind at worst.
      await auditedThreadAccess(deps.audit, access, 'thread.delete', { threadId }, () => store.delete(threadId, { unchangedSince: updatedAt })).catch(() => undefined);
    }
    throw providerUnavailable(err);
  } finally {
    await charge();
  }
}
