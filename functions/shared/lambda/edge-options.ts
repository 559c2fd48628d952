// How a function's edge is configured (a leaf: the engine, dispatch, the guards and the idempotency
// runner import these types, and nothing here imports them back).
import type { Context } from 'aws-lambda';
import type { OpenReply } from '../core/agent/reply';
import type { Thread } from '../core/threads/thread';
import type { HttpRequest } from './http-request';
import type { HttpResult } from './http-result';

/** Runs before the controller (rate limits, for instance); may add headers to every response. */
export type RequestGuard = (req: HttpRequest, out: Record<string, string>) => Promise<void>;

export interface IdempotentRunner {
  /** A buffered POST: the first response is remembered and replayed. */
  (req: HttpRequest, run: () => Promise<HttpResult>): Promise<HttpResult>;
  /**
   * A reply (message post, ChatKit): remembered once its exchange is stored, before the stream
   * ends; a replay is the stored exchange told again in the retry's own framing (JSON or a stream).
   * A reply that fails, before or during its stream, stores nothing and is not remembered. A replay
   * is shown only once `confirm` accepts its thread (still there, still the caller's).
   */
  reply(req: HttpRequest, open: () => Promise<OpenReply>, confirm: (thread: Thread) => Promise<void>): Promise<OpenReply>;
  /**
   * The invocation's Lambda context: an in-progress record then expires with the invocation's
   * remaining time, so a request that died mid-way does not block its key's retries for 24 h.
   */
  useContext(context: Context): void;
  /** Deletes the records holding content of `userId`'s thread `threadId` (the thread was deleted). */
  forgetThread(userId: string, threadId: string): Promise<void>;
}

export interface HttpHandlerOptions {
  readonly corsOrigins: readonly string[];
  readonly guards?: readonly RequestGuard[];
  /** Bodies over this are a 413 on every method (API.md); default MAX_BODY_BYTES. */
  readonly maxBodyBytes?: number;
  /** Client `Idempotency-Key` handling: around every buffered route's controller; streamed routes' replies use `reply`. */
  readonly idempotency?: IdempotentRunner;
}
