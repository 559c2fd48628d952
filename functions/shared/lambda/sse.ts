// THE server-sent events wire format. Framing (REST message streams and ChatKit alike): one event is
// `data: <compact JSON>\n\n`, nothing else (no `event:` or `id:` lines; JSON has no raw newlines).
// A message stream (`POST /threads/{threadId}/messages` with `Accept: text/event-stream`) carries the
// reply's events (core/agent/reply.ts: item.added, text.delta..., item.done) and, when the reply fails
// after the stream opened, one `error` event last (wire-error.ts), nothing of that exchange stored.
// The OpenAPI `MessageStreamEvent` schema (infra/openapi/schemas.ts) is checked against this union
// at compile time.
import type { ReplyEvent } from '../core/agent/reply';
import { streamErrorEvent, type StreamErrorEvent } from './wire-error';

export const SSE_CONTENT_TYPE = 'text/event-stream; charset=utf-8';

/** Every event of a message stream. */
export type MessageStreamEvent = ReplyEvent | StreamErrorEvent;

export const sseFrame = (event: unknown): string => `data: ${JSON.stringify(event)}\n\n`;

/** Whether the client asked for a stream (`Accept: text/event-stream`). */
export const wantsEventStream = (accept: string | undefined): boolean => /\btext\/event-stream\b/i.test(accept ?? '');

/** A reply's events as message-stream frames. */
export async function* messageStreamFrames(events: AsyncIterable<ReplyEvent>): AsyncGenerator<string> {
  for await (const e of events) yield sseFrame(e satisfies MessageStreamEvent);
}

/** The last frame of a message stream that failed after it opened (logged as a fault where it is one). */
export const messageStreamError = (err: unknown, where: string): string => sseFrame(streamErrorEvent(err, where) satisfies MessageStreamEvent);
