// Builds the OpenAPI 3.1 document from THE route table and THE operation registry (zod-openapi over
// the functions' zod 4 schemas). What a route's auth kind implies (security, 401, 429 with the
// rate-limit headers, 413, 500) is added here once, so registry entries stay short.
import { z } from 'zod';
import { createDocument, type ZodOpenApiObject, type ZodOpenApiOperationObject, type ZodOpenApiResponseObject } from 'zod-openapi';
import { IDEMPOTENCY_KEY_TEXT, WITHOUT_IDEMPOTENCY_KEY } from '../../functions/shared/lambda/idempotency-routes';
import { metadataSchema } from '../../functions/shared/lambda/validation';
import { ROUTES, type RouteDef } from '../routes';
import { ERROR_CODES, OPERATIONS, PATH_PARAMS, type Codes, type OperationSpec } from './operations';
import * as S from './schemas';

const API_VERSION = '1.0.0';

const routeKey = (r: Pick<RouteDef, 'method' | 'path'>) => `${r.method} ${r.path}`;

const ref = (kind: 'headers' | 'schemas', name: string) => ({ $ref: `#/components/${kind}/${name}` });

const RATE_HEADERS = {
  'X-RateLimit-Limit': ref('headers', 'X-RateLimit-Limit'),
  'X-RateLimit-Remaining': ref('headers', 'X-RateLimit-Remaining'),
  'X-RateLimit-Reset': ref('headers', 'X-RateLimit-Reset'),
};

const integerHeader = (description: string) => ({ description, schema: { type: 'integer' as const, minimum: 0 } });

const HEADERS = {
  'X-RateLimit-Limit': integerHeader(
    'Requests allowed in the current one-minute window of the bucket this response describes. On every function response to an authenticated caller.',
  ),
  'X-RateLimit-Remaining': integerHeader('Requests left in that window.'),
  'X-RateLimit-Reset': integerHeader('End of that window, in epoch seconds.'),
  'Retry-After': integerHeader('Seconds until a retry can succeed (the end of the refusing window, or how long the database needs).'),
};

/** POST routes of signed-in callers take a client Idempotency-Key (functions/shared/lambda/idempotency.ts). */
const takesIdempotencyKey = (route: RouteDef) => route.method === 'POST' && route.auth === 'user' && !WITHOUT_IDEMPOTENCY_KEY.has(routeKey(route));

const idempotencyKeyHeader = z.object({
  'Idempotency-Key': z
    .string()
    .regex(IDEMPOTENCY_KEY_TEXT)
    .optional()
    .meta({
      description:
        'Makes the POST safe to retry: the same key, body, path and caller (with the same rights) within 24 h gets the first response again (with `Idempotent-Replayed: true`; a reply: its stored exchange, in the retry\'s framing); the same key with another body is `409 conflict`, and so is a repeat while the first still runs. 1-200 printable ASCII characters. Refused or failed requests are not remembered.',
    }),
});

const SECURITY_SCHEMES = {
  bearerJwt: {
    type: 'http' as const,
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      'A JWT from a configured issuer (RS256, ES256 or EdDSA; `iss`, `aud`, `exp` and `sub` required). Identity and roles come from its verified claims only.',
  },
  apiKey: {
    type: 'apiKey' as const,
    in: 'header' as const,
    name: 'X-API-Key',
    description: 'A key issued by `POST /api-keys` (a UUID). Checked before `Authorization` when both are sent. Acts as its owner, never as admin.',
  },
  webhookToken: {
    type: 'http' as const,
    scheme: 'bearer',
    description: 'The static webhook token (`WEBHOOK_TOKEN`; deployed, a Secrets Manager secret). Accepted on `/webhooks/{source}` only.',
  },
};

function errorResponse(codes: Codes, headers?: ZodOpenApiResponseObject['headers']): ZodOpenApiResponseObject {
  return {
    description: codes.map((c) => `\`${c}\`: ${ERROR_CODES[c]}`).join(' '),
    ...(headers ? { headers } : {}),
    content: { 'application/json': { schema: S.errorBody(codes) } },
  };
}

