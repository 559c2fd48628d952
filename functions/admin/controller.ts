// /admin/users/{userId}/threads...: admin support reads of another user's threads (read-only, audited);
// /admin/users/{userId}/api-keys/{id}/disable: an admin disables a user's key (audited).
import type { z } from 'zod';
import { adminDisableApiKey, type ApiKeyDeps } from '../shared/core/api-keys';
import { AdminOnlyError } from '../shared/core/errors';
import { authorize } from '../shared/core/policy';
import { adminGetThread, adminListItems, adminListThreads, type ThreadDeps } from '../shared/core/threads/thread-use-cases';
import { ok, type RouteControllers } from '../shared/lambda/http-handler';
import { requirePrincipal, type HttpRequest } from '../shared/lambda/http-request';
import { itemsQuerySchema, pageQuerySchema, parse, pathParam, threadAccessOf } from '../shared/lambda/validation';

/**
 * The query, read only once the caller passes the role check, so a non-admin gets 403 admin_only
 * whatever it holds. A non-admin's page is the defaults: the use case refuses them before using it,
 * inside its audit, so the attempt is recorded as before.
 */
function adminQuery<T>(req: HttpRequest, schema: z.ZodType<T>): T {
  try {
    authorize(requirePrincipal(req), 'admin.read');
  } catch (err) {
    if (err instanceof AdminOnlyError) return parse(schema, {});
    throw err;
  }
  return parse(schema, req.query);
}

export function adminRoutes(deps: ThreadDeps, keys: ApiKeyDeps): RouteControllers {
  return {
    'POST /admin/users/{userId}/api-keys/{id}/disable': async (req) => {
      const { principal, origin } = threadAccessOf(req);
      return ok(await adminDisableApiKey(keys, principal, origin, pathParam(req, 'userId'), pathParam(req, 'id')));
    },
    'GET /admin/users/{userId}/threads': async (req) =>
      ok(await adminListThreads(deps, threadAccessOf(req), pathParam(req, 'userId'), adminQuery(req, pageQuerySchema))),
    'GET /admin/users/{userId}/threads/{threadId}': async (req) =>
      ok(await adminGetThread(deps, threadAccessOf(req), pathParam(req, 'userId'), pathParam(req, 'threadId'))),
    'GET /admin/users/{userId}/threads/{threadId}/items': async (req) =>
      ok(
        await adminListItems(
          deps,
          threadAccessOf(req),
          pathParam(req, 'userId'),
          pathParam(req, 'threadId'),
          adminQuery(req, itemsQuerySchema),
        ),
      ),
  };
}
