// ChatKit's Stop and retry over the real local stack with a slow model (the Bedrock stand-in pacing
// its deltas): a ChatKit client that closes its stream mid-reply stops the reply, which keeps the
// user message and the partial text marked cancelled, and the model's next turn is told; a cancel
// through REST stops a ChatKit reply running in another request and its stream ends properly;
// threads.retry_after_item replaces the later items with a new reply given the thread up to the
// message, and a bad item id is refused before any stream with nothing stored.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { STOPPED_NOTE } from '../../functions/shared/core/agent/reply';
import { mintDevToken } from '../../infra/local/dev-issuer';
import { startBedrockFake, type BedrockFake } from '../fakes/bedrock-runtime-fake';
import { recordCredential } from '../helpers/credentials';
import { uniqueUser } from '../helpers/dev-tokens';
import { api } from '../helpers/http';
import { openEventStream, type EventStream, type ReceivedEvent } from '../helpers/sse';
import { startStackProcess, type StackProcess } from '../helpers/stack-process';

let bedrock: BedrockFake;
let stack: StackProcess;

beforeAll(async () => {
  bedrock = await startBedrockFake();
  stack = await startStackProcess(bedrock.stackEnv);
});

afterAll(async () => {
  await stack?.stop();
  await bedrock?.close();
});

beforeEach(() => bedrock.turns.reset());

interface StoredItem {
  id: string;
  type: string;
  content: string;
  status?: string;
}

const words = (n: number) => Array.from({ length: n }, (_, i) => `w${i} `);
const token = (label: string) => {
  const t = mintDevToken(stack.dataDir, uniqueUser(label));
  recordCredential(t);
  return t;
};
const input = (text: string) => ({ content: [{ type: 'input_text', text }], attachments: [], inference_options: {} });
const newThread = async (t: string) => (await api(stack.baseUrl, 'POST', '/threads', { token: t, body: {} })).body.id as string;
const items = async (t: string, threadId: string) =>
  (await api(stack.baseUrl, 'GET', `/threads/${threadId}/items?order=asc&limit=100`, { token: t })).body.data as StoredItem[];
const chatkit = (t: string, body: unknown, headers?: Record<string, string>) => openEventStream(`${stack.baseUrl}/chatkit`, { token: t, body, headers });
const say = (t: string, threadId: string, text: string) => chatkit(t, { type: 'threads.add_user_message', params: { thread_id: threadId, input: input(text) } });
const typeOf = (e: ReceivedEvent) => (e.data.type === 'thread.item.updated' ? `${e.data.type}:${e.data.update.type}` : e.data.type);
const assistantIdOf = (events: ReceivedEvent[]) => events.find((e) => e.data.type === 'thread.item.added')!.data.item.id as string;
const deltas = (events: ReceivedEvent[]) => events.filter((e) => typeOf(e).endsWith('text_delta')).map((e) => e.data.update.delta as string).join('');
/** The model's requests as JSON text, newest last. */
const requestTexts = () => bedrock.turns.requests.map((r) => JSON.stringify(r.body));

/** Reads until `n` events have come. */
async function take(stream: EventStream, n: number): Promise<ReceivedEvent[]> {
  const out: ReceivedEvent[] = [];
  while (out.length < n) {
    const e = await stream.next();
    if (!e) break;
    out.push(e);
  }
  return out;
}

