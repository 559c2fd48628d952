// /api-keys: parse and validate, call one use case, shape the response. Who may call what is the
// use cases' question (policy.ts); the body is handed over unread, so a refused caller's is never parsed.
import * as z from 'zod';
import {
  issueApiKey,
  listApiKeys,
  revokeApiKey,
  setApiKeyEnabled,
  type ApiKeyDeps,
} from '../shared/core/api-keys';
import type { RequestOrigin } from '../shared/core/audit';
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

export function apiKeysRoutes(deps: ApiKeyDeps): RouteControllers {
  return {
    'POST /api-keys': async (req) =>
      created(await issueApiKey(deps, requirePrincipal(req), origin(req), () => parse(CreateBody, jsonBody(req), 'Invalid request body'))),
    'GET /api-keys': async (req) => ok({ data: await listApiKeys(deps, requirePrincipal(req)) }),
    'PATCH /api-keys/{id}': async (req) =>
      ok(await setApiKeyEnabled(deps, requirePrincipal(req), origin(req), pathParam(req, 'id'), () => parse(PatchBody, jsonBody(req), 'Invalid request body'))),
    'DELETE /api-keys/{id}': async (req) => {
      await revokeApiKey(deps, requirePrincipal(req), origin(req), pathParam(req, 'id'));
      return noContent();
    },
  };
}
