// Replies that survive, over REST on the real local stack with a slow model (the Bedrock stand-in
// pacing its deltas): every SSE event is numbered; a client that drops its connection resumes with
// Last-Event-ID and gets exactly what it missed; a reply whose client left runs to its end and is
// stored; a cancel from another request stops a reply, keeping its partial text marked cancelled;
// a failed reply stores nothing and its resume ends with the same error event.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mintDevToken } from '../../infra/local/dev-issuer';
import { startBedrockFake, type BedrockFake } from '../fakes/bedrock-runtime-fake';
import { recordCredential } from '../helpers/credentials';
import { uniqueUser } from '../helpers/dev-tokens';
import { api } from '../helpers/http';
import { openEventStream, type ReceivedEvent } from '../helpers/sse';
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

const words = (n: number) => Array.from({ length: n }, (_, i) => `w${i} `);
const token = (label: string, roles?: string[]) => {
  const t = mintDevToken(stack.dataDir, uniqueUser(label), roles ? { roles } : {});
  recordCredential(t);
  return t;
};
const newThread = async (t: string) => (await api(stack.baseUrl, 'POST', '/threads', { token: t, body: {} })).body.id as string;
const items = async (t: string, threadId: string) =>
  (await api(stack.baseUrl, 'GET', `/threads/${threadId}/items?order=asc&limit=100`, { token: t })).body.data as Array<{ id: string; type: string; content: string; status?: string }>;
const post = (t: string, threadId: string, content: string) =>
  openEventStream(`${stack.baseUrl}/threads/${threadId}/messages`, { token: t, body: { content } });
const eventsUrl = (threadId: string, itemId: string, query = '') => `${stack.baseUrl}/threads/${threadId}/items/${itemId}/events${query}`;
const replyIdOf = (events: ReceivedEvent[]) => events.find((e) => e.data.type === 'item.added' && e.data.item.type === 'assistant_message')!.data.item.id as string;
const textOf = (events: ReceivedEvent[]) => events.filter((e) => e.data.type === 'text.delta').map((e) => e.data.delta as string).join('');

/** Reads until `n` events have come. */
async function take(stream: Awaited<ReturnType<typeof openEventStream>>, n: number): Promise<ReceivedEvent[]> {
  const out: ReceivedEvent[] = [];
  while (out.length < n) {
    const e = await stream.next();
    if (!e) break;
    out.push(e);
  }
  return out;
}

