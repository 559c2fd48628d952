// A retry (ChatKit's threads.retry_after_item) and a reply whose ChatKit client left, over in-memory
// ports: a retry answers a stored user message again, with the thread up to that message, and its
// new reply replaces every later item in the write that stores it; a bad item id is refused before
// anything runs; a reply whose client left is asked to stop and ends cancelled.
import { describe, expect, it } from 'vitest';
import { openReply, STOPPED_NOTE, type ReplyEvent } from '../../../functions/shared/core/agent/reply';
import { stopLeftReply } from '../../../functions/shared/core/agent/reply-control';
import type { NumberedEvent, ReplyLog } from '../../../functions/shared/core/agent/reply-log';
import { ForbiddenError, NotFoundError, ReadOnlyError, ValidationError } from '../../../functions/shared/core/errors';
import { RETRY_MAX_REPLACED, type Item } from '../../../functions/shared/core/threads/thread';
import { heldModel, origin, replyHarness, scriptedModel, text, user } from '../../helpers/reply-harness';

const alice = user('u-alice');
const mallory = user('u-mallory');
const guest = user('u-alice', ['guest']);
const as = (principal: typeof alice) => ({ principal, origin });

const collect = async (events: AsyncIterable<ReplyEvent>) => {
  const out: ReplyEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
};

/** A thread `t1` of Alice's with two exchanges (first, second), said through the pipeline. */
async function twoExchanges(model = scriptedModel([text('answer one'), text('answer two'), text('answer one, again')])) {
  const h = replyHarness(model);
  h.threadsOf(alice.userId).addThread('t1');
  await h.say(alice, 't1', 'one');
  await h.say(alice, 't1', 'two');
  const [first, firstReply, second, secondReply] = h.threadsOf(alice.userId).items.get('t1')! as [Item, Item, Item, Item];
  return { h, model, first, firstReply, second, secondReply };
}

const retry = (h: ReturnType<typeof replyHarness>, itemId: string, principal = alice, threadId = 't1') =>
  openReply(h.deps, { access: as(principal), target: { threadId, retryAfter: itemId }, content: undefined });

