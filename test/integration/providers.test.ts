// The agent on real provider SDKs, end to end: a local stack per provider (AGENT_PROVIDER=bedrock with
// AWS_ENDPOINT_URL_BEDROCK_RUNTIME at the h2c event-stream stand-in; =openai with OPENAI_BASE_URL at
// the SSE stand-in), both stand-ins in this process and scriptable. A chat creates a task by a tool
// call over every transport, for its user only; a provider refusal before the stream is a 503
// provider_unavailable with Retry-After; a failure mid-stream is the error event and stores nothing.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mintDevToken } from '../../infra/local/dev-issuer';
import { startBedrockFake, type BedrockFake } from '../fakes/bedrock-runtime-fake';
import type { RecordedRequest, ScriptedTurn } from '../fakes/model-script';
import { startOpenAiFake, type OpenAiFake } from '../fakes/openai-responses-fake';
import { recordCredential } from '../helpers/credentials';
import { uniqueUser } from '../helpers/dev-tokens';
import { api } from '../helpers/http';
import { postSse } from '../helpers/sse';
import { startStackProcess, type StackProcess } from '../helpers/stack-process';
import { sendOver, TRANSPORTS } from '../helpers/transports';

/** The newest turn of a request in either provider's shape: a user's text, or a tool's result. */
function lastTurn(body: Record<string, unknown>): { kind: 'user'; text: string } | { kind: 'tool_result'; output: string } {
  if (Array.isArray(body.input)) {
    const last = body.input.at(-1) as { type?: string; output?: string; content?: string };
    return last.type === 'function_call_output' ? { kind: 'tool_result', output: String(last.output) } : { kind: 'user', text: String(last.content) };
  }
  const last = (body.messages as Array<{ content: Array<{ text?: string; toolResult?: { content: Array<{ text: string }> } }> }>).at(-1)!;
  const result = last.content.find((b) => b.toolResult);
  return result ? { kind: 'tool_result', output: result.toolResult!.content[0]!.text } : { kind: 'user', text: last.content.map((b) => b.text ?? '').join('') };
}

let calls = 0;
/** A model that creates the task named after "add a task:", with its arguments streamed in pieces, then confirms it. */
function taskAgent(req: RecordedRequest): ScriptedTurn {
  const turn = lastTurn(req.body);
  if (turn.kind === 'tool_result') {
    const { task } = JSON.parse(turn.output) as { task: { title: string } };
    return { text: ['Added ', `"${task.title}"`, '.'], usage: { input: 40, output: 5 } };
  }
  const title = /add a task: (.+)$/.exec(turn.text)?.[1];
  if (!title) return { text: ['Nothing to do.'], usage: { input: 20, output: 3 } };
  const args = JSON.stringify({ title });
  const cut = Math.floor(args.length / 2);
  return { toolCalls: [{ id: `call_${++calls}`, name: 'create_task', argumentFragments: [args.slice(0, 5), args.slice(5, cut), args.slice(cut)] }], usage: { input: 30, output: 12 } };
}

interface Provider {
  readonly name: 'bedrock' | 'openai';
  fake: BedrockFake | OpenAiFake;
  stack: StackProcess;
}

const providers: Provider[] = [];

beforeAll(async () => {
  const bedrock = await startBedrockFake();
  const openai = await startOpenAiFake();
  const [bedrockStack, openaiStack] = await Promise.all([
    startStackProcess(bedrock.stackEnv),
    startStackProcess({ AGENT_PROVIDER: 'openai', AGENT_MODEL: 'gpt-4.1-mini', OPENAI_API_KEY: 'sk-stand-in', OPENAI_BASE_URL: openai.baseUrl }),
  ]);
  providers.push({ name: 'bedrock', fake: bedrock, stack: bedrockStack }, { name: 'openai', fake: openai, stack: openaiStack });
});

afterAll(async () => {
  for (const p of providers) {
    await p.stack.stop();
    await p.fake.close();
  }
});

