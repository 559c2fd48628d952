// THE route table: read by the CDK stack and by the local gateway, so the two cannot drift.
import type { TableGrant } from './tenant-access';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** public: no authorizer; user: the REST authorizer (JWT or API key); webhook: the static-token authorizer. */
export type AuthKind = 'public' | 'user' | 'webhook';

/**
 * What a function may do on the main table; the stack grants exactly this and nothing more (no
 * function may Scan: every request path is a key operation, DESIGN.md). Decide from the code under
 * functions/<dir>/: a function that never reaches DynamoDB gets `[]`. `tenant`: it reaches the
 * users it serves only through the tenant data role, assumed per user; the other grants are narrow
 * statements of its own role on cross-user key families. The documents are in infra/tenant-access.ts.
 */
export type TableAccess = readonly TableGrant[];

/**
 * Deployment settings a function may be given as environment variables. Both the CDK stack and the
 * local stack must supply a value for every name (the type makes a missing one a compile error);
 * a function receives only the names its definition lists.
 */
export type Setting =
  | 'TABLE_NAME'
  | 'JWT_ISSUER'
  | 'JWT_AUDIENCE'
  | 'JWKS_URI'
  | 'ROLES_CLAIM'
  | 'CORS_ORIGINS'
  | 'RATE_LIMIT_PER_MINUTE'
  | 'RESPOND_LIMIT_PER_MINUTE'
  | 'WEBHOOK_SOURCES'
  | 'JWKS_MAX_AGE_SECONDS'
  | 'JWT_MAX_LIFETIME_SECONDS'
  | 'WS_MAX_CONNECTIONS_PER_USER'
  | 'AUDIT_SHARDS'
  | 'AUDIT_RETENTION_DAYS'
  | 'ENUMERATION_THRESHOLD'
  | 'ENUMERATION_WINDOW_MINUTES'
  | 'AGENT_DAILY_TOKEN_BUDGET'
  | 'AGENT_MAX_REPLY_TOKENS'
  | 'AGENT_MONTHLY_TOKEN_BUDGET'
  | 'AGENT_PROVIDER'
  | 'AGENT_MODEL'
  | 'AGENT_MAX_OUTPUT_TOKENS'
  | 'KMS_KEY_ID'
  | 'API_KEY_MAX_DAYS'
  | 'THREAD_RETENTION_DAYS';

/**
 * Secrets a function may read. Deployed, the function gets `<NAME>_ARN` and read access to that
 * secret only; locally it gets `<NAME>` holding the value (functions/shared/adapters/secret-source.ts).
 * OPENAI_API_KEY exists only when the agent's provider is OpenAI; otherwise it is left out.
 */
export type SecretName = 'CURSOR_SECRET' | 'WEBHOOK_TOKEN' | 'OPENAI_API_KEY';

export interface FunctionDef {
  /** Folder under functions/ holding handler.ts. */
  readonly dir: string;
  readonly table: TableAccess;
  /** The settings this function reads; it gets these and no others (function-environment.ts). */
  readonly env: readonly Setting[];
  readonly secrets?: readonly SecretName[];
  /**
   * Closes users' WebSocket connections (a sign-out): gets `WS_MANAGEMENT_ENDPOINT`, the WebSocket
   * stage's Management API (known only once that API exists, so not a Setting), and
   * `execute-api:ManageConnections` on it.
   */
  readonly closesWebSockets?: boolean;
  readonly memoryMb?: number;
  /**
   * Seconds, or the deployment's `replyTimeoutSeconds` (a function that runs replies behind no route).
   * @default BUFFERED_TIMEOUT_SECONDS, or the integration timeout of the streaming routes it serves (timeoutSecondsOf).
   */
  readonly timeoutSeconds?: number | 'replyTimeoutSeconds';
}

/** API Gateway gives a REST integration 29 s unless the route says otherwise, then answers 504 itself. */
export const INTEGRATION_TIMEOUT_SECONDS = 29;
/**
 * A buffered function's Lambda timeout is below INTEGRATION_TIMEOUT_SECONDS, and its handler answers
 * its own `503 service_unavailable` 3 s before the Lambda timeout (functions/shared/lambda/http-handler.ts),
 * at 25 s: a slow request gets the API's documented error, never the gateway's.
 */