/** The thread's items once `ready` holds (a bounded wait: the reply stops within about a second). */
async function itemsOnce(t: string, threadId: string, ready: (items: StoredItem[]) => boolean): Promise<StoredItem[]> {
  for (let i = 0; i < 100; i++) {
    const now = await items(t, threadId);
    if (ready(now)) return now;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the thread did not reach the expected state');
}

describe('ChatKit Stop', () => {
  it('every stream allows a cancel: stream_options with allow_cancel true after the user message', async () => {
    bedrock.turns.script({ text: ['Hi.'], usage: { input: 1, output: 1 } });
    const t = token('ck-options');
    const events = await (await say(t, await newThread(t), 'hello')).rest();
    expect(events.slice(0, 2).map(typeOf)).toEqual(['thread.item.done', 'stream_options']);
    expect(events[1]!.data).toEqual({ type: 'stream_options', stream_options: { allow_cancel: true } });
  });

  it('a client that closes the stream mid-reply stops it: the thread keeps the message and the partial text marked cancelled, and the next turn is told', async () => {
    bedrock.turns.script({ text: words(200), deltaIntervalMs: 100, usage: { input: 10, output: 200 } });
    const t = token('ck-disconnect');
    const threadId = await newThread(t);
    const abandonedBefore = bedrock.abandoned();
    const stream = await say(t, threadId, 'write a lot');
    expect(stream.status).toBe(200);
    const head = await take(stream, 7); // user message, stream_options, the assistant item, its first part, 3 deltas
    const replyId = assistantIdOf(head);
    stream.close(); // ChatKit's Stop button

    const stored = await itemsOnce(t, threadId, (all) => all.some((i) => i.id === replyId));
    expect(stored.map((i) => [i.type, i.status])).toEqual([
      ['user_message', undefined],
      ['assistant_message', 'cancelled'],
    ]);
    expect(stored[0]!.content).toBe('write a lot');
    const partial = stored[1]!.content;
    expect(partial.startsWith(deltas(head))).toBe(true);
    expect(words(200).join('').startsWith(partial)).toBe(true);
    expect(partial.length).toBeLessThan(words(200).join('').length);
    // The model call was abandoned, not read to its end (the stand-in notices at its next paced delta).
    await expect.poll(() => bedrock.abandoned(), { timeout: 5_000 }).toBe(abandonedBefore + 1);
    expect((await api(stack.baseUrl, 'GET', `/threads/${threadId}/items/${replyId}/events`, { token: t })).body.status).toBe('cancelled');

    // ChatKit shows it as an ordinary assistant message with what was said.
    const listed = await api(stack.baseUrl, 'POST', '/chatkit', { token: t, body: { type: 'items.list', params: { thread_id: threadId, order: 'asc' } } });
    expect(listed.body.data[1]).toMatchObject({ type: 'assistant_message', id: replyId, content: [{ type: 'output_text', text: partial, annotations: [] }] });

    bedrock.turns.script({ text: ['Understood.'], usage: { input: 5, output: 1 } });
    const next = await (await say(t, threadId, 'go on')).rest();
    expect(next.at(-1)!.data).toMatchObject({ type: 'thread.item.done', item: { type: 'assistant_message' } });
    const told = requestTexts().at(-1)!;
    expect(told).toContain(JSON.stringify(`${partial}${STOPPED_NOTE}`).slice(1, -1));
    expect(told).toContain('go on');
    // A client that left is no failure: nothing was logged as one.
    const failures = readFileSync(stack.logFile, 'utf8')
      .split('\n')
      .filter((l) => l.includes('"function_name":"chatkit-local"') && l.includes('"message":"request failed"'));
    expect(failures).toEqual([]);
  });

  it('a REST cancel stops a ChatKit reply running in another request within about a second, and its stream ends with the partial item', async () => {
    bedrock.turns.script({ text: words(200), deltaIntervalMs: 100, usage: { input: 10, output: 200 } });
    const t = token('ck-rest-cancel');
    const threadId = await newThread(t);
    const stream = await say(t, threadId, 'write a lot');
    const head = await take(stream, 6);
    const replyId = assistantIdOf(head);

    const asked = performance.now();
    const cancel = await api(stack.baseUrl, 'POST', `/threads/${threadId}/items/${replyId}/cancel`, { token: t });
    const tookMs = performance.now() - asked;
    expect([cancel.status, cancel.body.status]).toEqual([200, 'cancelled']);
    expect(tookMs).toBeLessThan(3_000); // seen at the reply's next batch (every 500 ms)

    const whole = [...head, ...(await stream.rest())];
    expect(whole.slice(-2).map(typeOf)).toEqual(['thread.item.updated:assistant_message.content_part.done', 'thread.item.done']);
    const done = whole.at(-1)!.data;
    expect(done.item).toMatchObject({ id: replyId, type: 'assistant_message', content: [{ type: 'output_text', text: deltas(whole) }] });
    expect(deltas(whole).length).toBeLessThan(words(200).join('').length);
    const stored = await items(t, threadId);
    expect(stored.map((i) => [i.type, i.status])).toEqual([
      ['user_message', undefined],
      ['assistant_message', 'cancelled'],
    ]);
    expect(stored[1]!.content).toBe(deltas(whole));
  });
});

describe('ChatKit threads.retry_after_item', () => {
  async function twoExchanges(t: string) {
    const threadId = await newThread(t);
    bedrock.turns.script({ text: ['Answer ', 'one.'], usage: { input: 1, output: 2 } }, { text: ['Answer ', 'two.'], usage: { input: 1, output: 2 } });
    const first = await (await say(t, threadId, 'question one')).rest();
    await (await say(t, threadId, 'question two')).rest();
    const userMessageId = first[0]!.data.item.id as string;
    return { threadId, userMessageId, before: await items(t, threadId) };
  }

  it('streams stream_options then a new reply to the message, given the thread up to it; the later items are replaced', async () => {
    const t = token('ck-retry');
    const { threadId, userMessageId, before } = await twoExchanges(t);
    expect(before.map((i) => i.content)).toEqual(['question one', 'Answer one.', 'question two', 'Answer two.']);

    bedrock.turns.script({ text: ['Another ', 'answer.'], usage: { input: 1, output: 2 } });
    const retried = await (await chatkit(t, { type: 'threads.retry_after_item', params: { thread_id: threadId, item_id: userMessageId } })).rest();
    expect(retried.map(typeOf)).toEqual([
      'stream_options',
      'thread.item.added',
      'thread.item.updated:assistant_message.content_part.added',
      'thread.item.updated:assistant_message.content_part.text_delta',
      'thread.item.updated:assistant_message.content_part.text_delta',
      'thread.item.updated:assistant_message.content_part.done',
      'thread.item.done',
    ]);
    expect(retried[0]!.data.stream_options).toEqual({ allow_cancel: true });
    const reply = retried.at(-1)!.data.item;
    expect(reply).toMatchObject({ type: 'assistant_message', thread_id: threadId, content: [{ type: 'output_text', text: 'Another answer.' }] });
    expect(before.map((i) => i.id)).not.toContain(reply.id);

    // The model was given the thread up to the message, ending with it.
    const request = bedrock.turns.requests.at(-1)!.body as { messages: Array<{ role: string; content: Array<{ text?: string }> }> };
    expect(request.messages.map((m) => [m.role, m.content.map((c) => c.text ?? '').join('')])).toEqual([['user', 'question one']]);

    const after = await items(t, threadId);
    expect(after.map((i) => [i.id, i.type, i.content])).toEqual([
      [userMessageId, 'user_message', 'question one'],
      [reply.id, 'assistant_message', 'Another answer.'],
    ]);
    const chatkitView = await api(stack.baseUrl, 'POST', '/chatkit', { token: t, body: { type: 'threads.get_by_id', params: { thread_id: threadId } } });
    expect(chatkitView.body.items.data.map((i: { id: string }) => i.id)).toEqual([userMessageId, reply.id]);
  });

  it('with an Idempotency-Key, a repeat replays the same stream shape (no user message) and runs nothing', async () => {
    const t = token('ck-retry-replay');
    const { threadId, userMessageId } = await twoExchanges(t);
    bedrock.turns.script({ text: ['Once.'], usage: { input: 1, output: 1 } });
    const body = { type: 'threads.retry_after_item', params: { thread_id: threadId, item_id: userMessageId } };
    const headers = { 'Idempotency-Key': `retry-${threadId}` };
    const first = await (await chatkit(t, body, headers)).rest();
    const calls = bedrock.turns.requests.length;
    const again = await chatkit(t, body, headers);
    expect(again.headers['idempotent-replayed']).toBe('true');
    const replayed = await again.rest();
    expect(bedrock.turns.requests).toHaveLength(calls);
    expect(replayed.map(typeOf)[0]).toBe('stream_options');
    expect(replayed.some((e) => e.data.item?.type === 'user_message')).toBe(false);
    expect(replayed.at(-1)!.data).toEqual(first.at(-1)!.data);
    expect((await items(t, threadId)).map((i) => i.content)).toEqual(['question one', 'Once.']);
  });

  it('refuses, as JSON before any stream and with nothing stored or run, an item that is not a user message of the thread and another user\'s thread', async () => {
    const t = token('ck-retry-bad');
    const { threadId, before } = await twoExchanges(t);
    const calls = bedrock.turns.requests.length;
    const retry = (who: string, itemId: string) =>
      api(stack.baseUrl, 'POST', '/chatkit', { token: who, body: { type: 'threads.retry_after_item', params: { thread_id: threadId, item_id: itemId } }, headers: { Accept: 'text/event-stream' } });

    for (const itemId of [before[1]!.id, '01JZZZZZZZZZZZZZZZZZZZZZZZ']) {
      const res = await retry(t, itemId);
      expect([res.status, res.body.error.code, String(res.headers.get('content-type'))]).toEqual([404, 'not_found', 'application/json; charset=utf-8']);
    }
    const malformed = await retry(t, '');
    expect([malformed.status, malformed.body.error.code]).toEqual([400, 'bad_request']);
    const other = await retry(token('ck-retry-other'), before[0]!.id);
    expect([other.status, other.body]).toEqual([403, { error: { code: 'forbidden', message: 'Thread not found or access denied' } }]);

    expect(bedrock.turns.requests).toHaveLength(calls);
    expect(await items(t, threadId)).toEqual(before);
  });
});
