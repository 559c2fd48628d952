// The streamed front end of the edge engine (edge.ts), for routes served with Lambda response
// streaming (REST `responseTransferMode: STREAM`): a controller answers JSON or a stream of
// server-sent events (sse.ts); every refusal comes before the stream opens, so it is an ordinary JSON
// error with the documented status. Replies remember an `Idempotency-Key` themselves (the runner's
// `reply`: the record completes when the exchange is stored, after the stream opened).
import { edge } from './edge';
import type { HttpHandlerOptions } from './edge-options';
import type { StreamingController } from './http-result';

export type { StreamingController, StreamResult } from './http-result';

export function streamingHttpHandler(routes: Readonly<Record<string, StreamingController>>, options: HttpHandlerOptions): unknown {
  return edge(routes, options, true);
}