export const BUFFERED_TIMEOUT_SECONDS = 28;

/**
 * The account export streams past API Gateway's 29 s: a streamed integration may run up to 15
 * minutes (its integration timeout raised to match, `RouteDef.timeoutSeconds`).
 */
export const EXPORT_TIMEOUT_SECONDS = 900;

/** The per-user rate limits and their table: read by every REST function's guard and by the WebSocket function. */
const LIMITS = ['TABLE_NAME', 'RATE_LIMIT_PER_MINUTE', 'RESPOND_LIMIT_PER_MINUTE'] as const satisfies readonly Setting[];
/** The settings every REST function's edge (CORS and the per-user rate-limit guard) reads. */
const EDGE = [...LIMITS, 'CORS_ORIGINS'] as const satisfies readonly Setting[];
/** Functions that write or read audit events read the day list's shard count and the retention (lambda/audit-log.ts). */
const AUDIT = ['AUDIT_SHARDS', 'AUDIT_RETENTION_DAYS', 'ENUMERATION_THRESHOLD', 'ENUMERATION_WINDOW_MINUTES'] as const satisfies readonly Setting[];
const AUDITED = [...EDGE, ...AUDIT] as const satisfies readonly Setting[];
/** Functions that run agent replies (the reply use case) or show the token budget. */
const BUDGET = ['AGENT_DAILY_TOKEN_BUDGET', 'AGENT_MAX_REPLY_TOKENS', 'AGENT_MONTHLY_TOKEN_BUDGET'] as const satisfies readonly Setting[];
/** What the JWT / API-key authorizers read (functions/shared/lambda/authorizer-dependencies.ts). */
const AUTH = ['TABLE_NAME', 'JWT_ISSUER', 'JWT_AUDIENCE', 'JWKS_URI', 'ROLES_CLAIM', 'JWKS_MAX_AGE_SECONDS', 'JWT_MAX_LIFETIME_SECONDS'] as const satisfies readonly Setting[];

/**
 * What a function that runs the agent reads: the provider and model. Such a function also gets the
 * provider's access: the Bedrock model grant or the OpenAI key secret (see `runsModel`).
 */
const AGENT = ['AGENT_PROVIDER', 'AGENT_MODEL', 'AGENT_MAX_OUTPUT_TOKENS'] as const satisfies readonly Setting[];
/**
 * Functions that seal or open user content (stores, remembered POST responses) read the content key
 * and are the only ones the key's policy lets use it (see `sealsContent`).
 */
const CONTENT = ['KMS_KEY_ID'] as const satisfies readonly Setting[];
/** Functions that write threads move each thread's expiry (THREAD_RETENTION_DAYS); `me` shows it. */
const RETENTION = ['THREAD_RETENTION_DAYS'] as const satisfies readonly Setting[];
const REPLY_SECRETS = ['OPENAI_API_KEY'] as const satisfies readonly SecretName[];

