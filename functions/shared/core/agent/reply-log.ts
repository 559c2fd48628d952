// A reply's event log: what lets a reply outlive its connection. Every event a reply sends is
// numbered (1, 2, 3… within the reply, the SSE `id:`) and kept, in batches, under its owner's
// partition for a while after the reply ends, so a client that lost its connection replays what it
// missed and follows the rest (core/agent/reply-control.ts). The log also carries the one bit a
// stop needs: a cancel asked for by any request, in any execution environment, is seen by the run
// at its next batch (core/agent/reply-run.ts).
import type { ReplyEvent } from './reply';

/** The failure a reply ended with, as its stream's `error` event shows it. */
export interface ReplyErrorEvent {
  readonly type: 'error';
  readonly code: string;
  readonly message: string;
}

/** Everything a reply's stream can carry: its events, and a failure's error event last. */
export type LoggedEvent = ReplyEvent | ReplyErrorEvent;

export interface NumberedEvent {
  /** 1, 2, 3… within the reply. */
  readonly id: number;
  readonly event: LoggedEvent;
}

export const REPLY_STATUSES = ['running', 'done', 'cancelled', 'failed'] as const;
export type ReplyStatus = (typeof REPLY_STATUSES)[number];

export interface ReplyState {
  readonly threadId: string;
  readonly status: ReplyStatus;
  /** The id of the last event kept so far (0: none yet). */
  readonly lastEventId: number;
  readonly cancelRequested: boolean;
}

/** How often a running reply writes its new events (and so looks for a cancel): at most twice a second. */
export const FLUSH_INTERVAL_MS = 500;
/** How often a follower reads a running reply's new events. */
export const FOLLOW_INTERVAL_MS = 500;
/** A reply's log is kept this long after its last write (then DynamoDB's TTL removes it): resumable for at least 10 minutes after it ends. */
export const REPLY_LOG_KEEP_SECONDS = 3_600;

/** One principal's reply logs (built per principal, like the thread store: it names no other partition). */
export interface ReplyLog {
  /** Opens the log of a reply that starts now (status `running`, nothing kept yet). */
  start(threadId: string, replyId: string): Promise<void>;
  /**
   * Keeps the next events (consecutive ids, after the last kept) in one batch.
   * @returns whether a cancel has been asked for.
   */
  append(threadId: string, replyId: string, events: readonly NumberedEvent[]): Promise<{ readonly cancelRequested: boolean }>;
  /** Whether a cancel has been asked for (a strongly consistent read). */
  cancelRequested(threadId: string, replyId: string): Promise<boolean>;
  /** Ends the reply with its status; its last event is already kept. */
  finish(threadId: string, replyId: string, status: Exclude<ReplyStatus, 'running'>, lastEventId: number): Promise<void>;
  /** Null: no reply with this id in this thread (never one, or its log has expired). */
  state(threadId: string, replyId: string): Promise<ReplyState | null>;
  /** The kept events with ids above `after`, in order. */
  eventsAfter(threadId: string, replyId: string, after: number): Promise<NumberedEvent[]>;
  /**
   * Asks a running reply to stop (recorded only while it runs).
   * @returns the reply's state after the request; null when there is no such reply.
   */
  requestCancel(threadId: string, replyId: string): Promise<ReplyState | null>;
}
