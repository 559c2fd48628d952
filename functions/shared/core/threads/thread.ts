// Threads and their items, and the per-principal store port. A store is built for one principal
// (`threadStore(principal)`): none of its methods can name another partition.
import type { StagedWrite } from '../tasks/task';

export const ITEM_TYPES = ['user_message', 'assistant_message', 'tool_call', 'notice'] as const;
export type ItemType = (typeof ITEM_TYPES)[number];

export type Metadata = Record<string, unknown>;

export interface Thread {
  readonly id: string;
  readonly title: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly metadata: Metadata;
}

/**
 * An assistant message's state: `done`, or `cancelled` (stopped by its user; the text is what was
 * said until then). `running` only in the `item.added` event that opens a reply.
 */
export const ITEM_STATUSES = ['running', 'done', 'cancelled'] as const;
export type ItemStatus = (typeof ITEM_STATUSES)[number];

export interface Item {
  readonly id: string;
  readonly threadId: string;
  readonly type: ItemType;
  readonly content: string;
  readonly createdAt: string;
  /** Assistant messages only. */
  readonly status?: ItemStatus;
}

/** What the agent remembers between turns of one thread (tasks it last referred to, in order). */
export interface AgentMemory {
  readonly recentTasks: ReadonlyArray<{ readonly id: string; readonly title: string }>;
}

export const EMPTY_MEMORY: AgentMemory = { recentTasks: [] };

/** A stored thread: the public fields plus the agent's memory. */
export interface ThreadRecord extends Thread {
  readonly agentMemory: AgentMemory;
}

/**
 * Most items a retry replaces: they are deleted in the transaction that stores its reply
 * (TransactWriteItems takes at most 100 actions, and the reply's task writes need room too).
 */
export const RETRY_MAX_REPLACED = 50;

export type Order = 'asc' | 'desc';

/** One page of a key-ordered list; `lastKey` is the sort key to resume after (null: no more). */
export interface Page<T> {
  readonly data: T[];
  readonly lastKey: string | null;
}

export interface ItemQuery {
  readonly limit: number;
  readonly order: Order;
  readonly after: string | null;
}

/** Reads of one partition: the caller's own, or (admin support) the one the admin reader was built for. */
export interface ThreadReader {
  /** Newest first. Threads being deleted are left out. */
  list(limit: number, after: string | null): Promise<Page<Thread>>;
  /** Null when absent from this partition or being deleted. */
  get(threadId: string): Promise<ThreadRecord | null>;
  /** One Query over the thread's items; empty both for an empty thread and for an absent one. */
  listItems(threadId: string, query: ItemQuery): Promise<Page<Item>>;
}

export interface ThreadPatch {
  readonly title?: string;
  readonly metadata?: Metadata;
}

export interface ThreadStore extends ThreadReader {
  create(thread: ThreadRecord): Promise<void>;
  /** Null when the thread is absent or being deleted. */
  update(threadId: string, patch: ThreadPatch, updatedAt: string): Promise<ThreadRecord | null>;
  /**
   * Stores the items of one exchange (a message and its reply), the agent's memory and any staged
   * task writes in one transaction, only while the thread exists and is not being deleted.
   * @returns false when the thread is absent or being deleted (nothing was written).
   */
  appendExchange(threadId: string, items: readonly Item[], memory: AgentMemory, staged: readonly StagedWrite[], updatedAt: string): Promise<boolean>;
  /**
   * One item of the thread and how many items follow it, counted up to `countUpTo` (more count as
   * `countUpTo`).
   * @returns null when the thread holds no item with this id.
   */
  findItem(threadId: string, itemId: string, countUpTo: number): Promise<{ readonly item: Item; readonly following: number } | null>;
  /**
   * A retry's exchange: deletes every item after the message `messageId` (those stored while the
   * new reply ran too) and stores `items` (the new reply), the agent's memory and any staged task
   * writes, in one transaction, only while the thread exists, is not being deleted and still holds
   * the message. At most RETRY_MAX_REPLACED items are replaced.
   * @returns false when the thread or the message is absent (nothing was written).
   */
  replaceAfter(threadId: string, messageId: string, items: readonly Item[], memory: AgentMemory, staged: readonly StagedWrite[], updatedAt: string): Promise<boolean>;
  /**
   * Marks the thread, deletes all its items (paged, batched, retried), then the thread itself.
   * `unchangedSince`: only while the thread's `updatedAt` is still this (nothing stored or renamed since).
   * @returns false when the thread is absent from this partition (or changed since).
   */
  delete(threadId: string, opts?: { readonly unchangedSince?: string }): Promise<boolean>;
}

export const publicThread = ({ id, title, createdAt, updatedAt, metadata }: Thread): Thread => ({
  id,
  title,
  createdAt,
  updatedAt,
  metadata,
});