beforeEach(() => {
  for (const p of providers) {
    p.fake.turns.reset();
    p.fake.turns.respondWith(taskAgent);
  }
});

const user = (stack: StackProcess, label: string) => {
  const token = mintDevToken(stack.dataDir, uniqueUser(label));
  recordCredential(token);
  return token;
};
const newThread = async (stack: StackProcess, token: string) => (await api(stack.baseUrl, 'POST', '/threads', { token, body: {} })).body.id as string;
const taskTitles = async (stack: StackProcess, token: string) =>
  ((await api(stack.baseUrl, 'GET', '/tasks', { token })).body.data as Array<{ title: string }>).map((t) => t.title);
const storedItems = async (stack: StackProcess, token: string, threadId: string) =>
  (await api(stack.baseUrl, 'GET', `/threads/${threadId}/items?order=asc&limit=100`, { token })).body.data as Array<{ type: string; content: string }>;

describe.each(['bedrock', 'openai'] as const)('AGENT_PROVIDER=%s', (name) => {
  const provider = () => providers.find((p) => p.name === name)!;

  it.each(TRANSPORTS)('creates a task by a tool call over %s, for that user only', async (transport) => {
    const { stack, fake } = provider();
    const alice = user(stack, `${name}-${transport}-alice`);
    const bob = user(stack, `${name}-${transport}-bob`);
    const title = `water the ${transport} plants`;
    const outcome = await sendOver(transport, stack.baseUrl, alice, await newThread(stack, alice), `add a task: ${title}`);
    expect(outcome).toEqual({ ok: true, reply: `Added "${title}".` });
    expect(await taskTitles(stack, alice)).toEqual([title]);
    expect(await taskTitles(stack, bob)).toEqual([]);
    // Two model turns: the tool call, then the answer with the tool's result (Alice's task, nothing else).
    expect(fake.turns.requests).toHaveLength(2);
    expect(lastTurn(fake.turns.requests[1]!.body)).toMatchObject({ kind: 'tool_result', output: expect.stringContaining(title) });
  });

  it('sends the provider only the caller\'s own messages', async () => {
    const { stack, fake } = provider();
    const alice = user(stack, `${name}-private-alice`);
    const bob = user(stack, `${name}-private-bob`);
    await sendOver('json', stack.baseUrl, alice, await newThread(stack, alice), 'add a task: alice secret errand');
    await sendOver('json', stack.baseUrl, bob, await newThread(stack, bob), 'add a task: bob own errand');
    const bobsRequests = fake.turns.requests.slice(2).map((r) => JSON.stringify(r.body));
    expect(bobsRequests).toHaveLength(2);
    for (const body of bobsRequests) expect(body).not.toContain('alice secret errand');
    expect(await taskTitles(stack, bob)).toEqual(['bob own errand']);
  });

  it('answers a provider refusal before the stream with 503 provider_unavailable and Retry-After, storing nothing', async () => {
    const { stack, fake } = provider();
    const token = user(stack, `${name}-refused`);
    const threadId = await newThread(stack, token);
    fake.turns.script({ refuse: 429, retryAfterSeconds: 1 }, { refuse: 429, retryAfterSeconds: 1 });
    const res = await api(stack.baseUrl, 'POST', `/threads/${threadId}/messages`, { token, body: { content: 'add a task: never stored' } });
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ error: { code: 'provider_unavailable', message: expect.any(String) } });
    expect(res.headers.get('retry-after')).toBe('1');
    for (const transport of ['sse', 'websocket', 'chatkit'] as const) {
      fake.turns.script({ refuse: 503 }, { refuse: 503 });
      expect(await sendOver(transport, stack.baseUrl, token, threadId, 'add a task: never stored'), transport).toMatchObject({ ok: false, code: 'provider_unavailable' });
    }
    expect(await storedItems(stack, token, threadId)).toEqual([]);
    expect(await taskTitles(stack, token)).toEqual([]);
  });

  it('ends a reply that fails mid-stream with the error event and stores nothing of it', async () => {
    const { stack, fake } = provider();
    const token = user(stack, `${name}-midstream`);
    const threadId = await newThread(stack, token);
    fake.turns.script({ text: ['I will ', 'start'], failMidStream: 'error' });
    const sse = await postSse(`${stack.baseUrl}/threads/${threadId}/messages`, { token, body: { content: 'hello' } });
    expect(sse.status).toBe(200);
    expect(sse.events.filter((e) => e.type === 'text.delta').map((e) => e.delta).join('')).toBe('I will start');
    expect(sse.events.at(-1)).toMatchObject({ type: 'error', code: 'provider_unavailable' });
    fake.turns.script({ text: ['I will '], failMidStream: 'drop' });
    expect(await sendOver('websocket', stack.baseUrl, token, threadId, 'hello')).toMatchObject({ ok: false, code: 'provider_unavailable' });
    // ChatKit's protocol has one generic, retryable error event for a stream that failed.
    fake.turns.script({ text: ['I will '], failMidStream: 'drop' });
    expect(await sendOver('chatkit', stack.baseUrl, token, threadId, 'hello')).toMatchObject({ ok: false, code: 'stream.error' });
    expect(await storedItems(stack, token, threadId)).toEqual([]);
  });

  it('does not remember a reply that failed mid-stream: a retry with the same Idempotency-Key runs afresh and stores once', async () => {
    const { stack, fake } = provider();
    const token = user(stack, `${name}-midstream-retry`);
    const threadId = await newThread(stack, token);
    const url = `${stack.baseUrl}/threads/${threadId}/messages`;
    const retry = { token, body: { content: 'add a task: file taxes' }, headers: { 'Idempotency-Key': `retry-${name}` } };
    fake.turns.script({ text: ['I will '], failMidStream: 'error' });
    const failed = await postSse(url, retry);
    expect(failed.events.at(-1)).toMatchObject({ type: 'error', code: 'provider_unavailable' });
    const second = await postSse(url, retry);
    expect(second.headers['idempotent-replayed']).toBeUndefined();
    expect(second.events.at(-1)).toMatchObject({ type: 'item.done', item: { content: 'Added "file taxes".' } });
    const third = await postSse(url, retry);
    expect(third.headers['idempotent-replayed']).toBe('true');
    expect(third.events.at(-1)).toEqual(second.events.at(-1));
    expect((await storedItems(stack, token, threadId)).map((i) => i.type)).toEqual(['user_message', 'assistant_message']);
    expect(await taskTitles(stack, token)).toEqual(['file taxes']);
  });

  it('removes the thread a failed ChatKit threads.create made, so its retry leaves one thread', async () => {
    const { stack, fake } = provider();
    const token = user(stack, `${name}-ck-create-retry`);
    const body = { type: 'threads.create', params: { input: { content: [{ type: 'input_text', text: 'add a task: call mum' }], attachments: [], inference_options: {} } } };
    const retry = { token, body, headers: { 'Idempotency-Key': `ck-create-${name}` } };
    fake.turns.script({ text: ['I will '], failMidStream: 'error' });
    const failed = await postSse(`${stack.baseUrl}/chatkit`, retry);
    expect(failed.events.at(-1)).toMatchObject({ type: 'error' });
    const threads = async () => ((await api(stack.baseUrl, 'GET', '/threads', { token })).body.data as Array<{ id: string }>).map((t) => t.id);
    expect(await threads()).toEqual([]);
    const second = await postSse(`${stack.baseUrl}/chatkit`, retry);
    expect(second.events.at(-1)).toMatchObject({ type: 'thread.item.done', item: { type: 'assistant_message' } });
    expect(await threads()).toEqual([second.events[0].thread.id]);
  });
});
