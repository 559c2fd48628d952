// WebSocket replies that outlive their frame, over the real local stack with a slow model (the
// Bedrock stand-in pacing its text): every reply frame carries its `eventId`; `resume` on another
// connection sends exactly the frames after the one given, live until the reply ends; a reply whose
// connection went away is still stored; `cancel` from another connection stops it (the sender gets
// `reply.cancelled`, the reply's own connection `item.done` marked cancelled, the thread keeps the
// partial text); and a reply longer than API Gateway's 29 s route integration completes, because the
// route only hands it to the reply function by an asynchronous invoke, up to the reply timeout
// (REPLY_TIMEOUT_SECONDS, 40 s here), where it ends itself with its note and is stored.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { TIME_LIMIT_NOTE } from '../../functions/shared/core/agent/reply';
import { mintDevToken } from '../../infra/local/dev-issuer';
import { startBedrockFake, type BedrockFake } from '../fakes/bedrock-runtime-fake';
import { recordCredential } from '../helpers/credentials';
import { uniqueUser } from '../helpers/dev-tokens';
import { api } from '../helpers/http';
import { startStackProcess, type StackProcess } from '../helpers/stack-process';
import { connect, wsUrl, type WsClient } from '../helpers/ws-client';

let fake: BedrockFake;
let stack: StackProcess;

beforeAll(async () => {
  fake = await startBedrockFake();
  stack = await startStackProcess({
    ...fake.stackEnv,
    // Past the route integration's 29 s, short enough to reach in a test.
    REPLY_TIMEOUT_SECONDS: '40',
  });
});

afterAll(async () => {
  await stack?.stop();
  await fake?.close();
});

beforeEach(() => fake.turns.reset());

const open: WsClient[] = [];
afterAll(async () => {
  for (const ws of open) await ws.close();
});

const user = (label: string) => {
  const token = mintDevToken(stack.dataDir, uniqueUser(label));
  recordCredential(token);
  return token;
};
const newThread = async (token: string) => (await api(stack.baseUrl, 'POST', '/threads', { token, body: {} })).body.id as string;
const items = async (token: string, threadId: string) =>
  (await api(stack.baseUrl, 'GET', `/threads/${threadId}/items?order=asc&limit=100`, { token })).body.data as Array<{ id: string; type: string; content: string; status?: string }>;
const socket = async (query: Record<string, string>) => {
  const ws = await connect(wsUrl(stack.baseUrl, query));
  open.push(ws);
  return ws;
};

/** The frames of a reply (those with an event id), in the order they came. */
const replyFrames = (ws: WsClient) => ws.frames.filter((f) => typeof f.eventId === 'number');
const isDone = (f: any) => f.type === 'item.done';
/** A model answer in `n` words, `intervalMs` apart. */
const words = (n: number, label: string) => Array.from({ length: n }, (_, i) => `${label}${i + 1} `);

