// THREATS T2 over HTTP on the real thread routes: many random thread ids give identical 403s, every
// denial is audited, and passing the threshold (20 in 5 minutes) records one enumeration event.
import { describe, expect, it } from 'vitest';
import { call, testUser, THREAD_FORBIDDEN } from '../helpers/threads';

const randomId = () => `01J${Array.from({ length: 23 }, () => '0123456789ABCDEFGHJKMNPQRSTVWXYZ'[Math.floor(Math.random() * 32)]).join('')}`;

describe('T2: thread id enumeration', () => {
  it('answers N random ids with N identical 403s and flags the caller once past the threshold', async () => {
    const prober = testUser('prober');
    const admin = testUser('auditor', ['admin']);
    const N = 25;
    const responses = [];
    for (let i = 0; i < N; i++) responses.push(await call(prober, 'GET', `/threads/${randomId()}`));
    for (const r of responses) {
      expect(r.status).toBe(403);
      expect(r.text).toBe(JSON.stringify(THREAD_FORBIDDEN));
    }
    const audit = await call(admin, 'GET', `/admin/audit?userId=${encodeURIComponent(prober.userId)}&limit=100`);
    expect(audit.status).toBe(200);
    const events = audit.body.data as Array<{ action: string; outcome: string; userId: string }>;
    expect(events.filter((e) => e.action === 'thread.read' && e.outcome === 'denied')).toHaveLength(N);
    expect(events.filter((e) => e.action === 'security.enumeration_suspected')).toHaveLength(1);
    expect(events.every((e) => e.userId === prober.userId)).toBe(true);
  });

  it('T18: a guest\'s 25 refused POST /threads raise no enumeration alarm', async () => {
    const guest = testUser('guest-alarm', ['guest']);
    const admin = testUser('auditor', ['admin']);
    for (let i = 0; i < 25; i++) expect((await call(guest, 'POST', '/threads', { title: 'x' })).status).toBe(403);
    const audit = await call(admin, 'GET', `/admin/audit?userId=${encodeURIComponent(guest.userId)}&limit=100`);
    const events = audit.body.data as Array<{ action: string; outcome: string; reason: string }>;
    expect(events.filter((e) => e.action === 'thread.write' && e.reason === 'read_only')).toHaveLength(25);
    expect(events.filter((e) => e.action === 'security.enumeration_suspected')).toEqual([]);
  });
});