/** Answers every route can give, whatever it does (rate headers only when the guard ran first). */
const SHARED_RESPONSES = {
  Unauthorized: errorResponse(['unauthorized']),
  // The size check runs before the rate-limit guard, so a 413 carries no rate headers.
  PayloadTooLarge: errorResponse(['payload_too_large']),
  // From the per-user guard (with the refusing bucket's headers) or the stage throttle (without).
  RateLimited: errorResponse(['rate_limited'], { ...RATE_HEADERS, 'Retry-After': ref('headers', 'Retry-After') }),
  InternalError: errorResponse(['internal']),
  // Throttling or an unreachable database once the SDK's retries are spent, or a buffered request past 25 s; from the guard too, so rate headers may be absent.
  ServiceUnavailable: errorResponse(['service_unavailable'], { 'Retry-After': ref('headers', 'Retry-After') }),
  // Refused by the HTTP front door before any route is matched (API Gateway, or Node's parser locally).
  HeadersTooLarge: { description: 'Request headers too large (an oversized token may get 401 instead); never a 5xx.' },
};
const sharedResponse = (name: keyof typeof SHARED_RESPONSES) => ({ $ref: `#/components/responses/${name}` });

function successResponse(spec: OperationSpec['responses'][number], headers?: ZodOpenApiResponseObject['headers']): ZodOpenApiResponseObject {
  const content: NonNullable<ZodOpenApiResponseObject['content']> = {};
  if (spec.json) content['application/json'] = { schema: spec.json };
  // OpenAPI 3.1 has no per-event schema (3.2's itemSchema); the schema describes each event's `data:` JSON.
  if (spec.events) content['text/event-stream'] = { schema: spec.events };
  return { description: spec.description, ...(headers ? { headers } : {}), ...(spec.json || spec.events ? { content } : {}) };
}

function pathParams(path: string): z.ZodObject | undefined {
  const names = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
  if (names.length === 0) return undefined;
  return z.object(
    Object.fromEntries(
      names.map((n) => {
        const description = PATH_PARAMS[n];
        if (!description) throw new Error(`path parameter {${n}} has no description in PATH_PARAMS`);
        return [n, z.string().min(1).meta({ description })];
      }),
    ),
  );
}

function security(route: RouteDef, spec: OperationSpec): ZodOpenApiOperationObject['security'] {
  if (route.auth === 'public') return [];
  if (route.auth === 'webhook') return [{ webhookToken: [] }];
  return spec.credentials === 'jwt' ? [{ bearerJwt: [] }] : [{ bearerJwt: [] }, { apiKey: [] }];
}

function operation(route: RouteDef, spec: OperationSpec): ZodOpenApiOperationObject {
  // Function responses to an authenticated caller carry the rate headers; public routes and the
  // gateway's own responses (401) have no principal and carry none.
  const counted = route.auth === 'user' ? RATE_HEADERS : undefined;
  const responses: Record<string, ZodOpenApiResponseObject | { $ref: string }> = {};
  const idempotent = takesIdempotencyKey(route);
  // A replay also carries `Idempotent-Replayed: true` (described with the request header: listed
  // response headers are ones every such response has).
  for (const [status, r] of Object.entries(spec.responses)) responses[status] = successResponse(r, counted);
  const errors: Partial<Record<string, Codes>> = { ...(spec.errors ?? {}) };
  if (idempotent && !errors['409']?.includes('conflict')) errors['409'] = [...(errors['409'] ?? []), 'conflict'] as unknown as Codes;
  const retryAfter = { 'Retry-After': ref('headers', 'Retry-After') };
  for (const [status, codes] of Object.entries(errors)) {
    // An operation's own 429 and 503 codes come on top of the shared ones (rate limit, database), with Retry-After.
    if (status === '429') responses[status] = errorResponse(['rate_limited', ...codes!], { ...RATE_HEADERS, ...retryAfter });
    else if (status === '503') responses[status] = errorResponse(['service_unavailable', ...codes!], retryAfter);
    else responses[status] = errorResponse(codes!, counted);
  }
  if (route.auth !== 'public') responses['401'] = sharedResponse('Unauthorized');
  responses['413'] = sharedResponse('PayloadTooLarge');
  responses['429'] ??= sharedResponse('RateLimited');
  responses['431'] = sharedResponse('HeadersTooLarge');
  responses['500'] = sharedResponse('InternalError');
  // DynamoDB throttled or gone (every function that reaches it), or a buffered request past 25 s (any function).
  responses['503'] ??= sharedResponse('ServiceUnavailable');
  const params = pathParams(route.path);
  return {
    operationId: spec.operationId,
    summary: spec.summary,
    ...(spec.description ? { description: spec.description } : {}),
    tags: [spec.tag],
    security: security(route, spec),
    requestParams: {
      ...(params ? { path: params } : {}),
      ...(spec.query ? { query: spec.query } : {}),
      ...(spec.headers || idempotent ? { header: idempotent ? idempotencyKeyHeader.extend(spec.headers?.shape ?? {}) : spec.headers } : {}),
    },
    ...(spec.body ? { requestBody: { required: true, content: { 'application/json': { schema: spec.body } } } } : {}),
    responses: Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b))),
  };
}

