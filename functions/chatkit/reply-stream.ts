// A reply as a ChatKit response stream (protocol §2.4, §2.5): the reply use case's events framed as
// ChatKit's thread stream events, `stream_options` allowing a cancel, and ChatKit's Stop: a stream
// its client leaves before the reply's end stops the reply (core/agent/reply-control.ts).
import { stopLeftReply } from '../shared/core/agent/reply-control';
import type { OpenReply, ReplyDeps, ReplyEvent } from '../shared/core/agent/reply';
import type { ThreadAccess } from '../shared/core/threads/audited-access';
import { sseFrame } from '../shared/lambda/sse';
import type { StreamResult } from '../shared/lambda/streaming-handler';
import { chatKitErrorEvent } from '../shared/lambda/wire-error';
import { itemWire, outputText, type ThreadItemWire, type ThreadStreamEvent } from './protocol';

/** Sent once at the start of every response stream: the client shows its Stop button. */
export const STREAM_OPTIONS: ThreadStreamEvent = { type: 'stream_options', stream_options: { allow_cancel: true } };

/**
 * Maps our exchange events to ChatKit's canonical sequence (protocol §2.4, §2.5): the user message
 * echoed, then stream_options, then the assistant message. A retry's stream has no user message
 * (its stream_options come first): a replay of one tells it, and it is left out.
 */
function* chatKitEvents(e: ReplyEvent, retry: boolean): Generator<ThreadStreamEvent> {
  if (e.type === 'item.added' && e.item.type === 'user_message') {
    if (retry) return;
    yield { type: 'thread.item.done', item: itemWire(e.item)! };
    yield STREAM_OPTIONS;
  } else if (e.type === 'item.added') {
    yield { type: 'thread.item.added', item: { ...(itemWire(e.item) as ThreadItemWire), content: [] } as ThreadItemWire };
    yield { type: 'thread.item.updated', item_id: e.item.id, update: { type: 'assistant_message.content_part.added', content_index: 0, content: outputText('') } };
  } else if (e.type === 'text.delta') {
    yield { type: 'thread.item.updated', item_id: e.itemId, update: { type: 'assistant_message.content_part.text_delta', content_index: 0, delta: e.delta } };
  } else if (e.type === 'item.done') {
    yield { type: 'thread.item.updated', item_id: e.item.id, update: { type: 'assistant_message.content_part.done', content_index: 0, content: outputText(e.item.content) } };
    yield { type: 'thread.item.done', item: itemWire(e.item)! };
  }
}

/**
 * The reply as a ChatKit stream. Left before the reply ended (the client went away: the stream is
 * returned early), the reply is asked to stop; it ends cancelled, keeping what was said. The
 * invocation waits for the reply either way (`settled`).
 */
export function streamReply(deps: ReplyDeps, access: ThreadAccess, reply: OpenReply, opts: { first?: ThreadStreamEvent[]; retry?: boolean } = {}): StreamResult {
  const retry = opts.retry ?? false;
  async function* frames(): AsyncGenerator<string> {
    const events = reply.events[Symbol.asyncIterator]();
    let replyId: string | null = null;
    let ended = false;
    try {
      for (const e of opts.first ?? []) yield sseFrame(e);
      for (;;) {
        let step: IteratorResult<ReplyEvent>;
        try {
          step = await events.next();
        } catch (err) {
          ended = true; // the reply failed: nothing to stop
          throw err;
        }
        if (step.done) {
          ended = true;
          return;
        }
        const e = step.value;
        if (e.type === 'item.added' && e.item.type === 'assistant_message') replyId = e.item.id;
        if (e.type === 'item.done') ended = true;
        for (const out of chatKitEvents(e, retry)) yield sseFrame(out);
      }
    } finally {
      await events.return?.();
      if (!ended && replyId) await stopLeftReply(deps, access, { threadId: reply.thread.id, itemId: replyId });
    }
  }
  return {
    statusCode: 200,
    headers: reply.headers,
    stream: frames(),
    onError: (err) => sseFrame(chatKitErrorEvent(err, 'POST /chatkit')),
    settled: reply.settled,
  };
}
