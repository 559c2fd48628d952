// THE route table: read by the CDK stack and by the local gateway, so the two cannot drift.

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** public: no authorizer; user: the REST authorizer (JWT or API key); webhook: the static-token authorizer. */
export type AuthKind = 'public' | 'user' | 'webhook';

/**
 * What a function may do on the main table; the stack grants exactly this and nothing more (no
 * function may Scan: every request path is a key operation, DESIGN.md). Decide from the code under
 * functions/<dir>/: a function that never reaches DynamoDB gets `none`.
 * - `none`: no DynamoDB permission at all.
 * - `rateLimit`: UpdateItem on the per-user rate counters (`RATE#…`) only: the edge rate-limit
 *   guard every authenticated REST function runs, for a function that touches no other data.
 * - `read`: `rateLimit` plus GetItem/Query.
 * - `readwrite`: GetItem, Query, PutItem, UpdateItem, DeleteItem, BatchWriteItem (transactions
 *   are authorised as their Put/Update/Delete parts).
 * - `apiKeyAuth`: the edge authorizers: GetItem on API key lookup items (`APIKEY#…`), UpdateItem on
 *   those and on the owners' key references (`USER#…`) for `lastUsedAt` (api-key-usage.ts).
 */
export type TableAccess = 'none' | 'rateLimit' | 'read' | 'readwrite' | 'apiKeyAuth';

export interface FunctionDef {
  /** Folder under functions/ holding handler.ts. */
  readonly dir: string;
  readonly table: TableAccess;
  readonly memoryMb?: number;
  readonly timeoutSeconds?: number;
}

/** Every Lambda function of the REST API; authorizers are listed in AUTHORIZERS. */
export const FUNCTIONS = {
  // Public and principal-less: its rate-limit guard never runs, so it never reaches DynamoDB.
  health: { dir: 'health', table: 'none' },
  openapi: { dir: 'openapi', table: 'none' }, // serves the bundled docs/openapi.json
  me: { dir: 'me', table: 'readwrite' }, // creates the profile on first call
  tools: { dir: 'tools', table: 'rateLimit' }, // the tool list is static; only the request is counted
  audit: { dir: 'audit', table: 'read' }, // queries audit events; writes only its rate counter
  threads: { dir: 'threads', table: 'readwrite' },
  messages: { dir: 'messages', table: 'readwrite' },
  chatkit: { dir: 'chatkit', table: 'readwrite' },
  tasks: { dir: 'tasks', table: 'readwrite' },
  admin: { dir: 'admin', table: 'readwrite' }, // reads other partitions, but writes audit events and denial counters
  apiKeys: { dir: 'api-keys', table: 'readwrite' },
  webhook: { dir: 'webhook', table: 'readwrite' },
} as const satisfies Record<string, FunctionDef>;

export type FunctionName = keyof typeof FUNCTIONS;

export const AUTHORIZERS = {
  user: { dir: 'authorizer', table: 'apiKeyAuth' },
  webhook: { dir: 'webhook-authorizer', table: 'none' }, // compares against its secret only
} as const satisfies Record<string, FunctionDef>;

/** Each route's OpenAPI operation is in infra/openapi/operations.ts (a test fails when one is missing). */
export interface RouteDef {
  readonly method: HttpMethod;
  /** API Gateway resource template, e.g. `/threads/{threadId}`. */
  readonly path: string;
  readonly fn: FunctionName;
  readonly auth: AuthKind;
  /** Lambda response streaming (REST `responseTransferMode: STREAM`). */
  readonly streaming?: boolean;
}

export const ROUTES: readonly RouteDef[] = [
  { method: 'GET', path: '/health', fn: 'health', auth: 'public' },
  { method: 'GET', path: '/openapi.json', fn: 'openapi', auth: 'public' },
  { method: 'GET', path: '/me', fn: 'me', auth: 'user' },
  { method: 'GET', path: '/tools/available', fn: 'tools', auth: 'user' },
  { method: 'GET', path: '/admin/audit', fn: 'audit', auth: 'user' },
  { method: 'POST', path: '/threads', fn: 'threads', auth: 'user' },
  { method: 'GET', path: '/threads', fn: 'threads', auth: 'user' },
  { method: 'GET', path: '/threads/{threadId}', fn: 'threads', auth: 'user' },
  { method: 'PATCH', path: '/threads/{threadId}', fn: 'threads', auth: 'user' },
  { method: 'DELETE', path: '/threads/{threadId}', fn: 'threads', auth: 'user' },
  { method: 'GET', path: '/threads/{threadId}/items', fn: 'threads', auth: 'user' },
  { method: 'POST', path: '/threads/{threadId}/messages', fn: 'messages', auth: 'user', streaming: true },
  { method: 'POST', path: '/chatkit', fn: 'chatkit', auth: 'user', streaming: true },
  { method: 'GET', path: '/tasks', fn: 'tasks', auth: 'user' },
  { method: 'POST', path: '/tasks', fn: 'tasks', auth: 'user' },
  { method: 'PATCH', path: '/tasks/{taskId}', fn: 'tasks', auth: 'user' },
  { method: 'DELETE', path: '/tasks/{taskId}', fn: 'tasks', auth: 'user' },
  { method: 'GET', path: '/admin/users/{userId}/threads', fn: 'admin', auth: 'user' },
  { method: 'GET', path: '/admin/users/{userId}/threads/{threadId}', fn: 'admin', auth: 'user' },
  { method: 'GET', path: '/admin/users/{userId}/threads/{threadId}/items', fn: 'admin', auth: 'user' },
  { method: 'POST', path: '/api-keys', fn: 'apiKeys', auth: 'user' },
  { method: 'GET', path: '/api-keys', fn: 'apiKeys', auth: 'user' },
  { method: 'PATCH', path: '/api-keys/{id}', fn: 'apiKeys', auth: 'user' },
  { method: 'DELETE', path: '/api-keys/{id}', fn: 'apiKeys', auth: 'user' },
  { method: 'POST', path: '/webhooks/{source}', fn: 'webhook', auth: 'webhook' },
];

/** The WebSocket API: one function for every route, the $connect authorizer reading `?key=`/`?token=`. */
export const WEBSOCKET = {
  fn: { dir: 'websocket', table: 'readwrite' },
  // The same code and adapters as the REST authorizer (functions/authorizer/dependencies.ts), so the same grant.
  authorizer: { dir: 'ws-authorizer', table: 'apiKeyAuth' },
  /** Route keys besides $connect/$disconnect/$default, selected by `$request.body.action`. */
  routeKeys: ['sendMessage', 'ping'],
} as const satisfies { fn: FunctionDef; authorizer: FunctionDef; routeKeys: readonly string[] };

/** Bundling shared by CDK and the benchmark, so measured bundles are the deployed ones. */
export const BUNDLING = {
  format: 'esm',
  target: 'node22', // runs on nodejs24.x; node22 syntax also loads on the Node 20+ the benchmark uses
  platform: 'node',
  minify: true,
  keepNames: true,
  sourcemap: false,
  /** Provided by the Lambda Node.js runtime; keeping it out keeps bundles small. */
  external: ['@aws-sdk/*'],
  /** Some CommonJS dependencies call require(); ESM output needs it defined. */
  banner: "import { createRequire as __cr } from 'module'; const require = __cr(import.meta.url);",
} as const;
