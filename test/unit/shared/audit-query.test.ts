// GET /admin/audit's use case: admins only, cursors bound to the admin and the filter.
import { describe, expect, it } from 'vitest';
import type { AuditEvent, AuditReader } from '../../../functions/shared/core/audit';
import { listAudit } from '../../../functions/shared/core/audit-query';
import type { Principal } from '../../../functions/shared/core/principal';
import { hmacSigner } from '../../../functions/shared/adapters/node-crypto';

const admin: Principal = { userId: 'iss:root', roles: ['admin'], authMethod: 'jwt', keyId: null, readOnly: false, email: null };
const otherAdmin: Principal = { ...admin, userId: 'iss:root2' };

const event = (n: number): AuditEvent => ({
  id: `E${n}`, at: '2025-01-01T00:00:00.000Z', action: 'thread.read', userId: 'u', ownerId: 'u', threadId: 't',
  outcome: 'allowed', ip: '', userAgent: '', requestId: '', reason: null,
});

function reader(): AuditReader & { calls: unknown[] } {
  const calls: unknown[] = [];
  return {
    calls,
    async list(q) {
      calls.push(q);
      const start = q.after ? Number(q.after.n) : 0;
      const events = [0, 1].map((i) => event(start + i));
      return { events, next: start < 4 ? { n: String(start + 2) } : null };
    },
  };
}

const deps = (r: AuditReader) => ({ reader: r, cursorSigner: async () => hmacSigner('secret-for-tests-0123') });

describe('listAudit', () => {
  it.each([
    ['a user', { ...admin, roles: ['user'] as const }],
    ['a guest', { ...admin, roles: ['guest'] as const, readOnly: true }],
    ['an API key', { ...admin, authMethod: 'apiKey' as const, keyId: 'K' }],
  ])('refuses %s with admin_only', async (_n, p) => {
    await expect(listAudit(deps(reader()), p as Principal, () => ({ userId: null, limit: 2, cursor: null }))).rejects.toMatchObject({ code: 'admin_only' });
  });

  it('pages with an opaque cursor bound to the admin and the filter', async () => {
    const r = reader();
    const first = await listAudit(deps(r), admin, () => ({ userId: 'u', limit: 2, cursor: null }));
    expect(first.data.map((e) => e.id)).toEqual(['E0', 'E1']);
    expect(first.nextCursor).toEqual(expect.any(String));
    expect(first.nextCursor).not.toContain('"n"');
    const second = await listAudit(deps(r), admin, () => ({ userId: 'u', limit: 2, cursor: first.nextCursor }));
    expect(second.data.map((e) => e.id)).toEqual(['E2', 'E3']);
    expect(r.calls[1]).toEqual({ actorId: 'u', limit: 2, after: { n: '2' } });

    await expect(listAudit(deps(r), otherAdmin, () => ({ userId: 'u', limit: 2, cursor: first.nextCursor }))).rejects.toMatchObject({ code: 'bad_request' });
    await expect(listAudit(deps(r), admin, () => ({ userId: 'v', limit: 2, cursor: first.nextCursor }))).rejects.toMatchObject({ code: 'bad_request' });
    await expect(listAudit(deps(r), admin, () => ({ userId: null, limit: 2, cursor: first.nextCursor }))).rejects.toMatchObject({ code: 'bad_request' });
  });

  it('ends with a null cursor', async () => {
    const r = reader();
    let cursor: string | null = null;
    const ids: string[] = [];
    do {
      const page: { data: AuditEvent[]; nextCursor: string | null } = await listAudit(deps(r), admin, () => ({ userId: null, limit: 2, cursor }));
      ids.push(...page.data.map((e) => e.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(ids).toEqual(['E0', 'E1', 'E2', 'E3', 'E4', 'E5']);
  });
});
