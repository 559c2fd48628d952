// /api-keys: parse and validate, call one use case, shape the response. JWT callers only (policy).
import * as z from 'zod';
import {
  issueApiKey,
  listApiKeys,
  revokeApiKey,
  setApiKeyEnabled,
  type ApiKeyDeps,
} from '../shared/core/api-keys';
import type { RequestOrigin } from '../shared/core/audit';
import { authorize } from '../shared/core/policy';
import { created, noContent, ok, type RouteControllers } from '../shared/lambda/http-handler';
import { jsonBody, requirePrincipal, type HttpRequest } from '../shared/lambda/http-request';
import { parse, pathParam } from '../shared/lambda/validation';

// Strict: a misspelt `readonly` must not silently mint a write-capable key.
export const CreateBody = z.strictObject({
  name: z.string().trim().min(1).max(100),
  readOnly: z.boolean().optional().default(false),
});
export const PatchBody = z.strictObject({ enabled: z.boolean() });


const origin = (req: HttpRequest): RequestOrigin => ({
  ip: req.sourceIp,
  userAgent: req.userAgent,
  requestId: req.requestId,
});

/** Refuse key callers before the body is even read (THREATS T7); guests may list, disable and revoke. */
function manager(req: HttpRequest) {
  const principal = requirePrincipal(req);
  authorize(principal, 'apikeys.manage');
  return principal;
}

export function apiKeysRoutes(deps: ApiKeyDeps): RouteControllers {
  return {
    'POST /api-keys': async (req) => {
      const principal = manager(req);
      authorize(principal, 'apikeys.create'); // guests: read_only before the body is read
      const input = parse(CreateBody, jsonBody(req), 'Invalid request body');
      return created(await issueApiKey(deps, principal, origin(req), input));
    },
    'GET /api-keys': async (req) => ok({ data: await listApiKeys(deps, manager(req)) }),
    'PATCH /api-keys/{id}': async (req) => {
      const principal = manager(req);
      const { enabled } = parse(PatchBody, jsonBody(req), 'Invalid request body');
      return ok(await setApiKeyEnabled(deps, principal, origin(req), pathParam(req, 'id'), enabled));
    },
    'DELETE /api-keys/{id}': async (req) => {
      await revokeApiKey(deps, manager(req), origin(req), pathParam(req, 'id'));
      return noContent();
    },
  };
}
