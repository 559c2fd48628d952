// The audit trail end to end: events written by the real audit log (with enumeration detection)
// into the local stack's DynamoDB Local, read back through GET /admin/audit over HTTP (THREATS T2).
// Thread routes write their events through the same createAuditLog(); their HTTP-level T2 test
// lives with them.
import { beforeAll, describe, expect, it } from 'vitest';
import { userIdFor } from '../../functions/shared/adapters/node-crypto';
import type { AuditEvent, AuditLog, AuditRecord } from '../../functions/shared/core/audit';
import { createAuditLog } from '../../functions/shared/lambda/audit-log';
import { api } from '../helpers/http';
import { baseUrl, devIssuer, devToken, uniqueUser } from '../helpers/dev-tokens';
import { localDb } from '../helpers/local-db';

const denial = (userId: string, n: number): AuditRecord => ({
  action: n % 3 === 0 ? 'thread.message' : 'thread.read',
  userId,
  ownerId: userId,
  threadId: `01JRANDOM${String(n).padStart(4, '0')}`,
  outcome: 'denied',
  ip: '198.51.100.23',
  userAgent: 'enumerator/1.0',
  requestId: `req-${n}`,
  reason: 'not_found_or_not_owner',
});

async function listAll(token: string, query: string, limit: number): Promise<AuditEvent[]> {
  const events: AuditEvent[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 50; pages++) {
    const q: string = `?limit=${limit}${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const res = await api<{ data: AuditEvent[]; nextCursor: string | null }>(baseUrl(), 'GET', `/admin/audit${q}`, { token });
    expect(res.status).toBe(200);
    events.push(...res.body.data);
    cursor = res.body.nextCursor;
    if (!cursor) return events;
  }
  throw new Error('pagination did not end');
}

describe('audit trail and enumeration detection', () => {
  let audit: AuditLog;
  const suspected: string[] = [];
  const mallory = userIdFor(devIssuer().issuer, uniqueUser('mallory'));
  const adminToken = devToken(uniqueUser('root'), { roles: ['admin'] });

  beforeAll(async () => {
    const { client, tableName } = localDb();
    audit = createAuditLog({ client, tableName, onSuspected: (u) => suspected.push(u) }).log;
    // 35 denials at once: the counter and the once-per-window mark must hold under races.
    await Promise.all(Array.from({ length: 35 }, (_, n) => audit.record(denial(mallory, n))));
  });

  it('records one enumeration event past the threshold, even for concurrent denials, and emits one metric', async () => {
    const events = await listAll(adminToken, `&userId=${encodeURIComponent(mallory)}`, 100);
    expect(events).toHaveLength(36);
    const flags = events.filter((e) => e.action === 'security.enumeration_suspected');
    expect(flags).toEqual([
      expect.objectContaining({ userId: mallory, outcome: 'denied', ip: '198.51.100.23', userAgent: 'enumerator/1.0', threadId: null }),
    ]);
    expect(suspected).toEqual([mallory]);
    expect(events.filter((e) => e.outcome === 'denied' && e.action !== 'security.enumeration_suspected')).toHaveLength(35);
  });

  it('returns events in the API.md shape, newest first, with no duplicates across pages', async () => {
    const paged = await listAll(adminToken, `&userId=${encodeURIComponent(mallory)}`, 7);
    expect(paged).toHaveLength(36);
    expect(new Set(paged.map((e) => e.id)).size).toBe(36);
    const times = paged.map((e) => `${e.at}${e.id}`);
    expect([...times].sort().reverse()).toEqual(times);
    expect(Object.keys(paged[0]!).sort()).toEqual(
      ['action', 'at', 'id', 'ip', 'outcome', 'ownerId', 'reason', 'requestId', 'threadId', 'userAgent', 'userId'].sort(),
    );
  });

  it('lists every actor newest first without a userId filter', async () => {
    const other = userIdFor(devIssuer().issuer, uniqueUser('carol'));
    await audit.record({ ...denial(other, 1), outcome: 'allowed', reason: null });
    const res = await api(baseUrl(), 'GET', '/admin/audit?limit=3', { token: adminToken });
    expect(res.status).toBe(200);
    expect(res.body.data[0]).toMatchObject({ userId: other, outcome: 'allowed' });
    expect(res.body.data).toHaveLength(3);
    expect(typeof res.body.nextCursor).toBe('string');
    const next = await api(baseUrl(), 'GET', `/admin/audit?limit=3&cursor=${encodeURIComponent(res.body.nextCursor)}`, { token: adminToken });
    expect(next.status).toBe(200);
    const ids = [...res.body.data, ...next.body.data].map((e: AuditEvent) => e.id);
    expect(new Set(ids).size).toBe(6);
  });

  it('refuses non-admins with admin_only', async () => {
    for (const roles of [[], ['user'], ['guest']]) {
      const res = await api(baseUrl(), 'GET', '/admin/audit', { token: devToken(uniqueUser('u'), { roles }) });
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ error: { code: 'admin_only', message: 'Admin role required' } });
    }
  });

  it('refuses bad limits and tampered, foreign or re-filtered cursors with 400', async () => {
    const first = await api(baseUrl(), 'GET', `/admin/audit?limit=2&userId=${encodeURIComponent(mallory)}`, { token: adminToken });
    const cursor: string = first.body.nextCursor;
    const otherAdmin = devToken(uniqueUser('root2'), { roles: ['admin'] });
    const attempts: [string, string][] = [
      ['limit 0', '?limit=0'],
      ['limit 101', '?limit=101'],
      ['limit abc', '?limit=abc'],
      ['tampered cursor', `?cursor=${encodeURIComponent(`${cursor.slice(0, -2)}xx`)}&userId=${encodeURIComponent(mallory)}`],
      ['hand-made cursor', `?cursor=${Buffer.from('{"sk":"x"}').toString('base64url')}.AAAA`],
      ['cursor with another filter', `?cursor=${encodeURIComponent(cursor)}`],
    ];
    for (const [name, q] of attempts) {
      const res = await api(baseUrl(), 'GET', `/admin/audit${q}`, { token: adminToken });
      expect(res.status, name).toBe(400);
      expect(res.body.error.code, name).toBe('bad_request');
    }
    const foreign = await api(baseUrl(), 'GET', `/admin/audit?userId=${encodeURIComponent(mallory)}&cursor=${encodeURIComponent(cursor)}`, { token: otherAdmin });
    expect(foreign.status).toBe(400);
  });
});
