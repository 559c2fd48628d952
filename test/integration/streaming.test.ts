// Streamed replies over real sockets: SSE on POST /threads/{id}/messages and WebSocket sendMessage.
import { describe, expect, it } from 'vitest';
import { baseUrl } from '../helpers/dev-tokens';
import { postSse } from '../helpers/sse';
import { call, newThread, testUser, THREAD_FORBIDDEN } from '../helpers/threads';
import { connect, wsUrl } from '../helpers/ws-client';

const messagesUrl = (threadId: string) => `${baseUrl()}/threads/${threadId}/messages`;

describe('SSE replies', () => {
  it('streams item.added, several text deltas in separate chunks, and item.done that match the stored reply', async () => {
    // Prepare
    const alice = testUser('sse');
    const threadId = await newThread(alice);
    // Act
    const res = await postSse(messagesUrl(threadId), { token: alice.token, body: { content: 'add a task to water the plants tomorrow' } });
    // Assess
    expect(res.status).toBe(200);
    expect(String(res.headers['content-type'])).toMatch(/^text\/event-stream/);
    const types = res.events.map((e) => e.type);
    expect(types[0]).toBe('item.added');
    expect(types.at(-1)).toBe('item.done');
    expect(types.filter((t) => t === 'text.delta').length).toBeGreaterThan(1);
    // Incremental: more than one network chunk arrived before the end.
    expect(res.chunks.length).toBeGreaterThan(2);
    const done = res.events.at(-1).item;
    const deltas = res.events.filter((e) => e.type === 'text.delta' && e.itemId === done.id).map((e) => e.delta).join('');
    expect(deltas).toBe(done.content);
    const items = await call(alice, 'GET', `/threads/${threadId}/items`);
    expect(items.body.data.map((i: { type: string; content: string }) => [i.type, i.content])).toEqual([
      ['user_message', 'add a task to water the plants tomorrow'],
      ['assistant_message', done.content],
    ]);
    const tasks = await call(alice, 'GET', '/tasks');
    expect(tasks.body.data.map((t: { title: string }) => t.title).join(' ')).toMatch(/water the plants/);
  });

  it('T1: refuses another user\'s thread and a random id with the same JSON 403 before any stream opens', async () => {
    const owner = testUser('sse-owner');
    const intruder = testUser('sse-intruder');
    const threadId = await newThread(owner);
    const foreign = await postSse(messagesUrl(threadId), { token: intruder.token, body: { content: 'hi' } });
    const random = await postSse(messagesUrl('01JZZZZZZZZZZZZZZZZZZZZZZZ'), { token: intruder.token, body: { content: 'hi' } });
    for (const r of [foreign, random]) {
      expect(r.status).toBe(403);
      expect(String(r.headers['content-type'])).toMatch(/application\/json/);
      expect(JSON.parse(r.body)).toEqual(THREAD_FORBIDDEN);
    }
    expect((await call(owner, 'GET', `/threads/${threadId}/items`)).body.data).toEqual([]);
  });

  it('validates before streaming: an empty message is a JSON 400', async () => {
    const alice = testUser('sse-bad');
    const threadId = await newThread(alice);
    const res = await postSse(messagesUrl(threadId), { token: alice.token, body: { content: '' } });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).error.code).toBe('bad_request');
  });

  it('still answers JSON 201 without the event-stream Accept header', async () => {
    const alice = testUser('json');
    const threadId = await newThread(alice);
    const res = await call(alice, 'POST', `/threads/${threadId}/messages`, { content: 'list my tasks' });
    expect(res.status).toBe(201);
    expect(res.body.assistantMessage.type).toBe('assistant_message');
  });
});

describe('WebSocket replies', () => {
  it('answers ping with pong', async () => {
    const alice = testUser('ws-ping');
    const ws = await connect(wsUrl(baseUrl(), { token: alice.token }));
    ws.send({ action: 'ping' });
    const frames = await ws.until((f) => f.type === 'pong');
    expect(frames).toContainEqual({ type: 'pong' });
    await ws.close();
  });

  it('streams a reply to sendMessage and stores it whole', async () => {
    const alice = testUser('ws-send');
    const threadId = await newThread(alice);
    const ws = await connect(wsUrl(baseUrl(), { token: alice.token }));
    ws.send({ action: 'sendMessage', threadId, content: 'add a task to call mom' });
    const frames = await ws.until((f) => f.type === 'item.done');
    await ws.close();
    expect(frames[0].type).toBe('item.added');
    expect(frames.filter((f) => f.type === 'text.delta').length).toBeGreaterThan(1);
    const done = frames.find((f) => f.type === 'item.done').item;
    expect(frames.filter((f) => f.type === 'text.delta').map((f) => f.delta).join('')).toBe(done.content);
    const items = await call(alice, 'GET', `/threads/${threadId}/items`);
    expect(items.body.data.map((i: { content: string }) => i.content)).toEqual(['add a task to call mom', done.content]);
  });

  it('T1: another user\'s thread gets the same forbidden error as a non-existent one, and nothing changes', async () => {
    const owner = testUser('ws-owner');
    const intruder = testUser('ws-intruder');
    const threadId = await newThread(owner);
    const ws = await connect(wsUrl(baseUrl(), { token: intruder.token }));
    ws.send({ action: 'sendMessage', threadId, content: 'let me in' });
    ws.send({ action: 'sendMessage', threadId: '01JZZZZZZZZZZZZZZZZZZZZZZZ', content: 'let me in' });
    const frames = await ws.until(() => ws.frames.filter((f) => f.type === 'error').length >= 2);
    await ws.close();
    const errors = frames.filter((f) => f.type === 'error');
    expect(errors).toEqual([
      { type: 'error', code: 'forbidden', message: 'Thread not found or access denied' },
      { type: 'error', code: 'forbidden', message: 'Thread not found or access denied' },
    ]);
    expect(frames.some((f) => f.type !== 'error')).toBe(false);
    expect((await call(owner, 'GET', `/threads/${threadId}/items`)).body.data).toEqual([]);
  });

  it('answers malformed frames and unknown actions with bad_request, and keeps the connection', async () => {
    const alice = testUser('ws-bad');
    const ws = await connect(wsUrl(baseUrl(), { token: alice.token }));
    ws.socket.send('not json');
    ws.send({ action: 'nope' });
    ws.send({ action: 'sendMessage', threadId: 'x' });
    ws.send({ action: 'ping' });
    // Each frame is its own invocation (metered first), so answers may arrive in any order: wait for all four.
    const frames = await ws.until(() => ws.frames.length >= 4);
    await ws.close();
    expect(frames.filter((f) => f.type === 'error').map((f) => f.code)).toEqual(['bad_request', 'bad_request', 'bad_request']);
    expect(frames.filter((f) => f.type === 'pong')).toHaveLength(1);
  });
});
