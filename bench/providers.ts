// Replies through a real provider SDK: the local stack with AGENT_PROVIDER=bedrock, the real Bedrock
// Runtime client talking to the h2c event-stream stand-in, which answers at once. Per transport:
// time to first delta at the client, the pipeline's added latency after the stand-in wrote its first
// delta (the stand-in and the client share this process's clock), and DynamoDB requests per reply.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import WebSocket from 'ws';
import { mintDevToken } from '../infra/local/dev-issuer';
import { benchStack } from './bench-stack';
import { startBedrockFake } from '../test/fakes/bedrock-runtime-fake';
import { TurnQueue } from '../test/fakes/model-script';
import { startDynamoCounter, type DynamoCounter } from './dynamo-counter';
import { percentile as pct, type Report } from './report';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 30);
const CONTENT = 'what should I do next?';
const DELTA = /"text\.delta"|text_delta/;

type Run = { t0: number; firstAt: number };

/** POST with a JSON body; `firstAt` is when the first chunk carrying a delta arrived (or the whole body, for JSON). */
function post(url: string, token: string, body: unknown, stream: boolean): Promise<Run> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let firstAt = 0;
    const payload = JSON.stringify(body);
    const req = request(
      url,
      { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...(stream ? { Accept: 'text/event-stream' } : {}) } },
      (res) => {
        res.setEncoding('utf8');
        let text = '';
        res.on('data', (c: string) => {
          text += c;
          if (stream && !firstAt && DELTA.test(c)) firstAt = performance.now();
        });
        res.on('end', () => {
          if ((res.statusCode ?? 500) >= 300) return reject(new Error(`${url}: ${res.statusCode} ${text}`));
          resolve({ t0, firstAt: firstAt || performance.now() });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

function wsOnce(ws: WebSocket, threadId: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let firstAt = 0;
    const onMessage = (data: WebSocket.RawData) => {
      const frame = JSON.parse(data.toString());
      if (!firstAt && frame.type === 'text.delta') firstAt = performance.now();
      if (frame.type === 'error') reject(new Error(`websocket: ${JSON.stringify(frame)}`));
      if (frame.type === 'item.done' || frame.type === 'error') ws.off('message', onMessage);
      if (frame.type === 'item.done') resolve({ t0, firstAt });
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ action: 'sendMessage', threadId, content: CONTENT }));
  });
}

/** Requests per reply, and by operation (e.g. `GetItem×2 + Query×1`). */
function requestsPerReply(counter: DynamoCounter, rounds: number): { total: number; ops: string } {
  const counts = counter.take();
  const ops = Object.entries(counts)
    .sort()
    .map(([op, n]) => `${op}×${+(n / rounds).toFixed(2)}`)
    .join(' + ');
  return { total: Object.values(counts).reduce((a, b) => a + b, 0) / rounds, ops };
}

export async function benchProviders(report: Report): Promise<void> {
  const fake = await startBedrockFake(new TurnQueue(() => ({ text: ['Here is ', 'what I ', 'suggest.'], usage: { input: 120, output: 6 } })));
  const dataDir = mkdtempSync(join(tmpdir(), 'threadguard-bench-providers-'));
  let counter: DynamoCounter | undefined;
  const stack = await benchStack(dataDir, {
    env: {
      ...fake.stackEnv,
      AGENT_DAILY_TOKEN_BUDGET: '1000000000',
    },
    functionsDynamodbEndpoint: async (endpoint) => (counter = await startDynamoCounter(endpoint)).endpoint,
  });
  const counting = counter!;
  try {
    const token = mintDevToken(dataDir, `providers-${Date.now()}`);
    const newThread = async () => {
      const res = await fetch(`${stack.url}/threads`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: '{}' });
      return ((await res.json()) as { id: string }).id;
    };
    const ws = new WebSocket(`${stack.wsUrl}?token=${token}`);
    await new Promise((r, j) => (ws.once('open', r), ws.once('error', j)));
    const chatkitBody = (threadId: string) => ({
      type: 'threads.add_user_message',
      params: { thread_id: threadId, input: { content: [{ type: 'input_text', text: CONTENT }], attachments: [], inference_options: {} } },
    });
    const transports: Array<[string, (threadId: string) => Promise<Run>]> = [
      ['REST JSON (whole reply)', (id) => post(`${stack.url}/threads/${id}/messages`, token, { content: CONTENT }, false)],
      ['SSE', (id) => post(`${stack.url}/threads/${id}/messages`, token, { content: CONTENT }, true)],
      ['WebSocket', (id) => wsOnce(ws, id)],
      ['ChatKit', (id) => post(`${stack.url}/chatkit`, token, chatkitBody(id), true)],
    ];
    const section = `replies through the Bedrock SDK and its stand-in (local stack, ${ROUNDS} rounds per transport)`;
    for (const [name, once] of transports) {
      const threadId = await newThread();
      await once(threadId); // warm the function and the SDK's connection
      counting.take();
      const firstDelta: number[] = [];
      const added: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        const before = fake.firstDeltaAt.length;
        const run = await once(threadId);
        const fakeFirst = fake.firstDeltaAt[before];
        if (fakeFirst === undefined) throw new Error(`${name}: the stand-in was not asked`);
        firstDelta.push(run.firstAt - run.t0);
        added.push(run.firstAt - fakeFirst);
      }
      const perReply = requestsPerReply(counting, ROUNDS);
      report.add(section, `${name}: time to first delta p50`, pct(firstDelta, 50), 'ms');
      report.add(section, `${name}: time to first delta p95`, pct(firstDelta, 95), 'ms');
      report.add(section, `${name}: after the stand-in's first delta p50`, pct(added, 50), 'ms', name.startsWith('REST') ? undefined : pct(added, 50) <= 5);
      report.add(section, `${name}: after the stand-in's first delta p95`, pct(added, 95), 'ms');
      report.add(section, `${name}: DynamoDB requests per reply`, perReply.total, `requests (${perReply.ops})`);
    }
    ws.close();
  } finally {
    await stack.stop();
    await fake.close();
  }
}
