// GET /admin/audit: the audit trail for admins, newest first, optionally one actor's events.
import * as z from 'zod';
import { listAudit, type ListAuditDeps } from '../shared/core/audit-query';
import { ValidationError } from '../shared/core/errors';
import { isPossibleUserId } from '../shared/core/principal';
import { ok, type RouteControllers } from '../shared/lambda/http-handler';
import { requirePrincipal } from '../shared/lambda/http-request';

export const AuditQuery = z.object({
  userId: z.string().min(1).refine(isPossibleUserId).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).max(4096).optional(),
});

export function auditRoutes(deps: ListAuditDeps): RouteControllers {
  return {
    'GET /admin/audit': async (req) => {
      // Read by the use case after its role check: a non-admin gets 403 admin_only whatever the query holds.
      const query = () => {
        const q = AuditQuery.safeParse(req.query);
        if (!q.success) throw new ValidationError('Invalid query: userId, limit (1..100) or cursor');
        return { userId: q.data.userId ?? null, limit: q.data.limit, cursor: q.data.cursor ?? null };
      };
      return ok(await listAudit(deps, requirePrincipal(req), query));
    },
  };
}
