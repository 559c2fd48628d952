// THREATS T7 over HTTP: on the /admin routes the role is checked before the query, so a non-admin
// gets 403 admin_only whatever the query holds (never a 400 that answers a question about the
// route), and their attempt on another user's threads is still audited.
import { describe, expect, it } from 'vitest';
import { auditRows } from '../helpers/local-db';
import { call, newThread, testUser } from '../helpers/threads';

const ADMIN_ONLY = { error: { code: 'admin_only', message: 'Admin role required' } };

const malformed = (userId: string, threadId: string): string[] => {
  const base = `/admin/users/${encodeURIComponent(userId)}/threads`;
  return [
    '/admin/audit?limit=abc',
    '/admin/audit?limit=0',
    '/admin/audit?cursor=',
    `${base}?limit=0`,
    `${base}?limit=abc`,
    `${base}/${threadId}/items?order=sideways`,
    `${base}/${threadId}/items?limit=101`,
  ];
};

describe('admin routes check the role before the query', () => {
  it('answers a user and a guest 403 admin_only for malformed queries, and audits the thread reads', async () => {
    const victim = testUser('adm-victim');
    const threadId = await newThread(victim);
    const paths = malformed(victim.userId, threadId);
    for (const caller of [testUser('adm-user'), testUser('adm-guest', ['guest'])]) {
      for (const path of paths) {
        const res = await call(caller, 'GET', path);
        expect(res.status, path).toBe(403);
        expect(res.body, path).toEqual(ADMIN_ONLY);
      }
      const denied = (await auditRows(caller.userId)).filter((e) => e.action === 'admin.thread.read');
      expect(denied).toHaveLength(paths.filter((p) => p.startsWith('/admin/users/')).length);
      expect(denied.every((e) => e.outcome === 'denied' && e.reason === 'admin_only' && e.ownerId === victim.userId)).toBe(true);
    }
  });

  it('still answers an admin 400 for the same queries', async () => {
    const victim = testUser('adm-victim');
    const threadId = await newThread(victim);
    const admin = testUser('adm-root', ['admin']);
    for (const path of malformed(victim.userId, threadId)) {
      const res = await call(admin, 'GET', path);
      expect(res.status, path).toBe(400);
      expect(res.body.error.code, path).toBe('bad_request');
    }
  });
});
