// /admin/users/{userId}/threads...: admin support reads of another user's threads (read-only, audited);
// /admin/users/{userId}/api-keys/{id}/disable: an admin disables a user's key (audited).
// /admin/usage, /admin/users/{userId}/usage, /admin/users/{userId}/budget: usage and budgets (audited).
import { adminDisableApiKey, type ApiKeyDeps } from '../shared/core/api-keys';
import { adminDayUsage, adminUsageQuerySchema, adminUserUsage, budgetBodySchema, setUserBudget, usageDaysQuerySchema, type UsageDeps } from '../shared/core/usage';
import { jsonBody } from '../shared/lambda/http-request';
import { adminGetThread, adminListItems, adminListThreads, type ThreadDeps } from '../shared/core/threads/thread-use-cases';
import { ok, type RouteControllers } from '../shared/lambda/http-handler';
import { itemsQuerySchema, pageQuerySchema, parse, pathParam, threadAccessOf } from '../shared/lambda/validation';

export function adminRoutes(deps: ThreadDeps, keys: ApiKeyDeps, usage: UsageDeps): RouteControllers {
  return {
    // Queries and bodies are read by the use cases after their decision: a non-admin gets 403 whatever they hold.
    'GET /admin/usage': async (req) => ok(await adminDayUsage(usage, threadAccessOf(req), () => parse(adminUsageQuerySchema, req.query, 'Invalid query'))),
    'GET /admin/users/{userId}/usage': async (req) =>
      ok(await adminUserUsage(usage, threadAccessOf(req), pathParam(req, 'userId'), () => parse(usageDaysQuerySchema, req.query, 'Invalid query'))),
    'PUT /admin/users/{userId}/budget': async (req) =>
      ok(await setUserBudget(usage, threadAccessOf(req), pathParam(req, 'userId'), () => parse(budgetBodySchema, jsonBody(req), 'Invalid request body'))),
    'POST /admin/users/{userId}/api-keys/{id}/disable': async (req) => {
      const { principal, origin } = threadAccessOf(req);
      return ok(await adminDisableApiKey(keys, principal, origin, pathParam(req, 'userId'), pathParam(req, 'id')));
    },
    'GET /admin/users/{userId}/threads': async (req) =>
      ok(await adminListThreads(deps, threadAccessOf(req), pathParam(req, 'userId'), () => parse(pageQuerySchema, req.query))),
    'GET /admin/users/{userId}/threads/{threadId}': async (req) =>
      ok(await adminGetThread(deps, threadAccessOf(req), pathParam(req, 'userId'), pathParam(req, 'threadId'))),
    'GET /admin/users/{userId}/threads/{threadId}/items': async (req) =>
      ok(
        await adminListItems(
          deps,
          threadAccessOf(req),
          pathParam(req, 'userId'),
          pathParam(req, 'threadId'),
          () => parse(itemsQuerySchema, req.query),
        ),
      ),
  };
}
