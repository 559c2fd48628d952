// THE route table: read by the CDK stack and by the local gateway, so the two cannot drift.

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** public: no authorizer; user: the REST authorizer (JWT or API key); webhook: the static-token authorizer. */
export type AuthKind = 'public' | 'user' | 'webhook';

export interface FunctionDef {
  /** Folder under functions/ holding handler.ts. */
  readonly dir: string;
  readonly memoryMb?: number;
  readonly timeoutSeconds?: number;
}

/** Every Lambda function of the REST API; authorizers are listed in AUTHORIZERS. */
export const FUNCTIONS = {
  health: { dir: 'health' },
  me: { dir: 'me' },
  tools: { dir: 'tools' },
  audit: { dir: 'audit' },
  threads: { dir: 'threads' },
  messages: { dir: 'messages' },
  chatkit: { dir: 'chatkit' },
  tasks: { dir: 'tasks' },
  admin: { dir: 'admin' },
  apiKeys: { dir: 'api-keys' },
  webhook: { dir: 'webhook' },
} as const satisfies Record<string, FunctionDef>;

export type FunctionName = keyof typeof FUNCTIONS;

export const AUTHORIZERS = {
  user: { dir: 'authorizer' },
  webhook: { dir: 'webhook-authorizer' },
} as const satisfies Record<string, FunctionDef>;

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
  fn: { dir: 'websocket' },
  authorizer: { dir: 'ws-authorizer' },
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