/** Every Lambda function of the REST API; authorizers are listed in AUTHORIZERS. */
export const FUNCTIONS = {
  // Public and principal-less: its rate-limit guard never runs, so it never reaches DynamoDB.
  health: { dir: 'health', table: [], env: EDGE },
  openapi: { dir: 'openapi', table: [], env: EDGE }, // serves the bundled docs/openapi.json
  me: { dir: 'me', table: ['tenant', 'keyring', 'auditAppend', 'idempotency', 'idempotencyErase', 'apiKeyLookups', 'connections'], env: [...EDGE, ...BUDGET, ...CONTENT, ...RETENTION], closesWebSockets: true }, // creates the profile on first call
  tools: { dir: 'tools', table: ['tenant'], env: EDGE }, // the tool list is static; only the request is counted
  audit: { dir: 'audit', table: ['tenant', 'auditRead'], env: AUDITED, secrets: ['CURSOR_SECRET'] }, // queries audit events; writes only its rate counter
  threads: { dir: 'threads', table: ['tenant', 'keyring', 'auditAppend', 'idempotency'], env: [...AUDITED, ...CONTENT, ...RETENTION], secrets: ['CURSOR_SECRET'] },
  messages: { dir: 'messages', table: ['tenant', 'keyring', 'auditAppend', 'idempotency', 'usageIndex'], env: [...AUDITED, ...AGENT, ...BUDGET, ...CONTENT, ...RETENTION], secrets: REPLY_SECRETS },
  chatkit: { dir: 'chatkit', table: ['tenant', 'keyring', 'auditAppend', 'idempotency', 'usageIndex'], env: [...AUDITED, ...AGENT, ...BUDGET, ...CONTENT, ...RETENTION], secrets: ['CURSOR_SECRET', ...REPLY_SECRETS] },
  tasks: { dir: 'tasks', table: ['tenant', 'keyring', 'idempotency'], env: [...EDGE, ...CONTENT], secrets: ['CURSOR_SECRET'] },
  // Reads another user's partition only with that user's scoped credentials, after the audited decision.
  // Usage: the day index's shards with its own role (usageRead), a user's days and budget with theirs.
  admin: { dir: 'admin', table: ['tenant', 'keyring', 'auditAppend', 'apiKeyLookups', 'idempotency', 'usageRead'], env: [...AUDITED, ...CONTENT, ...BUDGET], secrets: ['CURSOR_SECRET'] },
  // No content and no remembered POST (a new key is never stored for a replay): no keyring, KMS or idempotency grant.
  apiKeys: { dir: 'api-keys', table: ['tenant', 'auditAppend', 'apiKeyLookups'], env: [...AUDITED, 'API_KEY_MAX_DAYS'] },
  // Streams the whole account (GET /me/export) for up to 15 min, REST response streaming's limit:
  // https://docs.aws.amazon.com/apigateway/latest/developerguide/response-transfer-mode.html
  export: { dir: 'export', table: ['tenant', 'keyring', 'auditAppend', 'auditActorRead'], env: [...AUDITED, ...CONTENT], timeoutSeconds: EXPORT_TIMEOUT_SECONDS, memoryMb: 512 },
  webhook: { dir: 'webhook', table: ['tenant', 'keyring', 'webhookEvents'], env: [...EDGE, 'WEBHOOK_SOURCES', ...CONTENT] }, // creates tasks: seals their titles; dedupes on its own WEBHOOK# records
} as const satisfies Record<string, FunctionDef>;

export type FunctionName = keyof typeof FUNCTIONS;

export const AUTHORIZERS = {
  user: { dir: 'authorizer', table: ['apiKeyAuth'], env: AUTH },
  webhook: { dir: 'webhook-authorizer', table: [], env: [], secrets: ['WEBHOOK_TOKEN'] }, // compares against its secret only
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
  /** Starts a model reply: throttled per method and rate-limited per IP by the WAF (a resume or a cancel does not). */
  readonly startsReply?: boolean;
  /**
   * A streamed route's integration timeout, above API Gateway's default 29 s (streaming allows up to
   * 900): seconds, or the deployment's `replyTimeoutSeconds` (infra/reply-timeout.ts).
   */
  readonly timeoutSeconds?: number | 'replyTimeoutSeconds';
}