describe('a retry', () => {
  it('answers the stored message again with the thread up to it, and replaces every later item with the new reply', async () => {
    const { h, model, first } = await twoExchanges();
    const reply = await retry(h, first.id);
    expect(reply.userMessage).toEqual(first);
    const events = await collect(reply.events);
    // No new user message: the events open with the new reply.
    expect(events.map((e) => e.type)).toEqual(['item.added', 'text.delta', 'item.done']);
    expect(events[0]).toMatchObject({ type: 'item.added', item: { type: 'assistant_message', status: 'running' } });
    const done = events.at(-1) as Extract<ReplyEvent, { type: 'item.done' }>;
    expect(done.item).toMatchObject({ type: 'assistant_message', content: 'answer one, again', status: 'done' });
    // The model was given the thread up to that message, ending with it.
    expect(model.requests.at(-1)!.messages).toEqual([{ role: 'user', content: 'one' }]);
    // Stored: the message, then the new reply only.
    expect(h.threadsOf(alice.userId).items.get('t1')!.map((i) => [i.id, i.type, i.content])).toEqual([
      [first.id, 'user_message', 'one'],
      [done.item.id, 'assistant_message', 'answer one, again'],
    ]);
    expect(h.audit.at(-1)).toMatchObject({ action: 'thread.message', threadId: 't1', outcome: 'allowed' });
  });

  it('of a later message: the earlier exchanges stay and are the model\'s history', async () => {
    const { h, model, first, firstReply, second } = await twoExchanges(scriptedModel([text('answer one'), text('answer two'), text('answer two, again')]));
    await collect((await retry(h, second.id)).events);
    expect(model.requests.at(-1)!.messages).toEqual([
      { role: 'user', content: 'one' },
      { role: 'assistant', content: 'answer one' },
      { role: 'user', content: 'two' },
    ]);
    expect(h.threadsOf(alice.userId).items.get('t1')!.map((i) => i.id).slice(0, 3)).toEqual([first.id, firstReply.id, second.id]);
    expect(h.threadsOf(alice.userId).items.get('t1')!.map((i) => i.content)).toEqual(['one', 'answer one', 'two', 'answer two, again']);
  });

  it('refuses, before any model call or write, an item that is not a user message of the thread (404), another user\'s thread (403) and a guest (403 read_only)', async () => {
    const { h, model, firstReply } = await twoExchanges();
    const before = structuredClone(h.threadsOf(alice.userId).items.get('t1'));
    const calls = model.requests.length;
    await expect(retry(h, firstReply.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(retry(h, '01JZZZZZZZZZZZZZZZZZZZZZZZ')).rejects.toMatchObject({ code: 'not_found', message: 'No user message with this id in this thread' });
    await expect(retry(h, before![0]!.id, mallory)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(retry(h, before![0]!.id, guest)).rejects.toBeInstanceOf(ReadOnlyError);
    expect(model.requests).toHaveLength(calls);
    expect(h.threadsOf(alice.userId).items.get('t1')).toEqual(before);
    expect(h.audit.filter((e) => e.outcome === 'denied').map((e) => [e.action, e.userId, e.reason])).toEqual([
      ['thread.message', 'u-alice', 'not_found'],
      ['thread.message', 'u-alice', 'not_found'],
      ['thread.message', 'u-mallory', 'forbidden'],
      ['thread.message', 'u-alice', 'read_only'],
    ]);
  });

  it(`refuses a message with more than ${RETRY_MAX_REPLACED} items after it (400), storing nothing`, async () => {
    const h = replyHarness(scriptedModel([text('x')]));
    const store = h.threadsOf(alice.userId);
    store.addThread('t1');
    const at = '2025-01-01T09:00:00.000Z';
    const first: Item = { id: '01A0000000000000000000000A', threadId: 't1', type: 'user_message', content: 'first', createdAt: at };
    const tail = Array.from({ length: RETRY_MAX_REPLACED + 1 }, (_, i): Item => ({ id: `01B${String(i).padStart(23, '0')}`, threadId: 't1', type: 'notice', content: `n${i}`, createdAt: at }));
    store.items.set('t1', [first, ...tail]);
    await expect(retry(h, first.id)).rejects.toBeInstanceOf(ValidationError);
    expect(store.items.get('t1')).toHaveLength(RETRY_MAX_REPLACED + 2);
  });

  it('stopped, keeps the message and its partial new reply marked cancelled; the later items are replaced all the same', async () => {
    const { h, first } = await twoExchanges();
    const model = heldModel(scriptedModel([[{ type: 'text', delta: 'Partial ' }, { type: 'text', delta: 'never sent' }, { type: 'end', stopReason: 'end_turn' }]]));
    const reply = await openReply({ ...h.deps, model }, { access: as(alice), target: { threadId: 't1', retryAfter: first.id }, content: undefined });
    const it = reply.numbered[Symbol.asyncIterator]();
    const added = (await it.next()).value as NumberedEvent;
    await it.next(); // the first delta
    const replyId = (added.event as { item: Item }).item.id;
    await stopLeftReply(h.deps, as(alice), { threadId: 't1', itemId: replyId });
    await reply.settled;
    expect(h.threadsOf(alice.userId).items.get('t1')!.map((i) => [i.id, i.content, i.status])).toEqual([
      [first.id, 'one', undefined],
      [replyId, 'Partial ', 'cancelled'],
    ]);
  });

  it('replaces an exchange stored while the retry ran too: the thread ends with the message and the new reply', async () => {
    const { h, first } = await twoExchanges();
    const model = heldModel(scriptedModel([text('retried ', 'answer'), text('meanwhile')]), { onlyFirstCalls: 1 });
    const deps = { ...h.deps, model };
    const running = await openReply(deps, { access: as(alice), target: { threadId: 't1', retryAfter: first.id }, content: undefined });
    await collect((await openReply(deps, { access: as(alice), target: { threadId: 't1' }, content: 'posted meanwhile' })).events);
    expect(h.threadsOf(alice.userId).items.get('t1')!.map((i) => i.content)).toContain('posted meanwhile');
    model.release();
    const events = await collect(running.events);
    expect(h.threadsOf(alice.userId).items.get('t1')!.map((i) => i.content)).toEqual(['one', 'retried answer']);
    expect(events.at(-1)).toMatchObject({ type: 'item.done', item: { content: 'retried answer' } });
  });
});

describe('a reply whose ChatKit client left', () => {
  async function running() {
    const model = heldModel(scriptedModel([[{ type: 'text', delta: 'So far ' }, { type: 'text', delta: 'and more' }, { type: 'end', stopReason: 'end_turn' }]]));
    const h = replyHarness(model);
    h.threadsOf(alice.userId).addThread('t1');
    const reply = await openReply(h.deps, { access: as(alice), target: { threadId: 't1' }, content: 'tell me' });
    const it = reply.numbered[Symbol.asyncIterator]();
    const head = [(await it.next()).value, (await it.next()).value, (await it.next()).value] as NumberedEvent[];
    await it.return?.(undefined); // the client went away
    const replyId = (head[1]!.event as { item: Item }).item.id;
    return { h, model, reply, ref: { threadId: 't1', itemId: replyId } };
  }

  it('is asked to stop: it ends cancelled, keeping the message and what was said, and the next turn is told', async () => {
    const { h, reply, ref } = await running();
    await stopLeftReply(h.deps, as(alice), ref);
    await reply.settled;
    expect(h.threadsOf(alice.userId).items.get('t1')!.map((i) => [i.type, i.content, i.status])).toEqual([
      ['user_message', 'tell me', undefined],
      ['assistant_message', 'So far ', 'cancelled'],
    ]);
    expect(await h.repliesOf(alice.userId).state('t1', ref.itemId)).toMatchObject({ status: 'cancelled' });
    const next = scriptedModel([text('ok')]);
    await collect((await openReply({ ...h.deps, model: next }, { access: as(alice), target: { threadId: 't1' }, content: 'go on' })).events);
    expect(next.requests[0]!.messages.slice(-2)).toEqual([
      { role: 'assistant', content: `So far ${STOPPED_NOTE}` },
      { role: 'user', content: 'go on' },
    ]);
  });

  it('a reply that already ended is left as it is', async () => {
    const { h, model, reply, ref } = await running();
    model.release();
    await reply.settled;
    await stopLeftReply(h.deps, as(alice), ref);
    expect(await h.repliesOf(alice.userId).state('t1', ref.itemId)).toMatchObject({ status: 'done', cancelRequested: false });
    expect(h.threadsOf(alice.userId).items.get('t1')!.at(-1)).toMatchObject({ content: 'So far and more', status: 'done' });
  });

  it('a failed stop request is reported and the reply runs to its end; a guest cannot ask', async () => {
    const { h, model, reply, ref } = await running();
    const faults: unknown[] = [];
    const failing = Object.assign(Object.create(h.repliesOf(alice.userId)) as ReplyLog, { requestCancel: () => Promise.reject(new Error('throttled')) });
    const broken = { replies: () => failing, onLogFault: (err: unknown) => void faults.push(err) };
    await stopLeftReply(broken, as(alice), ref);
    expect(faults).toEqual([new Error('throttled')]);
    await expect(stopLeftReply(h.deps, as(guest), ref)).rejects.toBeInstanceOf(ReadOnlyError);
    model.release();
    await reply.settled;
    expect(h.threadsOf(alice.userId).items.get('t1')!.at(-1)).toMatchObject({ content: 'So far and more', status: 'done' });
  });
});
