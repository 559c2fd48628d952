// The ReplyLog port's contract, run against the in-memory fake (test/unit) and the DynamoDB adapter
// on DynamoDB Local (test/integration), so the fake the unit tests lean on behaves as the adapter does.
import { describe, expect, it } from 'vitest';
import type { NumberedEvent, ReplyLog } from '../../functions/shared/core/agent/reply-log';

export interface ReplyLogWorld {
  /** One user's reply logs. */
  readonly mine: ReplyLog;
  /** Another user's. */
  readonly theirs: ReplyLog;
}

let seq = 0;
const ids = () => ({ threadId: `t#${++seq}%`, replyId: `r${seq}` });
const delta = (id: number, text: string): NumberedEvent => ({ id, event: { type: 'text.delta', itemId: 'r', delta: text } });

export function replyLogContract(name: string, world: () => Promise<ReplyLogWorld>): void {
  describe(`ReplyLog contract: ${name}`, () => {
    it('keeps batches in order and answers the events after any id, and the state', async () => {
      const { mine } = await world();
      const { threadId, replyId } = ids();
      await mine.start(threadId, replyId);
      expect(await mine.state(threadId, replyId)).toEqual({ threadId, status: 'running', lastEventId: 0, cancelRequested: false });
      expect(await mine.eventsAfter(threadId, replyId, 0)).toEqual([]);
      const first = [delta(1, 'a'), delta(2, 'b'), delta(3, 'ü 🎉')];
      const second = [delta(4, 'd'), { id: 5, event: { type: 'error', code: 'provider_unavailable', message: 'x' } } as NumberedEvent];
      expect(await mine.append(threadId, replyId, first)).toEqual({ cancelRequested: false });
      expect(await mine.append(threadId, replyId, second)).toEqual({ cancelRequested: false });
      const all = [...first, ...second];
      for (const after of [0, 1, 3, 4, 5, 9]) expect(await mine.eventsAfter(threadId, replyId, after)).toEqual(all.slice(after));
      expect(await mine.state(threadId, replyId)).toMatchObject({ status: 'running', lastEventId: 5 });
      await mine.finish(threadId, replyId, 'failed', 5);
      expect(await mine.state(threadId, replyId)).toEqual({ threadId, status: 'failed', lastEventId: 5, cancelRequested: false });
    });

    it('records a cancel only while the reply runs, and tells it at the next batch or read', async () => {
      const { mine } = await world();
      const { threadId, replyId } = ids();
      await mine.start(threadId, replyId);
      expect(await mine.cancelRequested(threadId, replyId)).toBe(false);
      expect(await mine.requestCancel(threadId, replyId)).toMatchObject({ status: 'running', cancelRequested: true });
      expect(await mine.cancelRequested(threadId, replyId)).toBe(true);
      expect(await mine.append(threadId, replyId, [delta(1, 'a')])).toEqual({ cancelRequested: true });
      await mine.finish(threadId, replyId, 'cancelled', 1);
      expect(await mine.requestCancel(threadId, replyId)).toMatchObject({ status: 'cancelled', lastEventId: 1 });

      const done = ids();
      await mine.start(done.threadId, done.replyId);
      await mine.finish(done.threadId, done.replyId, 'done', 0);
      expect(await mine.requestCancel(done.threadId, done.replyId)).toEqual({ threadId: done.threadId, status: 'done', lastEventId: 0, cancelRequested: false });
    });

    it('knows no reply of another thread or another user', async () => {
      const { mine, theirs } = await world();
      const { threadId, replyId } = ids();
      await mine.start(threadId, replyId);
      await mine.append(threadId, replyId, [delta(1, 'secret')]);
      expect(await mine.state(`${threadId}x`, replyId)).toBeNull();
      expect(await theirs.state(threadId, replyId)).toBeNull();
      expect(await theirs.eventsAfter(threadId, replyId, 0)).toEqual([]);
      expect(await theirs.requestCancel(threadId, replyId)).toBeNull();
      expect(await mine.state(threadId, replyId)).toMatchObject({ cancelRequested: false });
    });
  });
}