export const ROUTES: readonly RouteDef[] = [
  { method: 'GET', path: '/health', fn: 'health', auth: 'public' },
  { method: 'GET', path: '/openapi.json', fn: 'openapi', auth: 'public' },
  { method: 'GET', path: '/me', fn: 'me', auth: 'user' },
  { method: 'POST', path: '/me/sign-out', fn: 'me', auth: 'user' },
  { method: 'DELETE', path: '/me', fn: 'me', auth: 'user' },
  { method: 'GET', path: '/me/usage', fn: 'me', auth: 'user' },
  { method: 'GET', path: '/me/export', fn: 'export', auth: 'user', streaming: true, timeoutSeconds: EXPORT_TIMEOUT_SECONDS },
  { method: 'GET', path: '/tools/available', fn: 'tools', auth: 'user' },
  { method: 'GET', path: '/admin/audit', fn: 'audit', auth: 'user' },
  { method: 'POST', path: '/threads', fn: 'threads', auth: 'user' },
  { method: 'GET', path: '/threads', fn: 'threads', auth: 'user' },
  { method: 'GET', path: '/threads/{threadId}', fn: 'threads', auth: 'user' },
  { method: 'PATCH', path: '/threads/{threadId}', fn: 'threads', auth: 'user' },
  { method: 'DELETE', path: '/threads/{threadId}', fn: 'threads', auth: 'user' },
  { method: 'GET', path: '/threads/{threadId}/items', fn: 'threads', auth: 'user' },
  { method: 'POST', path: '/threads/{threadId}/messages', fn: 'messages', auth: 'user', streaming: true, startsReply: true, timeoutSeconds: 'replyTimeoutSeconds' },
  // A reply's resume and stop: in the reply function (its every route streams, so these do too). A
  // resume follows a running reply to its end, so it may last as long; the cancel answers within
  // seconds, but its integration matches the one timeout its function has.
  { method: 'GET', path: '/threads/{threadId}/items/{itemId}/events', fn: 'messages', auth: 'user', streaming: true, timeoutSeconds: 'replyTimeoutSeconds' },
  { method: 'POST', path: '/threads/{threadId}/items/{itemId}/cancel', fn: 'messages', auth: 'user', streaming: true, timeoutSeconds: 'replyTimeoutSeconds' },
  { method: 'POST', path: '/chatkit', fn: 'chatkit', auth: 'user', streaming: true, startsReply: true, timeoutSeconds: 'replyTimeoutSeconds' },
  { method: 'GET', path: '/tasks', fn: 'tasks', auth: 'user' },
  { method: 'POST', path: '/tasks', fn: 'tasks', auth: 'user' },
  { method: 'PATCH', path: '/tasks/{taskId}', fn: 'tasks', auth: 'user' },
  { method: 'DELETE', path: '/tasks/{taskId}', fn: 'tasks', auth: 'user' },
  { method: 'GET', path: '/admin/users/{userId}/threads', fn: 'admin', auth: 'user' },
  { method: 'GET', path: '/admin/users/{userId}/threads/{threadId}', fn: 'admin', auth: 'user' },
  { method: 'GET', path: '/admin/users/{userId}/threads/{threadId}/items', fn: 'admin', auth: 'user' },
  { method: 'POST', path: '/admin/users/{userId}/api-keys/{id}/disable', fn: 'admin', auth: 'user' },
  { method: 'GET', path: '/admin/usage', fn: 'admin', auth: 'user' },
  { method: 'GET', path: '/admin/users/{userId}/usage', fn: 'admin', auth: 'user' },
  { method: 'PUT', path: '/admin/users/{userId}/budget', fn: 'admin', auth: 'user' },
  { method: 'POST', path: '/api-keys', fn: 'apiKeys', auth: 'user' },
  { method: 'GET', path: '/api-keys', fn: 'apiKeys', auth: 'user' },
  { method: 'PATCH', path: '/api-keys/{id}', fn: 'apiKeys', auth: 'user' },
  { method: 'DELETE', path: '/api-keys/{id}', fn: 'apiKeys', auth: 'user' },
  { method: 'POST', path: '/webhooks/{source}', fn: 'webhook', auth: 'webhook' },
];

/**
 * The WebSocket API: one function for every route, the $connect authorizer reading `?key=`/`?token=`.
 * A route integration has API Gateway's 29 s, so `fn` answers every frame at once: what outlives
 * that (a reply for `sendMessage`, following one for `resume`) it hands to `reply` by an asynchronous
 * invoke, with the function's name in `WS_REPLY_FUNCTION_NAME` and `lambda:InvokeFunction` on that
 * function only (infra/stack.ts); `reply` posts the frames through the Management API.
 */
