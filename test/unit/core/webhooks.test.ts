// Webhook delivery rules with an in-memory event store: key selection, exactly-once, and a failed
// effect releasing its claim so the sender's retry runs it.
import { describe, expect, it } from 'vitest';
import { ulidGenerator } from '../../../functions/shared/core/ids';
import { nodeDigest } from '../../../functions/shared/adapters/node-crypto';
import {
  deliverWebhook,
  idempotencyKeyOf,
  type ClaimResult,
  type NewWebhookEvent,
  type WebhookEventStore,
} from '../../../functions/shared/core/webhooks';

const clock = { now: () => new Date('2025-01-01T00:00:00Z') };

function memoryStore(): WebhookEventStore & { items: Map<string, { eventId: string; status: string; claimId: string }> } {
  const items = new Map<string, { eventId: string; status: string; claimId: string }>();
  return {
    items,
    async claim(e: NewWebhookEvent): Promise<ClaimResult> {
      const id = `${e.source}/${e.key}`;
      const seen = items.get(id);
      if (!seen) {
        items.set(id, { eventId: e.eventId, status: 'in_progress', claimId: e.claimId });
        return { status: 'claimed', eventId: e.eventId };
      }
      return seen.status === 'completed' ? { status: 'completed', eventId: seen.eventId } : { status: 'in_progress' };
    },
    async complete(source, key) {
      items.get(`${source}/${key}`)!.status = 'completed';
    },
    async release(source, key, claimId) {
      if (items.get(`${source}/${key}`)?.claimId === claimId) items.delete(`${source}/${key}`);
    },
  };
}

const deps = (events: WebhookEventStore) => ({ events, clock, ids: ulidGenerator(clock, (b) => b.fill(7)) });

describe('idempotencyKeyOf', () => {
  it('prefers the header, then a string or integer body id', () => {
    expect(idempotencyKeyOf(nodeDigest, ' abc ', { id: 'other' }, 'dao', '{}')).toBe('abc');
    expect(idempotencyKeyOf(nodeDigest, undefined, { id: 'evt_1' }, 'dao', '{}')).toBe('evt_1');
    expect(idempotencyKeyOf(nodeDigest, undefined, { id: 42 }, 'dao', '{}')).toBe('42');
  });

  it('falls back to the SHA-256 of source and raw body: same source and bytes, same key', () => {
    const raw = '{"event":"dao_created"}';
    const key = idempotencyKeyOf(nodeDigest, undefined, { event: 'dao_created' }, 'dao', raw);
    expect(key).toMatch(/^sha256-[0-9a-f]{64}$/);
    expect(idempotencyKeyOf(nodeDigest, undefined, { event: 'dao_created' }, 'dao', raw)).toBe(key);
    expect(idempotencyKeyOf(nodeDigest, undefined, { event: 'dao_created' }, 'chainhook', raw)).not.toBe(key);
    expect(idempotencyKeyOf(nodeDigest, undefined, { event: 'dao_created' }, 'dao', `${raw} `)).not.toBe(key);
  });

  it.each([
    [undefined, { id: 1.5 }],
    [undefined, { id: { nested: true } }],
    [undefined, { id: '' }],
    ['', {}],
    ['has space', {}],
    ['x'.repeat(201), {}],
  ])('refuses header %j with body %j as bad_request', (header, body) => {
    expect(() => idempotencyKeyOf(nodeDigest, header, body, 'dao', JSON.stringify(body))).toThrow(expect.objectContaining({ code: 'bad_request' }));
  });
});

describe('deliverWebhook', () => {
  it('runs the effect once and reports repeats as duplicates with the same id', async () => {
    const store = memoryStore();
    let runs = 0;
    const effect = async () => (runs++, 'stored');
    const first = await deliverWebhook(deps(store), { source: 'dao', key: 'k', body: '{}' }, effect);
    const again = await deliverWebhook(deps(store), { source: 'dao', key: 'k', body: '{}' }, effect);
    expect(first.duplicate).toBe(false);
    expect(again).toEqual({ id: first.id, duplicate: true });
    expect(runs).toBe(1);
  });

  it('answers a delivery still in flight with a conflict, not a second run', async () => {
    const store = memoryStore();
    let release!: () => void;
    const slow = () => new Promise<string>((r) => (release = () => r('stored')));
    const first = deliverWebhook(deps(store), { source: 'dao', key: 'k', body: '{}' }, slow);
    await expect(deliverWebhook(deps(store), { source: 'dao', key: 'k', body: '{}' }, slow)).rejects.toMatchObject({ code: 'conflict' });
    release();
    await expect(first).resolves.toMatchObject({ duplicate: false });
  });

  it('releases the claim when the effect fails, so a retry runs it', async () => {
    const store = memoryStore();
    await expect(
      deliverWebhook(deps(store), { source: 'tasks', key: 'k', body: '{}' }, async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(store.items.size).toBe(0);
    await expect(deliverWebhook(deps(store), { source: 'tasks', key: 'k', body: '{}' }, async () => 'ok')).resolves.toMatchObject({
      duplicate: false,
    });
  });
});
