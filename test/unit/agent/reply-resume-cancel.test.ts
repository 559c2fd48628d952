// A reply that outlives its connection and stops when asked: numbered events kept in the reply's
// log, resumed after any id, a client that leaves does not stop it, and a cancel from another
// request stops it, keeping the partial text marked cancelled. Over in-memory ports.
import { describe, expect, it } from 'vitest';
import { ProviderError } from '../../../functions/shared/core/agent/model-port';
import { openReply, STOPPED_NOTE } from '../../../functions/shared/core/agent/reply';
import { cancelReply, followReply, replyProgress } from '../../../functions/shared/core/agent/reply-control';
import type { NumberedEvent } from '../../../functions/shared/core/agent/reply-log';
import { ConflictError, NotFoundError, ReadOnlyError } from '../../../functions/shared/core/errors';
import { heldModel, origin, replyHarness, scriptedModel, text, user } from '../../helpers/reply-harness';

const alice = user('u-alice');
const mallory = user('u-mallory');
const guest = user('u-alice', ['guest']);

const collect = async (events: AsyncIterable<NumberedEvent>) => {
  const out: NumberedEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
};

function start(h: ReturnType<typeof replyHarness>, content = 'hello') {
  h.threadsOf(alice.userId).addThread('t1');
  return openReply(h.deps, { access: { principal: alice, origin }, target: { threadId: 't1' }, content });
}