/** The reply's progress once it is no longer running (a bounded wait: the reply is short). */
async function ended(t: string, threadId: string, itemId: string): Promise<{ status: string; lastEventId: number }> {
  for (let i = 0; i < 200; i++) {
    const res = await api(stack.baseUrl, 'GET', `/threads/${threadId}/items/${itemId}/events`, { token: t });
    if (res.status === 200 && res.body.status !== 'running') return res.body;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the reply did not end');
}

describe('resume after a dropped connection', () => {
  it('numbers every event; Last-Event-ID gets exactly the missing events; the stored reply is what an unbroken client saw', async () => {
    bedrock.turns.script({ text: words(12), deltaIntervalMs: 100, usage: { input: 10, output: 12 } });
    const t = token('resume');
    const threadId = await newThread(t);
    const unbroken = await post(t, threadId, 'tell me');
    const head = await take(unbroken, 3);
    const replyId = replyIdOf(head);

    // A second client follows the same reply, drops after 4 events, and comes back with Last-Event-ID.
    const follower = await openEventStream(eventsUrl(threadId, replyId), { token: t });
    expect(follower.status).toBe(200);
    const before = await take(follower, 4);
    follower.close();
    const lastSeen = before.at(-1)!.id!;
    const resumed = await openEventStream(eventsUrl(threadId, replyId), { token: t, headers: { 'Last-Event-ID': String(lastSeen) } });
    const after = await resumed.rest();

    const whole = [...head, ...(await unbroken.rest())];
    expect(whole.map((e) => e.id)).toEqual(whole.map((_, i) => i + 1));
    expect(whole.at(-1)!.data).toMatchObject({ type: 'item.done', item: { id: replyId, status: 'done' } });
    expect([...before, ...after]).toEqual(whole);
    const stored = (await items(t, threadId)).find((i) => i.id === replyId)!;
    expect(stored).toMatchObject({ content: textOf(whole), status: 'done' });
    expect(stored.content).toBe(words(12).join(''));

    // A finished reply replays and ends at once; `?after=` works like the header; JSON tells the progress.
    expect(await (await openEventStream(eventsUrl(threadId, replyId, '?after=10'), { token: t })).rest()).toEqual(whole.slice(10));
    expect((await api(stack.baseUrl, 'GET', `/threads/${threadId}/items/${replyId}/events`, { token: t })).body).toEqual({ status: 'done', lastEventId: whole.length });
  });

  it('a reply whose client left runs to its end and is stored', async () => {
    bedrock.turns.script({ text: words(8), deltaIntervalMs: 100, usage: { input: 10, output: 8 } });
    const t = token('left');
    const threadId = await newThread(t);
    const stream = await post(t, threadId, 'go');
    const replyId = replyIdOf(await take(stream, 3));
    stream.close();
    expect(await ended(t, threadId, replyId)).toMatchObject({ status: 'done' });
    expect((await items(t, threadId)).map((i) => [i.type, i.content, i.status])).toEqual([
      ['user_message', 'go', undefined],
      ['assistant_message', words(8).join(''), 'done'],
    ]);
  });

  it('T32: refuses what is not the caller\'s reply: another user 403, a user message 404, a bad Last-Event-ID 400', async () => {
    bedrock.turns.script({ text: ['short'], usage: { input: 1, output: 1 } });
    const t = token('owner');
    const threadId = await newThread(t);
    const whole = await (await post(t, threadId, 'hi')).rest();
    const replyId = replyIdOf(whole);
    const other = token('other');
    expect((await api(stack.baseUrl, 'GET', `/threads/${threadId}/items/${replyId}/events`, { token: other })).status).toBe(403);
    expect((await api(stack.baseUrl, 'POST', `/threads/${threadId}/items/${replyId}/cancel`, { token: other })).status).toBe(403);
    const userMessageId = whole[0]!.data.item.id as string;
    const notReply = await api(stack.baseUrl, 'GET', `/threads/${threadId}/items/${userMessageId}/events`, { token: t });
    expect([notReply.status, notReply.body.error.code]).toEqual([404, 'not_found']);
    const bad = await api(stack.baseUrl, 'GET', `/threads/${threadId}/items/${replyId}/events`, { token: t, headers: { Accept: 'text/event-stream', 'Last-Event-ID': 'x1' } });
    expect([bad.status, bad.body.error.code]).toEqual([400, 'bad_request']);
  });
});

describe('stopping a reply', () => {
  it('a cancel from another request stops it: the stream ends with item.done cancelled, the partial text is stored, the model call is abandoned', async () => {
    bedrock.turns.script({ text: words(200), deltaIntervalMs: 100, usage: { input: 10, output: 200 } });
    const t = token('stop');
    const threadId = await newThread(t);
    const stream = await post(t, threadId, 'write a lot');
    const head = await take(stream, 4);
    const replyId = replyIdOf(head);
    const abandonedBefore = bedrock.abandoned();

    const cancel = await api(stack.baseUrl, 'POST', `/threads/${threadId}/items/${replyId}/cancel`, { token: t });
    expect(cancel.status).toBe(200);
    expect(cancel.body.status).toBe('cancelled');
    const whole = [...head, ...(await stream.rest())];
    const done = whole.at(-1)!.data;
    expect(done).toMatchObject({ type: 'item.done', item: { id: replyId, status: 'cancelled' } });
    expect(done.item.content).toBe(textOf(whole));
    expect(words(200).join('').startsWith(done.item.content)).toBe(true);
    expect(done.item.content.length).toBeLessThan(words(200).join('').length);
    // The stand-in notices the aborted call at its next paced delta.
    await expect.poll(() => bedrock.abandoned(), { timeout: 5_000 }).toBe(abandonedBefore + 1);

    const stored = await items(t, threadId);
    expect(stored.map((i) => [i.type, i.status])).toEqual([
      ['user_message', undefined],
      ['assistant_message', 'cancelled'],
    ]);
    expect(stored[1]!.content).toBe(done.item.content);
    // The same answer again; a resume ends with the cancelled item.done.
    expect((await api(stack.baseUrl, 'POST', `/threads/${threadId}/items/${replyId}/cancel`, { token: t })).body).toEqual(cancel.body);
    expect((await (await openEventStream(eventsUrl(threadId, replyId), { token: t })).rest()).at(-1)!.data).toEqual(done);
    // Charged for what the model produced, though it never reported usage.
    const usage = (await api(stack.baseUrl, 'GET', '/me/usage?days=1', { token: t })).body.days[0];
    expect(usage.outputTokens).toBeGreaterThan(0);
  });

  it('T32: a guest and a read-only key cannot cancel (403 read_only); a finished reply cannot be cancelled (409)', async () => {
    bedrock.turns.script({ text: words(100), deltaIntervalMs: 100, usage: { input: 10, output: 100 } });
    const sub = uniqueUser('rights');
    const t = mintDevToken(stack.dataDir, sub);
    const guestToken = mintDevToken(stack.dataDir, sub, { roles: ['guest'] });
    recordCredential(t);
    recordCredential(guestToken);
    const readOnlyKey = (await api(stack.baseUrl, 'POST', '/api-keys', { token: t, body: { name: 'ro', readOnly: true } })).body.key as string;
    const threadId = await newThread(t);
    const stream = await post(t, threadId, 'long');
    const replyId = replyIdOf(await take(stream, 3));
    const cancelPath = `/threads/${threadId}/items/${replyId}/cancel`;
    for (const who of [{ token: guestToken }, { apiKey: readOnlyKey }]) {
      const refused = await api(stack.baseUrl, 'POST', cancelPath, who);
      expect([refused.status, refused.body.error.code]).toEqual([403, 'read_only']);
    }
    // Still running; the owner stops it, then the finished-reply case with a short one.
    expect((await api(stack.baseUrl, 'POST', cancelPath, { token: t })).body.status).toBe('cancelled');
    await stream.rest();
    bedrock.turns.script({ text: ['quick'], usage: { input: 1, output: 1 } });
    const quick = replyIdOf(await (await post(t, threadId, 'again')).rest());
    const late = await api(stack.baseUrl, 'POST', `/threads/${threadId}/items/${quick}/cancel`, { token: t });
    expect([late.status, late.body.error.code]).toEqual([409, 'conflict']);
  });
});

describe('the JSON answer of a long reply', () => {
  it('answers 202 after 25 s with the reply still running and its events route; the reply goes on and is stored', async () => {
    bedrock.turns.script({ text: words(31), deltaIntervalMs: 1_000, usage: { input: 10, output: 31 } });
    const t = token('json');
    const threadId = await newThread(t);
    const res = await api(stack.baseUrl, 'POST', `/threads/${threadId}/messages`, { token: t, body: { content: 'take your time' } });
    expect(res.status).toBe(202);
    const { userMessage, assistantMessage } = res.body;
    expect(userMessage).toMatchObject({ type: 'user_message', content: 'take your time' });
    expect(assistantMessage).toMatchObject({ type: 'assistant_message', status: 'running', content: '' });
    expect(res.headers.get('location')).toBe(`/threads/${threadId}/items/${assistantMessage.id}/events`);
    // Followed from where it is to its end: the stored reply is the whole text.
    const rest = await (await openEventStream(`${stack.baseUrl}${res.headers.get('location')}`, { token: t })).rest();
    expect(rest.at(-1)!.data).toMatchObject({ type: 'item.done', item: { id: assistantMessage.id, status: 'done', content: words(31).join('') } });
    expect((await items(t, threadId)).map((i) => i.content)).toEqual(['take your time', words(31).join('')]);
  }, 60_000);
});

describe('a failed reply', () => {
  it('stores nothing, and a resume ends with the same error event', async () => {
    bedrock.turns.script({ text: ['I will ', 'try '], deltaIntervalMs: 50, failMidStream: 'error', usage: { input: 1, output: 1 } });
    const t = token('fail');
    const threadId = await newThread(t);
    const live = await (await post(t, threadId, 'fail please')).rest();
    const last = live.at(-1)!;
    expect(last.data).toMatchObject({ type: 'error', code: 'provider_unavailable' });
    expect(last.id).toBe(live.length);
    const replyId = replyIdOf(live);
    expect(await ended(t, threadId, replyId)).toEqual({ status: 'failed', lastEventId: live.length });
    expect(await (await openEventStream(eventsUrl(threadId, replyId), { token: t })).rest()).toEqual(live);
    expect(await items(t, threadId)).toEqual([]);
  });
});
