// /api-keys: parse and validate, call one use case, shape the response. Who may call what is the
// use cases' question (policy.ts); the body is handed over unread, so a refused caller's is never parsed.
import * as z from 'zod';
import {
  MAX_API_KEY_DAYS,
  issueApiKey,
  listApiKeys,
  revokeApiKey,
  setApiKeyEnabled,
  type ApiKeyDeps,
} from '../shared/core/api-keys';
import type { RequestOrigin } from '../shared/core/audit';
import { SCOPES } from '../shared/core/scopes';
import { created, noContent, ok, type RouteControllers } from '../shared/lambda/http-handler';
import { jsonBody, requirePrincipal, type HttpRequest } from '../shared/lambda/http-request';
import { parse, pathParam } from '../shared/lambda/validation';

// Strict: a misspelt `readonly` or `scope` must not silently mint a write-capable or unlimited key.
export const CreateBody = z.strictObject({
  name: z.string().trim().min(1).max(100),
  readOnly: z.boolean().optional().default(false),
  expiresInDays: z.number().int().min(1).max(MAX_API_KEY_DAYS).optional(),
  // At least one: a key that may do nothing is a mistake, and "none" must never read as "all".
  scopes: z.array(z.enum(SCOPES)).min(1).max(SCOPES.length).optional(),
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