describe('WebSocket reply frames and resume', () => {
  it('numbers the frames of a reply 1, 2, 3…; a resume on a new connection after k sends exactly the frames after k', async () => {
    const token = user('ws-resume-done');
    const threadId = await newThread(token);
    fake.turns.script({ text: words(4, 'w') });
    const first = await socket({ token });
    first.send({ action: 'sendMessage', threadId, content: 'tell me four words' });
    await first.until(isDone);
    const seen = replyFrames(first);
    expect(seen.map((f) => f.eventId)).toEqual(seen.map((_, i) => i + 1));
    expect(seen.map((f) => f.type)).toEqual(['item.added', 'item.added', 'text.delta', 'text.delta', 'text.delta', 'text.delta', 'item.done']);
    expect(seen.at(-1).item).toMatchObject({ type: 'assistant_message', content: 'w1 w2 w3 w4 ', status: 'done' });
    const itemId = seen.at(-1).item.id as string;

    for (const after of [0, 3, seen.length - 1]) {
      const again = await socket({ token });
      again.send({ action: 'resume', threadId, itemId, after });
      await again.until(isDone);
      expect(again.frames, `after ${after}`).toEqual(seen.slice(after));
      await again.close();
    }
  });

  it('goes on when its connection closes mid-way: stored whole, and a resume after the last frame seen gets the rest live', async () => {
    const token = user('ws-resume-live');
    const threadId = await newThread(token);
    fake.turns.script({ text: words(10, 'live'), deltaIntervalMs: 300 });
    const first = await socket({ token });
    first.send({ action: 'sendMessage', threadId, content: 'tell me ten words slowly' });
    const [, placeholder] = (await first.until((f) => f.type === 'text.delta')).filter((f) => f.type === 'item.added');
    await first.close(); // the client goes away after the first delta
    const seen = replyFrames(first);
    const last = seen.at(-1).eventId as number;
    expect(seen.some(isDone)).toBe(false);

    const second = await socket({ token });
    second.send({ action: 'resume', threadId, itemId: placeholder.item.id, after: last });
    await second.until(isDone, 20_000);
    const rest = replyFrames(second);
    expect(rest.map((f) => f.eventId)).toEqual(rest.map((_, i) => last + 1 + i));
    // Together, the two connections saw the whole reply, and it is what the thread keeps.
    const all = [...seen, ...rest];
    const text = all.filter((f) => f.type === 'text.delta').map((f) => f.delta).join('');
    expect(text).toBe(words(10, 'live').join(''));
    expect(rest.at(-1).item).toMatchObject({ id: placeholder.item.id, content: text, status: 'done' });
    expect(await items(token, threadId)).toEqual([
      expect.objectContaining({ type: 'user_message', content: 'tell me ten words slowly' }),
      expect.objectContaining({ id: placeholder.item.id, type: 'assistant_message', content: text, status: 'done' }),
    ]);
  });

  it('stores a reply whose only connection closed mid-way', async () => {
    const token = user('ws-gone');
    const threadId = await newThread(token);
    fake.turns.script({ text: words(6, 'gone'), deltaIntervalMs: 200 });
    const ws = await socket({ token });
    ws.send({ action: 'sendMessage', threadId, content: 'speak to nobody' });
    await ws.until((f) => f.type === 'text.delta');
    await ws.close();
    await vi.waitUntil(async () => (await items(token, threadId)).length === 2, { timeout: 20_000, interval: 250 });
    expect((await items(token, threadId))[1]).toMatchObject({ type: 'assistant_message', content: words(6, 'gone').join(''), status: 'done' });
  });

  it('T32: answers a resume of an unknown reply with not_found, and of another user\'s thread with forbidden', async () => {
    const alice = user('ws-resume-alice');
    const bob = user('ws-resume-bob');
    const threadId = await newThread(alice);
    const bobs = await socket({ token: bob });
    bobs.send({ action: 'resume', threadId, itemId: '01JZZZZZZZZZZZZZZZZZZZZZZZ', after: 0 });
    const alices = await socket({ token: alice });
    alices.send({ action: 'resume', threadId, itemId: '01JZZZZZZZZZZZZZZZZZZZZZZZ', after: 0 });
    expect(await bobs.until((f) => f.type === 'error')).toEqual([{ type: 'error', code: 'forbidden', message: 'Thread not found or access denied' }]);
    expect((await alices.until((f) => f.type === 'error'))[0]).toMatchObject({ type: 'error', code: 'not_found' });
    alices.send({ action: 'resume', threadId, itemId: 'x', after: -1 });
    expect((await alices.until((f) => f.code === 'bad_request')).at(-1)).toMatchObject({ type: 'error', code: 'bad_request', message: expect.stringContaining('after') });
  });
});

describe('WebSocket cancel', () => {
  it('stops a reply running for another connection: item.done marked cancelled there, reply.cancelled to the sender, the partial text kept', async () => {
    const token = user('ws-cancel');
    const threadId = await newThread(token);
    const abandonedBefore = fake.abandoned();
    fake.turns.script({ text: words(40, 'slow'), deltaIntervalMs: 250 });
    const running = await socket({ token });
    running.send({ action: 'sendMessage', threadId, content: 'talk for a long time' });
    const [, placeholder] = (await running.until((f) => f.type === 'text.delta')).filter((f) => f.type === 'item.added');
    const itemId = placeholder.item.id as string;

    const stopper = await socket({ token });
    stopper.send({ action: 'cancel', threadId, itemId });
    const [answer] = await stopper.until((f) => f.type === 'reply.cancelled');
    const done = (await running.until(isDone)).find(isDone);
    expect(done.item).toMatchObject({ id: itemId, status: 'cancelled' });
    expect(answer).toEqual({ type: 'reply.cancelled', threadId, itemId, status: 'cancelled', lastEventId: done.eventId });
    // What was said before the stop, no more: a prefix of the scripted words, kept marked cancelled.
    const said = done.item.content as string;
    expect(said.length).toBeGreaterThan(0);
    expect(words(40, 'slow').join('').startsWith(said)).toBe(true);
    expect(said).not.toBe(words(40, 'slow').join(''));
    expect((await items(token, threadId))[1]).toMatchObject({ id: itemId, content: said, status: 'cancelled' });
    // The model's answer was abandoned, not read to its end.
    await vi.waitUntil(() => fake.abandoned() > abandonedBefore, { timeout: 15_000, interval: 100 });

    // Cancelling again answers the same.
    stopper.send({ action: 'cancel', threadId, itemId });
    await stopper.until(() => stopper.frames.length >= 2);
    expect(stopper.frames).toEqual([answer, answer]);
  });

  it('T32: answers conflict for a finished reply, read_only for a read-only key, forbidden for another user\'s thread', async () => {
    const token = user('ws-cancel-done');
    const threadId = await newThread(token);
    fake.turns.script({ text: ['Finished.'] });
    const ws = await socket({ token });
    ws.send({ action: 'sendMessage', threadId, content: 'say one thing' });
    const itemId = (await ws.until(isDone)).find(isDone).item.id as string;
    ws.send({ action: 'cancel', threadId, itemId });
    expect((await ws.until((f) => f.type === 'error')).at(-1)).toEqual({ type: 'error', code: 'conflict', message: 'The reply has already finished' });

    const minted = await api(stack.baseUrl, 'POST', '/api-keys', { token, body: { name: 'viewer', readOnly: true } });
    expect(minted.status).toBe(201);
    recordCredential(minted.body.key);
    const viewer = await socket({ key: minted.body.key });
    viewer.send({ action: 'cancel', threadId, itemId });
    expect((await viewer.until((f) => f.type === 'error'))[0]).toMatchObject({ type: 'error', code: 'read_only' });

    const other = await socket({ token: user('ws-cancel-other') });
    other.send({ action: 'cancel', threadId, itemId });
    expect((await other.until((f) => f.type === 'error'))[0]).toEqual({ type: 'error', code: 'forbidden', message: 'Thread not found or access denied' });
    // None of them touched the reply.
    expect((await items(token, threadId))[1]).toMatchObject({ id: itemId, content: 'Finished.', status: 'done' });
  });
});

