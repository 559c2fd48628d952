// A stand-in for the OpenAI Responses API (`POST /v1/responses`, `stream: true`) on 127.0.0.1, for the
// real `openai` package (OPENAI_BASE_URL points here). Answers are server-sent events as the API sends
// them (`event: response.output_text.delta` + `data: {...}`); refusals are JSON errors with the
// API's status codes and `retry-after`. Requests are recorded, the bearer key included.
import { createServer, type Server } from 'node:http';
import { TurnQueue, type RecordedRequest, type ScriptedTurn } from './model-script';

export interface OpenAiFake {
  /** The base URL for OPENAI_BASE_URL (ends in /v1, as the package expects). */
  readonly baseUrl: string;
  readonly turns: TurnQueue;
  /** performance.now() when each streamed answer's first text delta was written. */
  readonly firstDeltaAt: number[];
  close(): Promise<void>;
}

const ERRORS = {
  429: { type: 'requests', code: 'rate_limit_exceeded', message: 'Rate limit reached (stand-in)' },
  500: { type: 'server_error', code: 'server_error', message: 'The server had an error (stand-in)' },
  503: { type: 'server_error', code: 'server_error', message: 'The engine is currently overloaded (stand-in)' },
} as const;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function answer(res: import('node:http').ServerResponse, model: string, turn: ScriptedTurn, firstDeltaAt: number[]): Promise<void> {
  if ('refuse' in turn) {
    res.writeHead(turn.refuse, {
      'content-type': 'application/json',
      ...(turn.retryAfterSeconds ? { 'retry-after': String(turn.retryAfterSeconds) } : {}),
    });
    res.end(JSON.stringify({ error: { ...ERRORS[turn.refuse], param: null } }));
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
  let seq = 0;
  const send = (type: string, data: Record<string, unknown>) =>
    res.write(`event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...data })}\n\n`);
  const id = `resp_${Date.now().toString(36)}`;
  const base = { id, object: 'response', model, status: 'in_progress', output: [], error: null, incomplete_details: null, usage: null };
  send('response.created', { response: base });
  send('response.in_progress', { response: base });
  let index = 0;
  if (turn.text?.length) {
    const itemId = `msg_${index}`;
    send('response.output_item.added', { output_index: index, item: { id: itemId, type: 'message', role: 'assistant', status: 'in_progress', content: [] } });
    send('response.content_part.added', { item_id: itemId, output_index: index, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } });
    for (const [i, delta] of turn.text.entries()) {
      if (i > 0 && turn.deltaIntervalMs) {
        await pause(turn.deltaIntervalMs);
        if (res.destroyed) return; // the caller went away meanwhile
      }
      send('response.output_text.delta', { item_id: itemId, output_index: index, content_index: 0, delta, logprobs: [] });
      if (i === 0) firstDeltaAt.push(performance.now());
    }
    const text = turn.text.join('');
    send('response.output_text.done', { item_id: itemId, output_index: index, content_index: 0, text, logprobs: [] });
    send('response.output_item.done', {
      output_index: index,
      item: { id: itemId, type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text, annotations: [] }] },
    });
    index++;
  }
  if (turn.failMidStream === 'error') {
    send('error', { code: 'server_error', message: 'stand-in failure', param: null });
    res.end();
    return;
  }
  if (turn.failMidStream === 'drop') {
    // Cut only once what came before is on the wire, so the client sees a stream that stops.
    res.write(': cut\n\n', () => res.socket?.destroy());
    return;
  }
  for (const call of turn.toolCalls ?? []) {
    const itemId = `fc_${index}`;
    const item = { id: itemId, type: 'function_call', call_id: call.id, name: call.name, arguments: '', status: 'in_progress' };
    send('response.output_item.added', { output_index: index, item });
    for (const delta of call.argumentFragments) send('response.function_call_arguments.delta', { item_id: itemId, output_index: index, delta });
    const args = call.argumentFragments.join('');
    send('response.function_call_arguments.done', { item_id: itemId, output_index: index, name: call.name, arguments: args });
    send('response.output_item.done', { output_index: index, item: { ...item, arguments: args, status: 'completed' } });
    index++;
  }
  const usage = turn.usage ?? { input: 0, output: 0 };
  send('response.completed', {
    response: {
      ...base,
      status: 'completed',
      usage: {
        input_tokens: usage.input,
        input_tokens_details: { cached_tokens: 0 },
        output_tokens: usage.output,
        output_tokens_details: { reasoning_tokens: 0 },
        total_tokens: usage.input + usage.output,
      },
    },
  });
  res.end();
}

export async function startOpenAiFake(turns = new TurnQueue()): Promise<OpenAiFake> {
  const firstDeltaAt: number[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/responses') {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'Not found', type: 'invalid_request_error' } }));
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      const recorded: RecordedRequest = { path: req.url, headers: { ...req.headers }, body };
      void answer(res, String(body.model), turns.next(recorded), firstDeltaAt);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    turns,
    firstDeltaAt,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
