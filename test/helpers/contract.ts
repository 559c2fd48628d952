// Contract checks: a response from a local stack is validated against docs/openapi.json (Ajv, JSON
// Schema 2020-12), keyed by route template, method, status and media type. Used by the integration
// setup (test/integration/contract-setup.ts), which routes every fetch and SSE read through here.
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import openapi from '../../docs/openapi.json';
import { isLocalStack } from './stack-process';

type Schema = Record<string, unknown>;
interface MediaType {
  schema: Schema;
}
interface Response {
  $ref?: string;
  content?: Record<string, MediaType>;
  headers?: Record<string, { $ref?: string; schema?: Schema }>;
}
interface Doc {
  paths: Record<string, Record<string, { responses: Record<string, Response> }>>;
  components: { schemas: Record<string, Schema>; responses: Record<string, Response>; headers: Record<string, { schema: Schema }> };
}

const ROOT = 'urn:threadguard:openapi';
// The document's component refs, pointed at one 2020-12 schema that holds them as $defs.
const doc = JSON.parse(JSON.stringify(openapi).replaceAll('"#/components/schemas/', `"${ROOT}#/$defs/`)) as Doc;

const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats(ajv);
ajv.addKeyword('example'); // OpenAPI's annotation, not a JSON Schema keyword
ajv.addSchema({ $id: ROOT, $defs: doc.components.schemas });

interface Route {
  readonly template: string;
  readonly pattern: RegExp;
  readonly params: number;
}
const ROUTES: readonly Route[] = Object.keys(doc.paths)
  .map((template) => ({
    template,
    // API Gateway matches a resource with or without a trailing slash.
    pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+').replace(/\./g, '\\.')}/?$`),
    params: (template.match(/\{/g) ?? []).length,
  }))
  // A literal segment wins over a parameter, as in API Gateway.
  .sort((a, b) => a.params - b.params);

const compiled = new Map<string, ValidateFunction>();
function validatorFor(key: string, schema: Schema): ValidateFunction {
  let v = compiled.get(key);
  if (!v) {
    v = ajv.compile(schema);
    compiled.set(key, v);
  }
  return v;
}

const resolve = (r: Response): Response => (r.$ref ? doc.components.responses[r.$ref.split('/').pop()!]! : r);

export interface ObservedResponse {
  readonly method: string;
  readonly url: string;
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
}

/** `null` when the response was checked and matches; otherwise why it does not. */
export type Verdict = { readonly checked: true; readonly problem: string | null } | { readonly checked: false; readonly reason: string };

const mediaTypeOf = (headers: Headers) => (headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();

/** The parsed `data:` payloads of a server-sent event body. */
export const sseEvents = (body: string): any[] =>
  body
    .split('\n\n')
    .map((block) => block.split('\n').find((l) => l.startsWith('data: ')))
    .filter((l): l is string => l !== undefined)
    .map((l) => JSON.parse(l.slice('data: '.length)));

export function checkResponse(res: ObservedResponse): Verdict {
  const method = res.method.toLowerCase();
  // CORS preflights are API Gateway's mock integration, not an operation of the API.
  if (method === 'options') return { checked: false, reason: 'preflight' };
  const { pathname } = new URL(res.url);
  const route = ROUTES.find((r) => r.pattern.test(pathname) && doc.paths[r.template]![method]);
  const where = `${res.method} ${pathname} -> ${res.status}`;
  if (!route) {
    // Not an operation: API Gateway's own answer for an unknown route or method, in the error shape.
    const body = safeJson(res.body);
    const ok = res.status === 404 && validatorFor('unknown-route', ERROR_SHAPE)(body);
    return { checked: true, problem: ok ? null : `${where}: no operation in docs/openapi.json, and not the 404 error body` };
  }
  const op = doc.paths[route.template]![method]!;
  const documented = op.responses[String(res.status)];
  const key = `${method} ${route.template} ${res.status}`;
  if (!documented) return { checked: true, problem: `${where}: status ${res.status} is not documented for ${method.toUpperCase()} ${route.template}` };
  const response = resolve(documented);
  const headerProblem = checkHeaders(response, res.status, res.headers);
  if (headerProblem) return { checked: true, problem: `${where}: ${headerProblem}` };
  const contentTypes = Object.keys(response.content ?? {});
  if (contentTypes.length === 0) {
    return { checked: true, problem: res.body === '' ? null : `${where}: documented without a body, got ${res.body.length} bytes` };
  }
  const mediaType = mediaTypeOf(res.headers);
  const media = response.content?.[mediaType];
  if (!media) return { checked: true, problem: `${where}: content type ${mediaType || '(none)'} is not one of ${contentTypes.join(', ')}` };
  const validate = validatorFor(`${key} ${mediaType}`, media.schema);
  if (mediaType === 'text/event-stream') {
    for (const event of sseEvents(res.body)) {
      if (!validate(event)) return { checked: true, problem: `${where}: event ${JSON.stringify(event).slice(0, 200)}: ${ajv.errorsText(validate.errors)}` };
    }
    return { checked: true, problem: null };
  }
  const body = safeJson(res.body);
  if (body === undefined) return { checked: true, problem: `${where}: body is not JSON` };
  return { checked: true, problem: validate(body) ? null : `${where}: ${ajv.errorsText(validate.errors)}` };
}

const ERROR_SHAPE: Schema = {
  type: 'object',
  required: ['error'],
  properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { const: 'not_found' }, message: { type: 'string' } } } },
};

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Documented headers, when present, must match their schema; a success must carry all of them. */
function checkHeaders(response: Response, status: number, headers: Headers): string | null {
  for (const [name, h] of Object.entries(response.headers ?? {})) {
    const schema = h.$ref ? doc.components.headers[h.$ref.split('/').pop()!]!.schema : h.schema!;
    const value = headers.get(name);
    if (value === null) {
      if (status < 400) return `missing header ${name}`;
      continue;
    }
    const typed = schema.type === 'integer' && /^\d+$/.test(value) ? Number(value) : value;
    const validate = validatorFor(`header ${name}`, schema);
    if (!validate(typed)) return `header ${name}: ${value} does not match its schema`;
  }
  return null;
}

// ---- the run's record (one per test file: vitest isolates files) ----

const problems: string[] = [];
let validated = 0;
const skipped: Record<string, number> = {};

/** Checks and records a response, when it came from a local stack of this run. */
export function observeResponse(res: ObservedResponse): void {
  if (!isLocalStack(res.url)) return;
  const verdict = checkResponse(res);
  if (!verdict.checked) noteSkipped(verdict.reason);
  else {
    validated += 1;
    if (verdict.problem) problems.push(verdict.problem);
  }
}

export const noteSkipped = (reason: string): void => void (skipped[reason] = (skipped[reason] ?? 0) + 1);

/** Mismatches since the last call. */
export const takeProblems = (): string[] => problems.splice(0);

export const contractCounts = () => ({ validated, skipped: { ...skipped } });