describe('a WebSocket reply longer than the route integration', () => {
  /** The stack's JSON log lines written since `from` (a line count). */
  const logLines = (from: number) =>
    readFileSync(stack.logFile, 'utf8')
      .split('\n')
      .slice(from)
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as Record<string, unknown>];
        } catch {
          return [];
        }
      });

  it('completes past 29 s, run by the reply function that the sendMessage route invoked asynchronously and answered at once', { timeout: 120_000 }, async () => {
    const token = user('ws-long');
    const threadId = await newThread(token);
    const before = readFileSync(stack.logFile, 'utf8').split('\n').length - 1;
    // 17 words 2 s apart: the last comes 32 s after the first.
    fake.turns.script({ text: words(17, 'long'), deltaIntervalMs: 2_000 });
    const ws = await socket({ token });
    const sentAt = Date.now();
    ws.send({ action: 'sendMessage', threadId, content: 'a long answer please' });
    const done = (await ws.until(isDone, 90_000)).find(isDone);
    expect(Date.now() - sentAt).toBeGreaterThan(29_000);
    expect(done.item).toMatchObject({ content: words(17, 'long').join(''), status: 'done' });
    expect((await items(token, threadId))[1]).toMatchObject({ id: done.item.id, status: 'done' });

    const lines = logLines(before);
    // The route's integration answered well within its 29 s …
    const routes = lines.filter((l) => l.message === 'websocket' && l.ws === 'message' && l.route === 'sendMessage');
    expect(routes).toEqual([expect.objectContaining({ status: 200, integrationLatency: expect.any(Number) })]);
    expect(routes[0]!.integrationLatency).toBeLessThan(29_000);
    // … having queued the reply for the reply function: one asynchronous invocation, accepted.
    expect(lines.filter((l) => l.message === 'lambda invoke')).toEqual([{ level: 'INFO', message: 'lambda invoke', functionName: 'ws-reply-local', invocationType: 'Event', status: 202 }]);
  });

  it('ends itself at the reply timeout with its note, stored as done, before the function is stopped', { timeout: 120_000 }, async () => {
    const token = user('ws-time-limit');
    const threadId = await newThread(token);
    // 40 words 2 s apart: 80 s, twice the reply timeout.
    fake.turns.script({ text: words(40, 'late'), deltaIntervalMs: 2_000 });
    const ws = await socket({ token });
    ws.send({ action: 'sendMessage', threadId, content: 'an endless answer please' });
    const frames = await ws.until(isDone, 90_000);
    const done = frames.find(isDone);
    const deltas = frames.filter((f) => f.type === 'text.delta').map((f) => f.delta as string);
    expect(deltas.at(-1)).toBe(TIME_LIMIT_NOTE);
    expect(deltas.length).toBeGreaterThan(5);
    expect(deltas.length).toBeLessThan(40);
    expect(done.item).toMatchObject({ content: deltas.join(''), status: 'done' });
    expect(replyFrames(ws).map((f) => f.eventId)).toEqual(replyFrames(ws).map((_, i) => i + 1));
    expect((await items(token, threadId))[1]).toMatchObject({ id: done.item.id, content: deltas.join(''), status: 'done' });
  });
});
