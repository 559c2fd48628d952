// A stand-in for Amazon Bedrock Runtime's ConverseStream on 127.0.0.1, for the real
// @aws-sdk/client-bedrock-runtime client. That client speaks HTTP/2 (cleartext with prior knowledge to
// an http:// endpoint), so this is an h2c server. Answers are AWS event-stream frames encoded with
// @smithy/eventstream-codec: `:message-type` event/exception, `:event-type` the ConverseStreamOutput
// member, JSON payloads; refusals are restJson1 errors (`x-amzn-errortype`). Requests are not
// signature-checked, only recorded.
import { createServer, type Http2Server, type ServerHttp2Stream, constants } from 'node:http2';
import { EventStreamCodec, type MessageHeaders } from '@smithy/eventstream-codec';
import { TurnQueue, type RecordedRequest, type ScriptedTurn } from './model-script';

const codec = new EventStreamCodec(
  (bytes) => Buffer.from(bytes).toString('utf8'),
  (text) => Buffer.from(text, 'utf8'),
);

const str = (value: string) => ({ type: 'string' as const, value });

function frame(kind: 'event' | 'exception', type: string, payload: unknown): Uint8Array {
  const headers: MessageHeaders = {
    ':message-type': str(kind),
    [kind === 'event' ? ':event-type' : ':exception-type']: str(type),
    ':content-type': str('application/json'),
  };
  return codec.encode({ headers, body: Buffer.from(JSON.stringify(payload)) });
}

const ERROR_TYPES = { 429: 'ThrottlingException', 500: 'InternalServerException', 503: 'ServiceUnavailableException' } as const;

export interface BedrockFake {
  /** The endpoint for AWS_ENDPOINT_URL_BEDROCK_RUNTIME. */
  readonly endpoint: string;
  /** What a local stack's environment needs to reply through this stand-in (AGENT_PROVIDER=bedrock, the endpoint, a region and made-up credentials). */
  readonly stackEnv: Readonly<Record<string, string>>;
  readonly turns: TurnQueue;
  /** performance.now() when each streamed answer's first text delta was written. */
  readonly firstDeltaAt: number[];
  /** Paced answers the client abandoned before their end (its call was aborted): how many so far. */
  readonly abandoned: () => number;
  close(): Promise<void>;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function answer(stream: ServerHttp2Stream, turn: ScriptedTurn, firstDeltaAt: number[], onAbandoned: () => void): Promise<void> {
  if ('refuse' in turn) {
    const type = ERROR_TYPES[turn.refuse];
    stream.respond({
      ':status': turn.refuse,
      'content-type': 'application/json',
      'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
      ...(turn.retryAfterSeconds ? { 'retry-after': String(turn.retryAfterSeconds) } : {}),
    });
    stream.end(JSON.stringify({ message: `${type} from the stand-in` }));
    return;
  }
  stream.respond({ ':status': 200, 'content-type': 'application/vnd.amazon.eventstream' });
  const write = (type: string, payload: unknown) => stream.write(frame('event', type, payload));
  write('messageStart', { role: 'assistant' });
  let index = 0;
  if (turn.text?.length) {
    for (const [i, delta] of turn.text.entries()) {
      if (i > 0 && turn.deltaIntervalMs) await pause(turn.deltaIntervalMs);
      if (stream.closed || stream.destroyed) return onAbandoned(); // the client aborted the call
      write('contentBlockDelta', { contentBlockIndex: index, delta: { text: delta } });
      if (i === 0) firstDeltaAt.push(performance.now());
    }
    write('contentBlockStop', { contentBlockIndex: index++ });
  }
  if (turn.failMidStream === 'error') {
    stream.end(frame('exception', 'modelStreamErrorException', { message: 'stand-in failure', originalStatusCode: 500 }));
    return;
  }
  if (turn.failMidStream === 'drop') {
    // Reset only once what came before is on the wire, so the client sees a stream that stops.
    stream.write(frame('event', 'contentBlockStart', { contentBlockIndex: index, start: {} }), () => stream.close(constants.NGHTTP2_INTERNAL_ERROR));
    return;
  }
  for (const call of turn.toolCalls ?? []) {
    write('contentBlockStart', { contentBlockIndex: index, start: { toolUse: { toolUseId: call.id, name: call.name } } });
    for (const input of call.argumentFragments) write('contentBlockDelta', { contentBlockIndex: index, delta: { toolUse: { input } } });
    write('contentBlockStop', { contentBlockIndex: index++ });
  }
  write('messageStop', { stopReason: turn.toolCalls?.length ? 'tool_use' : 'end_turn' });
  const usage = turn.usage ?? { input: 0, output: 0 };
  write('metadata', {
    usage: { inputTokens: usage.input, outputTokens: usage.output, totalTokens: usage.input + usage.output },
    metrics: { latencyMs: 1 },
  });
  stream.end();
}

export async function startBedrockFake(turns = new TurnQueue()): Promise<BedrockFake> {
  const firstDeltaAt: number[] = [];
  let abandoned = 0;
  const server: Http2Server = createServer();
  server.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const path = String(headers[':path'] ?? '');
      if (headers[':method'] !== 'POST' || !/^\/model\/[^/]+\/converse-stream$/.test(path)) {
        stream.respond({ ':status': 404, 'content-type': 'application/json', 'x-amzn-errortype': 'UnknownOperationException' });
        stream.end('{}');
        return;
      }
      const req: RecordedRequest = { path: decodeURIComponent(path), headers: { ...headers }, body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') };
      void answer(stream, turns.next(req), firstDeltaAt, () => void abandoned++);
    });
    stream.on('error', () => undefined); // a client that goes away mid-answer
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  const sessions = new Set<import('node:http2').ServerHttp2Session>();
  server.on('session', (s) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
  });
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    stackEnv: {
      AGENT_PROVIDER: 'bedrock',
      AGENT_MODEL: 'eu.amazon.nova-lite-v1:0',
      AWS_ENDPOINT_URL_BEDROCK_RUNTIME: endpoint,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'AKIDSTANDIN',
      AWS_SECRET_ACCESS_KEY: 'stand-in-secret',
    },
    turns,
    firstDeltaAt,
    abandoned: () => abandoned,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sessions) s.destroy();
        server.close(() => r());
      }),
  };
}
