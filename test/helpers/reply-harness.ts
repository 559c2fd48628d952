// The reply pipeline over in-memory ports (stores, counters, audit), for unit tests: per-user
// partitions, a fixed clock, and a model of the test's choosing.
import type { AuditRecord } from '../../functions/shared/core/audit';
import { ProviderError, type ModelRequest, type ModelStreamEvent, type StreamingChatModel } from '../../functions/shared/core/agent/model-port';
import { openReply, type ReplyDeps, type ReplyEvent, type ReplyRequest } from '../../functions/shared/core/agent/reply';
import { ulidGenerator } from '../../functions/shared/core/ids';
import type { Principal } from '../../functions/shared/core/principal';
import { createRateLimiter } from '../../functions/shared/core/rate-limit';
import { createTokenBudget, DEFAULT_MAX_REPLY_TOKENS } from '../../functions/shared/core/token-budget';
import { InMemoryRateCounter, settableClock } from '../fakes/in-memory-counters';
import { InMemoryTaskStore } from '../fakes/in-memory-task-store';
import { InMemoryReplyLog } from '../fakes/in-memory-reply-log';
import { InMemoryThreadStore } from '../fakes/in-memory-thread-store';
import { InMemoryTokenCounter } from '../fakes/in-memory-token-counter';

export const user = (userId: string, roles: Principal['roles'] = ['user']): Principal => ({
  userId,
  roles,
  authMethod: 'jwt',
  keyId: null,
  readOnly: roles.includes('guest'),
  email: null,
});

export const origin = { ip: '10.0.0.1', userAgent: 'ua', requestId: 'r1' };

type Turn = ReadonlyArray<ModelStreamEvent | Error>;

/**
 * A model that plays back one list of events per turn (an Error ends the turn by throwing; a function
 * builds the turn from the request) and records every request. The last turn repeats.
 */
export function scriptedModel(turns: ReadonlyArray<Turn | ((request: ModelRequest) => Turn)>): StreamingChatModel & { requests: ModelRequest[] } {
  const requests: ModelRequest[] = [];
  return {
    requests,
    async *stream(request) {
      requests.push({ ...request, messages: [...request.messages] });
      const script = turns[Math.min(requests.length - 1, turns.length - 1)] ?? [];
      const turn = typeof script === 'function' ? script(request) : script;
      for (const e of turn) {
        if (e instanceof Error) throw e;
        yield e;
      }
    },
  };
}

/**
 * `inner`, but each turn stops after its first event until `release()`: a reply that has started
 * (the run goes on by itself, reply-run.ts) and is still running while a test looks at it.
 */
export function heldModel(inner: StreamingChatModel, opts: { onlyFirstCalls?: number } = {}): StreamingChatModel & { release(): void } {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let calls = 0;
  return {
    release,
    async *stream(request) {
      let first = ++calls <= (opts.onlyFirstCalls ?? Infinity);
      for await (const e of inner.stream(request)) {
        yield e;
        // A provider's call ends when its signal aborts (a cancel): so does this hold.
        if (first) await Promise.race([released, new Promise((resolve) => request.signal?.addEventListener('abort', resolve))]);
        if (request.signal?.aborted) throw new ProviderError('timeout');
        first = false;
      }
    },
  };
}

export const text = (...deltas: string[]): ModelStreamEvent[] => [
  ...deltas.map((delta) => ({ type: 'text', delta }) as const),
  { type: 'usage', inputTokens: 10, outputTokens: deltas.length },
  { type: 'end', stopReason: 'end_turn' },
];

export const toolCall = (name: string, args: string | Record<string, unknown>, id = `call-${name}`): ModelStreamEvent[] => [
  { type: 'tool_call', call: { id, name, arguments: typeof args === 'string' ? args : JSON.stringify(args) } },
  { type: 'usage', inputTokens: 10, outputTokens: 1 },
  { type: 'end', stopReason: 'tool_use' },
];

export function replyHarness(model: StreamingChatModel, opts: { respondLimit?: number; dailyTokens?: number; maxReplyTokens?: number; now?: string } = {}) {
  const clock = settableClock(opts.now ?? '2025-01-01T10:00:00Z');
  let seed = 0;
  const taskStores = new Map<string, InMemoryTaskStore>();
  const threadStores = new Map<string, InMemoryThreadStore>();
  const tasksOf = (userId: string) => {
    if (!taskStores.has(userId)) taskStores.set(userId, new InMemoryTaskStore());
    return taskStores.get(userId)!;
  };
  const threadsOf = (userId: string) => {
    if (!threadStores.has(userId)) threadStores.set(userId, new InMemoryThreadStore(tasksOf(userId)));
    return threadStores.get(userId)!;
  };
  const replyLogs = new Map<string, InMemoryReplyLog>();
  const repliesOf = (userId: string) => {
    if (!replyLogs.has(userId)) replyLogs.set(userId, new InMemoryReplyLog());
    return replyLogs.get(userId)!;
  };
  const audit: AuditRecord[] = [];
  const tokens = new InMemoryTokenCounter();
  const deps: ReplyDeps = {
    threads: (p) => threadsOf(p.userId),
    tasks: (p) => tasksOf(p.userId),
    model,
    audit: { record: async (e) => void audit.push(e) },
    clock,
    ids: ulidGenerator(clock, (b) => b.fill(seed++ % 251)),
    limiter: createRateLimiter({ counter: new InMemoryRateCounter(), clock, limits: { requests: 1000, respond: opts.respondLimit ?? 1000 } }),
    budget: createTokenBudget({ counter: tokens, clock, dailyLimit: opts.dailyTokens ?? 1_000_000, maxReplyTokens: opts.maxReplyTokens ?? DEFAULT_MAX_REPLY_TOKENS }),
    replies: (p) => repliesOf(p.userId),
    errorEvent: (err) => ({ type: 'error', code: (err as { code?: string }).code ?? 'internal_error', message: 'failed' }),
    onLogFault: (err) => {
      throw err;
    },
  };

  /** Opens and reads a reply to its end; the failure (if any) is returned, not thrown, with the events before it. */
  async function say(principal: Principal, threadId: string, content: unknown, extra: Partial<ReplyRequest> = {}) {
    const events: ReplyEvent[] = [];
    const reply = await openReply(deps, { access: { principal, origin }, target: { threadId }, content, ...extra });
    let error: unknown = null;
    try {
      for await (const e of reply.events) events.push(e);
    } catch (err) {
      error = err;
    }
    const done = events.find((e) => e.type === 'item.done');
    return { reply, events, error, text: done?.type === 'item.done' ? done.item.content : null };
  }

  return { deps, clock, audit, tokens, tasksOf, threadsOf, repliesOf, say };
}