export const WEBSOCKET = {
  // Stops replies (`cancel`): reads the thread and writes the reply's log, both sealed content.
  fn: { dir: 'websocket', table: ['tenant', 'keyring', 'auditAppend', 'connections'], env: [...LIMITS, ...AUDIT, 'WS_MAX_CONNECTIONS_PER_USER', ...CONTENT] },
  // Invoked only by `fn`; forgets a connection that went away (`connections`). A reply (or a
  // `resume` following one) may run for the reply timeout, as on the REST reply routes.
  reply: {
    dir: 'ws-reply',
    table: ['tenant', 'keyring', 'auditAppend', 'connections', 'usageIndex'],
    env: [...LIMITS, ...AUDIT, ...AGENT, ...BUDGET, ...CONTENT, ...RETENTION],
    secrets: REPLY_SECRETS,
    timeoutSeconds: 'replyTimeoutSeconds',
  },
  // The same code and adapters as the REST authorizer (functions/shared/lambda/authorizer-dependencies.ts), so the same grant.
  authorizer: { dir: 'ws-authorizer', table: ['apiKeyAuth'], env: AUTH },
  /** Route keys besides $connect/$disconnect/$default, selected by `$request.body.action`. */
  routeKeys: ['sendMessage', 'ping', 'resume', 'cancel'],
} as const satisfies { fn: FunctionDef; reply: FunctionDef; authorizer: FunctionDef; routeKeys: readonly string[] };

/**
 * Removes the items of threads DynamoDB's TTL removed (THREAD_RETENTION_DAYS): fed by the table's
 * stream (REMOVE records of `THREAD#` rows made by the TTL service), reaching each user's partition
 * only through the tenant role. Locally the stack's TTL emulation invokes it (infra/local/thread-ttl.ts).
 */
export const THREAD_EXPIRY = { dir: 'thread-expiry', table: ['tenant'], env: ['TABLE_NAME'] } as const satisfies FunctionDef;

/** A function that runs the agent (it reads AGENT_PROVIDER): only these may call the model provider. */
export const runsModel = (def: FunctionDef): boolean => def.env.includes('AGENT_PROVIDER');

/** A function that seals or opens user content (it reads KMS_KEY_ID): only these may use the content key. */
export const sealsContent = (def: FunctionDef): boolean => def.env.includes('KMS_KEY_ID');

/** A route's integration timeout, for the CDK stack and the local gateway alike; `replyTimeoutSeconds` is required for the reply routes. */
export function integrationTimeoutSecondsOf(route: RouteDef, replyTimeoutSeconds: number | undefined): number {
  if (route.timeoutSeconds !== 'replyTimeoutSeconds') return route.timeoutSeconds ?? INTEGRATION_TIMEOUT_SECONDS;
  if (replyTimeoutSeconds === undefined) throw new Error(`${route.method} ${route.path} times out after replyTimeoutSeconds, which was not given`);
  return replyTimeoutSeconds;
}

/**
 * The Lambda timeout of a function, for the CDK stack and the local runtime alike: its own, else the
 * longest integration timeout of the streamed routes it serves, else BUFFERED_TIMEOUT_SECONDS. A
 * streamed function's timeout equals its integration's: shorter would end replies the gateway still
 * carries; longer would keep the function running (billed, holding one of the reply functions'
 * reserved executions) after API Gateway closed its stream, which AWS documents it may do
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/response-transfer-mode.html).
 */
export function timeoutSecondsOf(def: FunctionDef, replyTimeoutSeconds: number | undefined): number {
  if (def.timeoutSeconds === 'replyTimeoutSeconds') {
    if (replyTimeoutSeconds === undefined) throw new Error(`functions/${def.dir} times out after replyTimeoutSeconds, which was not given`);
    return replyTimeoutSeconds;
  }
  if (def.timeoutSeconds !== undefined) return def.timeoutSeconds;
  const streamed = ROUTES.filter((r) => r.streaming && FUNCTIONS[r.fn] === def).map((r) => integrationTimeoutSecondsOf(r, replyTimeoutSeconds));
  return streamed.length > 0 ? Math.max(...streamed) : BUFFERED_TIMEOUT_SECONDS;
}

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