/** Routes of the table without an operation, and operations without a route. */
export function coverageGaps(): { missingOperations: string[]; orphanOperations: string[] } {
  const routes = new Set(ROUTES.map(routeKey));
  return {
    missingOperations: [...routes].filter((k) => !OPERATIONS[k]),
    orphanOperations: Object.keys(OPERATIONS).filter((k) => !routes.has(k)),
  };
}

/** The document, as served at `GET /openapi.json` and committed as docs/openapi.json. */
export function buildOpenApiDocument(): ReturnType<typeof createDocument> {
  const paths: NonNullable<ZodOpenApiObject['paths']> = {};
  for (const route of ROUTES) {
    const spec = OPERATIONS[routeKey(route)];
    if (!spec) throw new Error(`${routeKey(route)} has no operation in infra/openapi/operations.ts`);
    const item = (paths[route.path] ??= {});
    item[route.method.toLowerCase() as 'get' | 'post' | 'patch' | 'delete'] = operation(route, spec);
  }
  return createDocument(
    {
      openapi: '3.1.0',
      info: {
        title: 'ThreadGuard API',
        version: API_VERSION,
        description:
          'A secure multi-tenant chat backend. Every error body is `{"error":{"code","message"}}`, also for API Gateway\'s own responses. ' +
          'See docs/api.md for authentication, WebSocket frames, webhooks, ChatKit, limits and configuration.',
        license: { name: 'UNLICENSED', identifier: 'UNLICENSED' },
      },
      servers: [{ url: 'http://127.0.0.1:3000', description: 'The local stack (`npm start`); deployed, the REST API stage URL.' }],
      tags: [
        { name: 'public', description: 'No credentials.' },
        { name: 'profile', description: 'The caller.' },
        { name: 'threads', description: 'Threads, items and agent replies, scoped to the caller.' },
        { name: 'chatkit', description: 'The ChatKit server protocol over the same stores.' },
        { name: 'tasks', description: 'The TaskManager domain.' },
        { name: 'api-keys', description: 'API key management (user JWTs only).' },
        { name: 'admin', description: 'Support reads and the audit trail (admin role, audited).' },
        { name: 'webhooks', description: 'Server-to-server deliveries with the static webhook token.' },
      ],
      paths,
      components: {
        securitySchemes: SECURITY_SCHEMES,
        headers: HEADERS,
        responses: SHARED_RESPONSES,
      },
    },
    {
      override: ({ jsonSchema, zodSchema }) => {
        // Thread metadata is validated by a custom refinement; describe what it accepts.
        if (zodSchema === metadataSchema) {
          Object.assign(jsonSchema, {
            type: 'object',
            additionalProperties: true,
            description: 'A JSON object of at most 4 KB as JSON, nested at most 16 levels, finite numbers only.',
          });
        }
      },
    },
  );
}
