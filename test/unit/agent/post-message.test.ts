// startExchange refuses a thread outside the caller's partition before the model runs or any event
// is emitted (so streaming transports can answer a normal 403), and audits both outcomes.
import { describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../../functions/shared/core/audit';
import type { ChatModel } from '../../../functions/shared/core/agent/chat-model';
import { postMessage, startExchange, type ExchangeEvent } from '../../../functions/shared/core/agent/post-message';
import { ForbiddenError, THREAD_NOT_FOUND_MESSAGE } from '../../../functions/shared/core/errors';
import { ulidGenerator } from '../../../functions/shared/core/ids';
import type { Principal } from '../../../functions/shared/core/principal';
import { EMPTY_MEMORY, type Item, type ThreadRecord, type ThreadStore } from '../../../functions/shared/core/threads/thread';
import { InMemoryTaskStore } from '../../fakes/in-memory-task-store';

const principal: Principal = { userId: 'u1', roles: ['user'], authMethod: 'jwt', keyId: null, readOnly: false, email: null };
const clock = { now: () => new Date('2025-01-01T10:00:00Z') };
const origin = { ip: '10.0.0.1', userAgent: 'ua', requestId: 'r1' };

function setup(existing: ThreadRecord | null) {
  const audit: AuditRecord[] = [];
  const stored: Item[][] = [];
  let modelCalls = 0;
  const threads = {
    get: async () => existing,
    appendExchange: async (_id: string, items: readonly Item[]) => {
      stored.push([...items]);
      return true;
    },
  } as unknown as ThreadStore;
  const model: ChatModel = {
    async *reply() {
      modelCalls++;
      yield { type: 'text.delta', delta: 'Hello ' };
      yield { type: 'text.delta', delta: 'there' };
    },
  };
  const deps = {
    threads: () => threads,
    tasks: () => new InMemoryTaskStore(),
    model,
    audit: { record: async (e: AuditRecord) => void audit.push(e) },
    clock,
    ids: ulidGenerator(clock, (b) => b.fill(1)),
  };
  return { deps, audit, stored, modelCalls: () => modelCalls };
}

describe('startExchange / postMessage', () => {
  it('refuses an absent thread before the model runs or any event is sent, and audits the denial', async () => {
    const { deps, audit, modelCalls } = setup(null);
    const events: ExchangeEvent[] = [];
    await expect(postMessage(deps, { principal, origin }, 't1', 'hi', null, (e) => void events.push(e))).rejects.toEqual(
      new ForbiddenError(THREAD_NOT_FOUND_MESSAGE),
    );
    expect(events).toEqual([]);
    expect(modelCalls()).toBe(0);
    expect(audit).toEqual([expect.objectContaining({ action: 'thread.message', threadId: 't1', outcome: 'denied', reason: 'forbidden', ip: '10.0.0.1' })]);
  });

  it('streams the reply and stores the message with its reply as one exchange', async () => {
    const thread: ThreadRecord = { id: 't1', title: 't', metadata: {}, createdAt: '', updatedAt: '', agentMemory: EMPTY_MEMORY };
    const { deps, audit, stored } = setup(thread);
    const exchange = await startExchange(deps, { principal, origin }, 't1');
    const events: ExchangeEvent[] = [];
    const result = await exchange.complete('hi', null, (e) => void events.push(e));
    expect(events.map((e) => e.type)).toEqual(['item.added', 'item.added', 'text.delta', 'text.delta', 'item.done']);
    expect(result.assistantMessage.content).toBe('Hello there');
    expect(stored).toEqual([[result.userMessage, result.assistantMessage]]);
    expect(result.userMessage.id < result.assistantMessage.id).toBe(true);
    expect(audit).toEqual([expect.objectContaining({ action: 'thread.message', outcome: 'allowed' })]);
  });
});
