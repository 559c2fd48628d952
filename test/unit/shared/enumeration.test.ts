// Enumeration detection as a decorator over the AuditLog port (THREATS T2), with in-memory counters.
import { describe, expect, it } from 'vitest';
import type { AuditAction, AuditLog, AuditRecord } from '../../../functions/shared/core/audit';
import { withEnumerationDetection } from '../../../functions/shared/core/enumeration';
import { InMemoryDenialCounter, settableClock } from '../../fakes/in-memory-counters';

const denial = (userId: string, action: AuditAction = 'thread.read'): AuditRecord => ({
  action,
  userId,
  ownerId: userId,
  threadId: 'T-random',
  outcome: 'denied',
  ip: '203.0.113.7',
  userAgent: 'probe',
  requestId: 'req',
  reason: 'not_found_or_not_owner',
});

function setup() {
  const recorded: AuditRecord[] = [];
  const inner: AuditLog = { record: async (e) => void recorded.push(e) };
  const clock = settableClock('2025-01-01T10:00:00Z');
  const suspected: string[] = [];
  const log = withEnumerationDetection({
    inner,
    counter: new InMemoryDenialCounter(),
    clock,
    settings: { threshold: 20, windowMinutes: 5 },
    onSuspected: (u) => suspected.push(u),
  });
  const flags = () => recorded.filter((e) => e.action === 'security.enumeration_suspected');
  return { log, recorded, clock, suspected, flags };
}

describe('withEnumerationDetection', () => {
  it('records every event unchanged and flags nothing at or below the threshold', async () => {
    const { log, recorded, flags, suspected } = setup();
    for (let i = 0; i < 20; i++) await log.record(denial('mallory'));
    expect(recorded).toHaveLength(20);
    expect(recorded[0]).toEqual(denial('mallory'));
    expect(flags()).toEqual([]);
    expect(suspected).toEqual([]);
  });

  it('writes one enumeration event and one metric once a user passes the threshold, however many follow', async () => {
    const { log, flags, suspected } = setup();
    for (let i = 0; i < 50; i++) await log.record(denial('mallory', i % 2 ? 'thread.message' : 'thread.read'));
    expect(flags()).toEqual([
      expect.objectContaining({ userId: 'mallory', outcome: 'denied', threadId: null, ip: '203.0.113.7', reason: expect.stringContaining('20') }),
    ]);
    expect(suspected).toEqual(['mallory']);
  });

  it('flags once also when the denials arrive concurrently', async () => {
    const { log, flags } = setup();
    await Promise.all(Array.from({ length: 40 }, () => log.record(denial('mallory'))));
    expect(flags()).toHaveLength(1);
  });

  it('T18: counts no role refusal and no denial that names no resource (a guest\'s refused writes raise nothing)', async () => {
    const { log, flags } = setup();
    for (let i = 0; i < 30; i++) {
      await log.record({ ...denial('guest', 'thread.write'), threadId: null, reason: 'read_only' });
      await log.record({ ...denial('guest', 'thread.write'), reason: 'read_only' });
      await log.record({ ...denial('user', 'admin.thread.read'), reason: 'admin_only' });
      await log.record({ ...denial('keys', 'apikey.revoke'), reason: 'keyId=invalid' });
      // T29: a key refused for its scopes gets the same answer for every thread id.
      await log.record({ ...denial('scoped', 'thread.read'), reason: 'missing_scope:threads:read' });
    }
    expect(flags()).toEqual([]);
  });

  it('counts denials naming a key id like those naming a thread id', async () => {
    const { log, flags } = setup();
    for (let i = 0; i < 21; i++) await log.record({ ...denial('mallory', i % 2 ? 'apikey.revoke' : 'apikey.disable'), threadId: null, reason: 'keyId=01JBZ8Q3ZK4V6W8X9Y0A1B2C3D' });
    expect(flags()).toHaveLength(1);
  });

  it('counts only denied accesses, per user', async () => {
    const { log, flags } = setup();
    for (let i = 0; i < 30; i++) {
      await log.record({ ...denial('alice'), outcome: 'allowed' });
      await log.record(denial('bob', 'apikey.revoke'));
    }
    for (let i = 0; i < 15; i++) {
      await log.record(denial('carol'));
      await log.record(denial('dave'));
    }
    expect(flags()).toEqual([]);
  });

  it('flags again in a later window', async () => {
    const { log, flags, clock } = setup();
    for (let i = 0; i < 21; i++) await log.record(denial('mallory'));
    clock.set('2025-01-01T10:05:00Z');
    for (let i = 0; i < 20; i++) await log.record(denial('mallory'));
    expect(flags()).toHaveLength(1);
    await log.record(denial('mallory'));
    expect(flags()).toHaveLength(2);
  });
});
