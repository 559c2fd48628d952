// An in-memory ThreadStore for unit tests of the reply pipeline: one partition's threads and items,
// held to the adapter's contract (test/contracts/thread-store.contract.ts);
// `appendExchange` and `replaceAfter` commit the staged task writes to the given task store, as the
// transaction would.
import type { StagedWrite } from '../../functions/shared/core/tasks/task';
import { ConflictError } from '../../functions/shared/core/errors';
import { EMPTY_MEMORY, RETRY_MAX_REPLACED, type AgentMemory, type Item, type ThreadPatch, type ThreadRecord, type ThreadStore } from '../../functions/shared/core/threads/thread';
import type { InMemoryTaskStore } from './in-memory-task-store';

export class InMemoryThreadStore implements ThreadStore {
  readonly threads = new Map<string, ThreadRecord>();
  readonly items = new Map<string, Item[]>();
  appends = 0;

  constructor(private readonly tasks: InMemoryTaskStore) {}

  addThread(id: string, memory: AgentMemory = EMPTY_MEMORY): void {
    this.threads.set(id, { id, title: id, metadata: {}, createdAt: '2025-01-01T00:00:00.000Z', updatedAt: '2025-01-01T00:00:00.000Z', agentMemory: memory });
    this.items.set(id, []);
  }
  async list() {
    // Newest first: thread ids are ULIDs, so id order is creation order.
    return { data: [...this.threads.values()].sort((a, b) => (a.id < b.id ? 1 : -1)), lastKey: null };
  }
  async get(threadId: string) {
    return this.threads.get(threadId) ?? null;
  }
  async listItems(threadId: string, q: { limit: number; order: 'asc' | 'desc' }) {
    const all = [...(this.items.get(threadId) ?? [])];
    if (q.order === 'desc') all.reverse();
    return { data: all.slice(0, q.limit), lastKey: null };
  }
  async create(thread: ThreadRecord) {
    this.threads.set(thread.id, thread);
    this.items.set(thread.id, []);
  }
  async update(threadId: string, patch: ThreadPatch, updatedAt: string) {
    const thread = this.threads.get(threadId);
    if (!thread) return null;
    const next = { ...thread, ...patch, updatedAt };
    this.threads.set(threadId, next);
    return next;
  }
  async appendExchange(threadId: string, items: readonly Item[], memory: AgentMemory, staged: readonly StagedWrite[], updatedAt: string) {
    const thread = this.threads.get(threadId);
    if (!thread) return false;
    this.appends++;
    this.items.get(threadId)!.push(...items);
    this.threads.set(threadId, { ...thread, agentMemory: memory, updatedAt });
    this.tasks.commit(staged);
    return true;
  }
  async findItem(threadId: string, itemId: string, countUpTo: number) {
    const items = this.items.get(threadId) ?? [];
    const at = items.findIndex((i) => i.id === itemId);
    return at < 0 ? null : { item: items[at]!, following: Math.min(items.length - at - 1, countUpTo) };
  }
  async replaceAfter(threadId: string, messageId: string, items: readonly Item[], memory: AgentMemory, staged: readonly StagedWrite[], updatedAt: string) {
    const thread = this.threads.get(threadId);
    const held = this.items.get(threadId) ?? [];
    const at = held.findIndex((i) => i.id === messageId);
    if (!thread || at < 0) return false;
    if (held.length - at - 1 > RETRY_MAX_REPLACED) throw new ConflictError('Too many items follow this message');
    this.appends++;
    held.splice(at + 1, held.length, ...items);
    this.threads.set(threadId, { ...thread, agentMemory: memory, updatedAt });
    this.tasks.commit(staged);
    return true;
  }
  async delete(threadId: string, opts: { readonly unchangedSince?: string } = {}) {
    const thread = this.threads.get(threadId);
    if (opts.unchangedSince !== undefined && thread?.updatedAt !== opts.unchangedSince) return false;
    this.items.delete(threadId);
    return this.threads.delete(threadId);
  }
}