describe('a reply that outlives its connection', () => {
  it('numbers its events 1, 2, 3… and keeps them: a resume after any id gets exactly the rest', async () => {
    const h = replyHarness(scriptedModel([text('one ', 'two ', 'three')]));
    const reply = await start(h);
    const live = await collect(reply.numbered);
    expect(live.map((e) => e.id)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(live.map((e) => e.event.type)).toEqual(['item.added', 'item.added', 'text.delta', 'text.delta', 'text.delta', 'item.done']);
    const replyId = (live[1]!.event as { item: { id: string } }).item.id;
    await reply.settled;

    const access = { principal: alice, origin };
    expect(await replyProgress(h.deps, access, { threadId: 't1', itemId: replyId })).toEqual({ status: 'done', lastEventId: 6 });
    for (const after of [0, 2, 4, 6]) {
      expect(await collect(await followReply(h.deps, access, { threadId: 't1', itemId: replyId }, after))).toEqual(live.slice(after));
    }
  });

  it('writes its events in batches: an instant reply of 100 deltas is one batch', async () => {
    const h = replyHarness(scriptedModel([text(...Array.from({ length: 100 }, (_, i) => `w${i} `))]));
    const reply = await start(h);
    await reply.collect();
    await reply.settled;
    expect(h.repliesOf(alice.userId).appends).toBe(1);
  });

  it('runs to its end and is stored when its reader goes away after the first event', async () => {
    const model = heldModel(scriptedModel([text('all ', 'of ', 'it')]));
    const h = replyHarness(model);
    const reply = await start(h);
    const it = reply.numbered[Symbol.asyncIterator]();
    await it.next();
    await it.return?.(undefined); // the client disconnected
    model.release();
    await reply.settled;
    const items = h.threadsOf(alice.userId).items.get('t1')!;
    expect(items.map((i) => [i.type, i.content, i.status])).toEqual([
      ['user_message', 'hello', undefined],
      ['assistant_message', 'all of it', 'done'],
    ]);
  });

  it('a failed reply stores nothing, and a resume ends with the same error event', async () => {
    const h = replyHarness(scriptedModel([[{ type: 'text', delta: 'I will ' }, new ProviderError('unavailable')]]));
    const reply = await start(h);
    const live = reply.numbered[Symbol.asyncIterator]();
    const seen: NumberedEvent[] = [];
    await expect(
      (async () => {
        for (;;) {
          const step = await live.next();
          if (step.done) return;
          seen.push(step.value);
        }
      })(),
    ).rejects.toMatchObject({ code: 'provider_unavailable' });
    const replyId = (seen[1]!.event as { item: { id: string } }).item.id;
    await reply.settled;
    expect(h.threadsOf(alice.userId).items.get('t1')).toEqual([]);
    const resumed = await collect(await followReply(h.deps, { principal: alice, origin }, { threadId: 't1', itemId: replyId }, 0));
    expect(resumed.slice(0, seen.length)).toEqual(seen);
    expect(resumed.at(-1)).toEqual({ id: seen.length + 1, event: { type: 'error', code: 'provider_unavailable', message: 'failed' } });
    expect(await replyProgress(h.deps, { principal: alice, origin }, { threadId: 't1', itemId: replyId })).toEqual({ status: 'failed', lastEventId: seen.length + 1 });
  });
});

describe('stopping a reply', () => {
  async function running() {
    const model = heldModel(scriptedModel([[{ type: 'text', delta: 'Partial ' }, { type: 'text', delta: 'never sent' }, { type: 'end', stopReason: 'end_turn' }]]));
    const h = replyHarness(model);
    const reply = await start(h);
    const it = reply.numbered[Symbol.asyncIterator]();
    const first = [(await it.next()).value, (await it.next()).value, (await it.next()).value] as NumberedEvent[];
    const replyId = (first[1]!.event as { item: { id: string } }).item.id;
    return { h, reply, it, first, ref: { threadId: 't1', itemId: replyId }, model };
  }

  it('a cancel from another request stops it: the live stream ends with item.done cancelled, the partial text is kept', async () => {
    const { h, reply, it, ref } = await running();
    const answer = await cancelReply(h.deps, { principal: alice, origin }, ref);
    expect(answer.status).toBe('cancelled');
    const rest: NumberedEvent[] = [];
    for (let step = await it.next(); !step.done; step = await it.next()) rest.push(step.value);
    expect(rest).toHaveLength(1);
    expect(rest[0]!.event).toMatchObject({ type: 'item.done', item: { id: ref.itemId, content: 'Partial ', status: 'cancelled' } });
    await reply.settled;
    expect(h.threadsOf(alice.userId).items.get('t1')!.map((i) => [i.content, i.status])).toEqual([
      ['hello', undefined],
      ['Partial ', 'cancelled'],
    ]);
    // Charged for what the model produced, though the provider never reported usage.
    expect(await h.tokens.used(alice.userId, '2025-01-01')).toBeGreaterThan(0);
    // A repeated cancel answers the same; a resume replays to the cancelled end.
    expect(await cancelReply(h.deps, { principal: alice, origin }, ref)).toEqual(answer);
    const resumed = await collect(await followReply(h.deps, { principal: alice, origin }, ref, 0));
    expect(resumed.at(-1)!.event).toMatchObject({ type: 'item.done', item: { status: 'cancelled' } });
  });

  it('the next turn is told the user stopped it', async () => {
    const { h, ref } = await running();
    await cancelReply(h.deps, { principal: alice, origin }, ref);
    const next = scriptedModel([text('ok')]);
    const again = await openReply({ ...h.deps, model: next }, { access: { principal: alice, origin }, target: { threadId: 't1' }, content: 'go on' });
    await again.collect();
    expect(next.requests[0]!.messages.slice(-2)).toEqual([
      { role: 'assistant', content: `Partial ${STOPPED_NOTE}` },
      { role: 'user', content: 'go on' },
    ]);
  });

  it('cancelling a finished reply is 409; a guest cannot cancel; another user gets the usual 403, an unknown reply 404', async () => {
    const { h, reply, ref, model } = await running();
    await expect(cancelReply(h.deps, { principal: guest, origin }, ref)).rejects.toBeInstanceOf(ReadOnlyError);
    await expect(cancelReply(h.deps, { principal: mallory, origin }, ref)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(followReply(h.deps, { principal: mallory, origin }, ref, 0)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(cancelReply(h.deps, { principal: alice, origin }, { threadId: 't1', itemId: 'no-such-reply' })).rejects.toBeInstanceOf(NotFoundError);
    model.release();
    await reply.collect();
    await reply.settled;
    await expect(cancelReply(h.deps, { principal: alice, origin }, ref)).rejects.toBeInstanceOf(ConflictError);
    expect(h.audit.filter((e) => e.threadId === 't1' && e.outcome === 'denied').map((e) => [e.userId, e.reason])).toEqual([
      ['u-alice', 'read_only'],
      ['u-mallory', 'forbidden'],
      ['u-mallory', 'forbidden'],
      ['u-alice', 'not_found'],
      ['u-alice', 'conflict'],
    ]);
  });
});
