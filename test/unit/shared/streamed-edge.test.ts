// A streamed function whose client goes away mid-stream: the stream is returned early (so it can act,
// as ChatKit stops its reply), no error event is rendered and nothing is logged as a failure, and
// the invocation still ends only once the work the stream started has settled (a reply is stored).
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { lambdaContext } from '../../../infra/local/lambda-runtime';
import { proxyEvent } from '../../helpers/proxy-event';
import { streamingHttpHandler, type StreamResult } from '../../../functions/shared/lambda/streaming-handler';

const event = proxyEvent('/stream');

type StreamedHandler = (event: APIGatewayProxyEvent, stream: Writable, context: Context) => Promise<void>;

/** A response stream that takes `accept` chunks, then breaks as the runtime's does when the client is gone. */
function responseStream(accept: number) {
  const written: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      written.push(chunk.toString());
      cb();
      if (written.length === accept) setImmediate(() => stream.destroy(new Error('the client closed the connection')));
    },
  });
  return { stream, written };
}

describe('a streamed answer whose client goes away', () => {
  it('returns the stream early, renders no error event, and ends the invocation only once the stream\'s work has settled', async () => {
    let settle!: () => void;
    const settled = new Promise<void>((resolve) => (settle = resolve));
    const seen: string[] = [];
    const errors: unknown[] = [];
    async function* body(): AsyncGenerator<string> {
      try {
        for (let i = 0; ; i++) {
          await new Promise((r) => setTimeout(r, 5));
          yield `data: ${i}\n\n`;
        }
      } finally {
        seen.push('returned early');
      }
    }
    const handler = streamingHttpHandler(
      {
        'GET /stream': async (): Promise<StreamResult> => ({
          statusCode: 200,
          stream: body(),
          onError: (err) => {
            errors.push(err);
            return 'data: {"type":"error"}\n\n';
          },
          settled,
        }),
      },
      { corsOrigins: [] },
    ) as StreamedHandler;
    const { stream, written } = responseStream(2);
    let ended = false;
    const invocation = handler(event, stream, lambdaContext('edge-test', 28_000))
      .catch(() => undefined) // the broken response stream is the runtime's to report
      .then(() => (ended = true));

    for (let i = 0; i < 200 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(seen).toEqual(['returned early']);
    expect(errors).toEqual([]);
    expect(written.every((c) => !c.includes('"error"'))).toBe(true);
    // The response stream gave up before the body was returned; the work the stream started still
    // runs, and the invocation waits for it.
    await new Promise((r) => setImmediate(r));
    expect(ended).toBe(false);
    settle();
    await invocation;
    expect(ended).toBe(true);
  });
});
