// The reply log port in memory, per user (the DynamoDB adapter passes the same contract, test/contracts/reply-log.contract.ts).
import type { NumberedEvent, ReplyLog, ReplyState } from '../../functions/shared/core/agent/reply-log';

interface Entry {
  state: ReplyState;
  events: NumberedEvent[];
}

export class InMemoryReplyLog implements ReplyLog {
  private readonly replies = new Map<string, Entry>();
  /** Batch writes and reads of the cancel bit, for the write-count assertions. */
  appends = 0;
  cancelReads = 0;

  private key = (threadId: string, replyId: string) => `${threadId}\u0000${replyId}`;

  async start(threadId: string, replyId: string) {
    this.replies.set(this.key(threadId, replyId), { state: { threadId, status: 'running', lastEventId: 0, cancelRequested: false }, events: [] });
  }
  async append(threadId: string, replyId: string, events: readonly NumberedEvent[]) {
    const entry = this.replies.get(this.key(threadId, replyId))!;
    this.appends++;
    entry.events.push(...events.map((e) => structuredClone(e)));
    entry.state = { ...entry.state, lastEventId: events[events.length - 1]!.id };
    return { cancelRequested: entry.state.cancelRequested };
  }
  async cancelRequested(threadId: string, replyId: string) {
    this.cancelReads++;
    return this.replies.get(this.key(threadId, replyId))?.state.cancelRequested === true;
  }
  async finish(threadId: string, replyId: string, status: 'done' | 'cancelled' | 'failed', lastEventId: number) {
    const entry = this.replies.get(this.key(threadId, replyId))!;
    entry.state = { ...entry.state, status, lastEventId };
  }
  async state(threadId: string, replyId: string) {
    return this.replies.get(this.key(threadId, replyId))?.state ?? null;
  }
  async eventsAfter(threadId: string, replyId: string, after: number) {
    return (this.replies.get(this.key(threadId, replyId))?.events ?? []).filter((e) => e.id > after).map((e) => structuredClone(e));
  }
  async requestCancel(threadId: string, replyId: string) {
    const entry = this.replies.get(this.key(threadId, replyId));
    if (!entry) return null;
    if (entry.state.status === 'running') entry.state = { ...entry.state, cancelRequested: true };
    return entry.state;
  }
}
