// Replies that survive (`npm run bench -- replies`): what the reply log costs and how fast a stop
// and a resume are. The local stack with AGENT_PROVIDER=bedrock and the stand-in pacing its deltas;
// DynamoDB requests and capacity counted at the functions' client. The log's share of a reply is
// the difference between a paced reply and an instant one of the same text (same message, same
// exchange write, same audit), so it is the batches and their state updates alone.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mintDevToken } from '../infra/local/dev-issuer';
import { startBedrockFake } from '../test/fakes/bedrock-runtime-fake';
import { TurnQueue, type ScriptedTurn } from '../test/fakes/model-script';
import { openEventStream } from '../test/helpers/sse';
import { benchStack } from './bench-stack';
import { startDynamoCounter, type DynamoCounter } from './dynamo-counter';
import { percentile as pct, type Report } from './report';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
/** On-demand list prices, us-east-1 (https://aws.amazon.com/dynamodb/pricing/on-demand/). */
const PRICE = { writeRequestUnit: 0.625 / 1e6, readRequestUnit: 0.125 / 1e6 };
const words = (n: number) => Array.from({ length: n }, (_, i) => `word${i} `);

interface PerReply {
  readonly requests: number;
  readonly ops: string;
  readonly writeUnits: number;
  readonly readUnits: number;
}

function perReply(counter: DynamoCounter, rounds: number): PerReply {
  const counts = counter.take();
  const capacity = counter.takeCapacity();
  return {
    requests: Object.values(counts).reduce((a, b) => a + b, 0) / rounds,
    ops: Object.entries(counts)
      .sort()
      .map(([op, n]) => `${op}×${+(n / rounds).toFixed(1)}`)
      .join(' + '),
    writeUnits: capacity.write / rounds,
    readUnits: capacity.read / rounds,
  };
}

export async function benchReplies(report: Report): Promise<void> {
  const turns = new TurnQueue();
  const fake = await startBedrockFake(turns);
  const dataDir = mkdtempSync(join(tmpdir(), 'threadguard-bench-replies-'));
  let counter: DynamoCounter | undefined;
  const stack = await benchStack(dataDir, {
    env: {
      ...fake.stackEnv,
      AGENT_DAILY_TOKEN_BUDGET: '1000000000',
    },
    functionsDynamodbEndpoint: async (endpoint) => (counter = await startDynamoCounter(endpoint)).endpoint,
  });
  const counting = counter!;
  const token = mintDevToken(dataDir, `replies-${Date.now()}`);
  const auth = { Authorization: `Bearer ${token}` };
  const newThread = async () => ((await (await fetch(`${stack.url}/threads`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: '{}' })).json()) as { id: string }).id;
  const say = (threadId: string) => openEventStream(`${stack.url}/threads/${threadId}/messages`, { token, body: { content: 'write it all' } });

  try {
    const section = `replies that survive (local stack, Bedrock stand-in, ${ROUNDS} rounds)`;
    // The same 50 words: at once, then paced over 5 s and 20 s.
    const shapes: Array<[string, ScriptedTurn]> = [
      ['instant reply (50 deltas at once)', { text: words(50), usage: { input: 100, output: 50 } }],
      ['5 s reply (50 deltas, 100 ms apart)', { text: words(50), deltaIntervalMs: 100, usage: { input: 100, output: 50 } }],
      ['20 s reply (50 deltas, 400 ms apart)', { text: words(50), deltaIntervalMs: 400, usage: { input: 100, output: 50 } }],
    ];
    const measured: PerReply[] = [];
    for (const [name, turn] of shapes) {
      const rounds = name.startsWith('20 s') ? Math.max(2, Math.floor(ROUNDS / 4)) : ROUNDS;
      turns.respondWith(() => turn);
      const threadId = await newThread();
      await (await say(threadId)).rest(); // warm
      counting.take();
      counting.takeCapacity();
      for (let i = 0; i < rounds; i++) await (await say(threadId)).rest();
      const m = perReply(counting, rounds);
      measured.push(m);
      report.add(section, `${name}: DynamoDB requests per reply`, m.requests, `requests (${m.ops})`);
      report.add(section, `${name}: capacity per reply`, m.writeUnits, `WRU, ${m.readUnits.toFixed(1)} RRU`);
    }
    const [instant] = measured;
    for (const [i, [name]] of shapes.entries()) {
      if (i === 0) continue;
      const m = measured[i]!;
      const logWrites = m.writeUnits - instant!.writeUnits;
      const logReads = m.readUnits - instant!.readUnits;
      report.add(section, `${name.split(' (')[0]}: the log's writes per reply (over the instant one)`, logWrites, 'WRU');
      report.add(section, `${name.split(' (')[0]}: the log's cost per 1,000 replies`, 1000 * (logWrites * PRICE.writeRequestUnit + logReads * PRICE.readRequestUnit), 'USD');
    }

    // Stop: a long reply, cancelled from another request once it streams.
    turns.respondWith(() => ({ text: words(400), deltaIntervalMs: 100, usage: { input: 100, output: 400 } }));
    const answered: number[] = [];
    const ended: number[] = [];
    const resumedFirst: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const threadId = await newThread();
      const stream = await say(threadId);
      let replyId = '';
      while (!replyId) {
        const e = await stream.next();
        if (e?.data.type === 'item.added' && e.data.item.type === 'assistant_message') replyId = e.data.item.id;
      }
      await stream.next(); // a first delta: the reply is streaming

      // Resume meanwhile: time to the first replayed event.
      const r0 = performance.now();
      const follower = await openEventStream(`${stack.url}/threads/${threadId}/items/${replyId}/events?after=1`, { token });
      await follower.next();
      resumedFirst.push(performance.now() - r0);
      follower.close();

      const t0 = performance.now();
      const streamEnd = stream.rest().then(() => performance.now() - t0);
      const res = await fetch(`${stack.url}/threads/${threadId}/items/${replyId}/cancel`, { method: 'POST', headers: auth });
      answered.push(performance.now() - t0);
      if (((await res.json()) as { status: string }).status !== 'cancelled') throw new Error('the reply did not stop');
      ended.push(await streamEnd);
    }
    report.add(section, 'cancel: the reply\'s stream ends with item.done cancelled, p50', pct(ended, 50), 'ms', pct(ended, 50) <= 1000);
    report.add(section, 'cancel: the reply\'s stream ends, p95', pct(ended, 95), 'ms', pct(ended, 95) <= 1000);
    report.add(section, 'cancel: the cancel request answers (reply stopped), p50', pct(answered, 50), 'ms');
    report.add(section, 'resume of a running reply: first replayed event, p50', pct(resumedFirst, 50), 'ms');
  } finally {
    await stack.stop();
    await fake.close();
  }
}
