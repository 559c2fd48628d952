// THE server-sent events wire format. Framing: one event is `data: <compact JSON>\n\n` (JSON has no
// raw newlines); a reply's events also carry `id: <n>` (1, 2, 3… within the reply), so a client that
// lost its stream resumes after the last id it saw (`Last-Event-ID`, core/agent/reply-control.ts).
// A message stream (`POST /threads/{threadId}/messages` with `Accept: text/event-stream`, and its
// resume `GET …/items/{itemId}/events`) carries the reply's events (core/agent/reply.ts: item.added,
// text.delta..., item.done) and, when the reply fails after the stream opened, one `error` event
// last (wire-error.ts), nothing of that exchange stored.
// The OpenAPI `MessageStreamEvent` schema (infra/openapi/schemas.ts) is checked against this union
// at compile time.
import type { ReplyEvent } from '../core/agent/reply';
import type { NumberedEvent } from '../core/agent/reply-log';
import { streamErrorEvent, type StreamErrorEvent } from './wire-error';

export const SSE_CONTENT_TYPE = 'text/event-stream; charset=utf-8';

/** Every event of a message stream. */
export type MessageStreamEvent = ReplyEvent | StreamErrorEvent;

export const sseFrame = (event: unknown, id?: number): string => `${id === undefined ? '' : `id: ${id}\n`}data: ${JSON.stringify(event)}\n\n`;

/** Whether the client asked for a stream (`Accept: text/event-stream`). */
export const wantsEventStream = (accept: string | undefined): boolean => /\btext\/event-stream\b/i.test(accept ?? '');

/** A reply's numbered events as message-stream frames; a failure is the last frame, numbered next. */
export async function* messageStreamFrames(events: AsyncIterable<NumberedEvent>, where: string): AsyncGenerator<string> {
  let last = 0;
  try {
    for await (const { id, event } of events) {
      last = id;
      yield sseFrame(event satisfies MessageStreamEvent, id);
    }
  } catch (err) {
    yield sseFrame(streamErrorEvent(err, where) satisfies MessageStreamEvent, last + 1);
  }
}

/** The last frame of a message stream that failed after it opened (logged as a fault where it is one). */
export const messageStreamError = (err: unknown, where: string): string => sseFrame(streamErrorEvent(err, where) satisfies MessageStreamEvent);
