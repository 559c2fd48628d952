// Long replies over the local stack, with a slow model: the Bedrock ConverseStream stand-in paces its
// deltas a second apart. With the default REPLY_TIMEOUT_SECONDS (300, the deployed
// replyTimeoutSeconds) a reply of about 40 s, past API Gateway's default 29 s and an edge-optimized
// endpoint's 30 s idle timeout, streams to its `item.done` and is stored. With REPLY_TIMEOUT_SECONDS=6
// the same reply is stopped by the function 3 s before its timeout (before the gateway would cut the
// stream): what was said is stored with the time-limit note and the stream ends with `item.done`
// (test/infra/rest-gateway-timeouts.test.ts covers the gateway's own cut). A value outside 5..900 stops
// `npm start`, naming the variable, as the CDK context's does the synth.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintDevToken } from '../../infra/local/dev-issuer';
import { TIME_LIMIT_NOTE } from '../../functions/shared/core/agent/reply';
import { REPLY_TIMEOUT_SECONDS } from '../../infra/reply-timeout';
import { startBedrockFake, type BedrockFake } from '../fakes/bedrock-runtime-fake';
import { recordCredential } from '../helpers/credentials';
import { uniqueUser } from '../helpers/dev-tokens';
import { api } from '../helpers/http';
import { postSse } from '../helpers/sse';
import { startStackProcess, type StackProcess } from '../helpers/stack-process';

const SHORT_TIMEOUT_SECONDS = 6;
/** 41 deltas a second apart: the reply lasts about 40 s. */
const DELTA_INTERVAL_MS = 1_000;
const DELTAS = Array.from({ length: 41 }, (_, i) => `${i === 0 ? '' : ' '}part ${i}.`);
const REPLY_MS = (DELTAS.length - 1) * DELTA_INTERVAL_MS;

let fake: BedrockFake;
let standard: StackProcess;
let short: StackProcess;

beforeAll(async () => {
  fake = await startBedrockFake();
  [standard, short] = await Promise.all([startStackProcess(fake.stackEnv), startStackProcess({ ...fake.stackEnv, REPLY_TIMEOUT_SECONDS: String(SHORT_TIMEOUT_SECONDS) })]);
});

afterAll(async () => {
  await Promise.all([standard?.stop(), short?.stop()]);
  await fake?.close();
});

async function userWithThread(stack: StackProcess, label: string): Promise<{ token: string; threadId: string }> {
  const token = mintDevToken(stack.dataDir, uniqueUser(label));
  recordCredential(token);
  const threadId = (await api(stack.baseUrl, 'POST', '/threads', { token, body: {} })).body.id as string;
  return { token, threadId };
}

const storedItems = async (stack: StackProcess, token: string, threadId: string) =>
  ((await api(stack.baseUrl, 'GET', `/threads/${threadId}/items?order=asc&limit=100`, { token })).body.data as Array<{ type: string; content: string }>).map(
    ({ type, content }) => ({ type, content }),
  );

describe('long replies', () => {
  it(`streams a reply of about ${REPLY_MS / 1000} s to its item.done with the default REPLY_TIMEOUT_SECONDS (${REPLY_TIMEOUT_SECONDS.default}), and stores it`, async () => {
    const { token, threadId } = await userWithThread(standard, 'long-reply');
    fake.turns.script({ text: DELTAS, deltaIntervalMs: DELTA_INTERVAL_MS, usage: { input: 20, output: 200 } });
    const started = performance.now();
    const sse = await postSse(`${standard.baseUrl}/threads/${threadId}/messages`, { token, body: { content: 'tell me a long story' } });
    const lasted = performance.now() - started;

    expect(sse.status).toBe(200);
    expect(sse.ending).toBe('complete');
    expect(lasted).toBeGreaterThanOrEqual(REPLY_MS);
    expect(sse.events.filter((e) => e.type === 'text.delta').map((e) => e.delta)).toEqual(DELTAS);
    expect(sse.events.at(-1)).toMatchObject({ type: 'item.done', item: { type: 'assistant_message', content: DELTAS.join('') } });
    expect(await storedItems(standard, token, threadId)).toEqual([
      { type: 'user_message', content: 'tell me a long story' },
      { type: 'assistant_message', content: DELTAS.join('') },
    ]);
  }, REPLY_MS + 30_000);

  it(`ends the same reply before REPLY_TIMEOUT_SECONDS=${SHORT_TIMEOUT_SECONDS} runs out: stopped, stored with the time-limit note, the stream ends with item.done`, async () => {
    const { token, threadId } = await userWithThread(short, 'cut-reply');
    fake.turns.script({ text: DELTAS, deltaIntervalMs: DELTA_INTERVAL_MS, usage: { input: 20, output: 200 } });
    const started = performance.now();
    const sse = await postSse(`${short.baseUrl}/threads/${threadId}/messages`, { token, body: { content: 'tell me a long story' } });
    const lasted = performance.now() - started;

    // Ended by the function itself, before the gateway's cut at the integration timeout.
    expect(sse.status).toBe(200);
    expect(sse.ending).toBe('complete');
    expect(lasted).toBeLessThan(SHORT_TIMEOUT_SECONDS * 1000);
    const deltas = sse.events.filter((e) => e.type === 'text.delta').map((e) => e.delta as string);
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.at(-1)).toBe(TIME_LIMIT_NOTE);
    expect(deltas.slice(0, -1)).toEqual(DELTAS.slice(0, deltas.length - 1));
    const done = sse.events.at(-1);
    expect(done).toMatchObject({ type: 'item.done', item: { type: 'assistant_message', status: 'done', content: deltas.join('') } });
    expect(await storedItems(short, token, threadId)).toEqual([
      { type: 'user_message', content: 'tell me a long story' },
      { type: 'assistant_message', content: deltas.join('') },
    ]);
  }, 60_000);

  it.each(['4', '901', 'five minutes'])('refuses to start with REPLY_TIMEOUT_SECONDS=%s, naming the variable and the range', async (bad) => {
    const error = await startStackProcess({ REPLY_TIMEOUT_SECONDS: bad }).then(
      (s) => s.stop().then(() => null),
      (e: Error) => e,
    );
    const log = readFileSync(/see (\S+)$/.exec(String(error?.message))![1]!, 'utf8');
    expect(log).toContain(`Local stack failed to start: REPLY_TIMEOUT_SECONDS: must be a whole number of seconds from 5 to 900, got "${bad}"`);
  });
});
