// THE operation registry: one entry per route of infra/routes.ts, keyed `METHOD /path` exactly as
// there. A route without an entry (or an entry without a route) fails test/unit/openapi. To document
// a new route: add its entry here, then `npm run openapi` (rewrites docs/openapi.json and the typed
// client). Request schemas are the functions' own validation schemas; response schemas live in
// ./schemas.ts. What every route of an auth kind answers (401, 413, 429, 500, rate-limit headers)
// is added by ./document.ts, so an entry lists only what is particular to it.
import { z } from 'zod';
import { CreateBody, PatchBody } from '../../functions/api-keys/controller';
import { AuditQuery } from '../../functions/audit/controller';
import { ChatKitRequest } from '../../functions/chatkit/protocol';
import { signOutBodySchema } from '../../functions/me/controller';
import { adminUsageQuerySchema, budgetBodySchema, usageDaysQuerySchema } from '../../functions/shared/core/usage';
import { TaskEvent } from '../../functions/webhook/sources';
import {
  createTaskSchema,
  itemsQuerySchema,
  replyEventsQuerySchema,
  messageBodySchema,
  pageQuerySchema,
  tasksQuerySchema,
  threadBodySchema,
  updateTaskSchema,
} from '../../functions/shared/lambda/validation';
import * as S from './schemas';

/** Every `code` an error body can carry. */
export const ERROR_CODES = {
  bad_request: 'Malformed JSON, failed validation (including `limit` outside 1..100), a bad or tampered cursor.',
  unauthorized: 'Missing, malformed, expired or unverifiable credentials; a disabled, revoked or expired API key.',
  forbidden:
    'The thread, task or API key is not in the caller\'s partition (never existed or someone else\'s: one identical body for both); an API key on `/api-keys`; ' +
    'a request outside an API key\'s scopes (`This API key lacks the <scope> scope`, decided before any lookup).',
  read_only: 'A guest or a read-only API key attempted a write.',
  admin_only: 'A caller without the admin role (or with an API key) on an `/admin` route.',
  not_found: 'Unknown route, an unknown webhook source, or an item that is not a reply of the thread (or whose reply log has expired), or a ChatKit retry of an item that is not a user message of the thread.',
  conflict:
    'The write conflicts with stored state (API key limit, a webhook delivery still being processed, cancelling a reply that already finished), or an `Idempotency-Key` was reused with another body or while its first request is still running.',
  payload_too_large: 'Body over the limit: 64 KB on every route, 256 KB on webhooks.',
  rate_limited: 'Over a per-user rate limit (`Retry-After` says when to retry) or the stage throttle.',
  budget_exceeded:
    'The caller\'s daily model-token budget is used up (`Retry-After`: seconds to the next UTC midnight), or the monthly cap (`Retry-After`: seconds to the next UTC month).',
  service_unavailable:
    'DynamoDB throttled or could not be reached after the SDK\'s retries, or a buffered request still ran after 25 s (`Retry-After` says when to retry). Nothing was stored half-way.',
  provider_unavailable: 'The model provider failed, throttled or timed out before anything streamed (`Retry-After` says when to retry).',
  internal: 'Anything else. Never a stack trace, never a token.',
} as const;
export type ErrorCode = keyof typeof ERROR_CODES;
export type Codes = readonly [ErrorCode, ...ErrorCode[]];

export interface SuccessResponse {
  readonly description: string;
  /** `application/json` body; none for 204. */
  readonly json?: z.ZodType;
  /** `text/event-stream`: the schema of each event's `data:` JSON. */
  readonly events?: z.ZodType;
}

export interface OperationSpec {
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly tag: string;
  /** `jwt`: only a user JWT gets through (an API key is refused with 403). Default: what the route's auth kind accepts. */
  readonly credentials?: 'jwt';
  readonly query?: z.ZodObject;
  readonly headers?: z.ZodObject;
  readonly body?: z.ZodType;
  readonly responses: Readonly<Record<number, SuccessResponse>>;
  /** Statuses particular to this operation; 401, 413, 429, 431, 500 and 503 are added by document.ts (an operation's own 429 and 503 codes join the shared ones). */
  readonly errors?: Readonly<Partial<Record<400 | 403 | 404 | 409 | 429 | 503, Codes>>>;
}

/** Descriptions of path parameters, by name; every `{name}` in a route path must be here. */
export const PATH_PARAMS: Readonly<Record<string, string>> = {
  threadId: 'A thread id (opaque).',
  taskId: 'A task id (opaque).',
  userId: 'A ThreadGuard user id, as `GET /me` shows it.',
  id: 'An API key id (not the key).',
  itemId: 'An item id; for a reply, the assistant message\'s id (in its first `item.added` event).',
  source: 'A configured webhook source (`WEBHOOK_SOURCES`, default `chainhook`, `dao`, `tasks`).',
};

const pageContextHeader = z.object({
  'X-Page-Context': z
    .string()
    .optional()
    .meta({ description: 'Optional JSON object (at most 2 KB) with `page`, `title`, `taskId`: UX context for the agent, never used for authorization; ignored when malformed.' }),
});

export const OPERATIONS: Readonly<Record<string, OperationSpec>> = {
  'GET /health': {
    operationId: 'getHealth',
    summary: 'Liveness probe',
    tag: 'public',
    responses: { 200: { description: 'The API is up.', json: S.Health } },
  },
  'GET /openapi.json': {
    operationId: 'getOpenApiDocument',
    summary: 'This OpenAPI 3.1 document',
    description: 'Generated from the schemas the functions validate with. Cacheable (`Cache-Control: public, max-age=300`).',
    tag: 'public',
    responses: { 200: { description: 'The document.', json: z.record(z.string(), z.unknown()).meta({ description: 'An OpenAPI 3.1 document.' }) } },
  },
  'GET /me': {
    operationId: 'getMe',
    summary: 'The caller\'s profile (created on the first authenticated request)',
    tag: 'profile',
    responses: { 200: { description: 'The profile.', json: S.Profile } },
  },
  'GET /me/usage': {
    operationId: 'getMyUsage',
    summary: 'The caller\'s usage per UTC day and the budget in force',
    description:
      'The last `days` UTC days (1..90, default 30), newest first, days without activity as zeros: requests, replies, model calls, input and output tokens, tool calls. Counts only, never content; kept 92 days.',
    tag: 'profile',
    query: usageDaysQuerySchema,
    responses: { 200: { description: 'Days and budget.', json: S.UsageReportSchema } },
    errors: { 400: ['bad_request'] },
  },
  'POST /me/sign-out': {
    operationId: 'signOut',
    summary: 'Sign out everywhere: end every token of the caller issued up to now',
    description:
      'Tokens of this user issued at or before this second (`iat`, compared in whole seconds) get 401 within 5 s on every instance; the user\'s open WebSocket connections are closed at once. ' +
      'API keys keep working unless `revokeKeysCreatedBefore` is true: then every key created up to this second (by the sessions this sign-out ends) is revoked. ' +
      'The answer lists the keys left. Always runs: an `Idempotency-Key` is ignored. After a token was stolen: sign out with `revokeKeysCreatedBefore`, check `remainingKeys`, sign in again.',
    tag: 'profile',
    credentials: 'jwt',
    body: signOutBodySchema,
    responses: { 200: { description: 'Signed out.', json: S.SignOutResultSchema } },
    errors: { 400: ['bad_request'], 403: ['forbidden'] },
  },
  'DELETE /me': {
    operationId: 'deleteAccount',
    summary: "Delete the caller's account and everything in it",
    description:
      "Body `{\"confirm\": \"<your user id>\"}` (the `userId` of `GET /me`). The account's content key is destroyed first (every copy of its content, backups included, becomes unreadable), then every token issued up to now stops working (401 within 5 s; open WebSocket connections are closed at once), then threads, items, tasks, API keys, counters, connection records and remembered `Idempotency-Key` responses are removed, for up to 15 s per request: `status` says whether all are gone (`deleted`) or some remain (`deleting`: repeat the request with a token issued now; it goes on where it stopped). Idempotent, also after a failure midway. An `account.deleted` audit event remains. Signing in again afterwards starts an empty account. Only with a user token: an API key gets 403.",
    tag: 'profile',
    credentials: 'jwt',
    body: S.DeleteAccountBody,
    responses: { 202: { description: 'Deleted.', json: S.AccountDeleted } },
    errors: { 400: ['bad_request'], 403: ['forbidden'] },
  },
  'GET /me/export': {
    operationId: 'exportAccount',
    summary: "Export everything the caller's account holds",
    description:
      'One JSON document: the profile, every thread with all its items (content decrypted), every task, API-key metadata (never a key or its hash) and the caller\'s audit events of the last 90 days. ' +
      'Streamed as it is read (Lambda response streaming), so any account size answers in bounded memory; the transfer may take up to 15 minutes. The status and headers come first: a failure after them leaves the document unclosed, without its final `"complete": true` (export again). ' +
      'Any credential may export its own account (guests and read-only keys too); another user\'s data is never included. Audited (`account.export`) and counted in the per-user request limit.',
    tag: 'profile',
    responses: { 200: { description: 'The export (`Content-Disposition: attachment`).', json: S.AccountExport } },
  },
  'GET /tools/available': {
    operationId: 'listTools',
    summary: 'The agent tools this principal may use',
    tag: 'profile',
    responses: { 200: { description: 'The tools.', json: S.ToolList } },
  },
  'GET /admin/audit': {
    operationId: 'listAuditEvents',
    summary: 'The audit trail, newest first (admins with a JWT only)',
    description: 'Without `userId`, events of the retention period (`AUDIT_RETENTION_DAYS`) only. The cursor is bound to the admin and the filter.',
    tag: 'admin',
    credentials: 'jwt',
    query: AuditQuery,
    responses: { 200: { description: 'A page of events.', json: S.AuditPage } },
    errors: { 400: ['bad_request'], 403: ['admin_only'] },
  },
  'POST /threads': {
    operationId: 'createThread',
    summary: 'Create a thread',
    description: 'A missing or blank title becomes `New thread`; titles are trimmed, at most 200 characters.',
    tag: 'threads',
    body: threadBodySchema,
    responses: { 201: { description: 'The new thread.', json: S.ThreadSchema } },
    errors: { 400: ['bad_request'], 403: ['forbidden', 'read_only'] },
  },
  'GET /threads': {
    operationId: 'listThreads',
    summary: 'The caller\'s threads, newest first',
    tag: 'threads',
    query: pageQuerySchema,
    responses: { 200: { description: 'A page of threads.', json: S.ThreadPage } },
    errors: { 400: ['bad_request'], 403: ['forbidden'] },
  },
  'GET /threads/{threadId}': {
    operationId: 'getThread',
    summary: 'One thread',
    tag: 'threads',
    responses: { 200: { description: 'The thread.', json: S.ThreadSchema } },
    errors: { 403: ['forbidden'] },
  },
  'PATCH /threads/{threadId}': {
    operationId: 'updateThread',
    summary: 'Rename a thread or replace its metadata',
    description: 'A blank title leaves the title as it is; `metadata` is replaced as a whole.',
    tag: 'threads',
    body: threadBodySchema,
    responses: { 200: { description: 'The updated thread.', json: S.ThreadSchema } },
    errors: { 400: ['bad_request'], 403: ['forbidden', 'read_only'] },
  },
  'DELETE /threads/{threadId}': {
    operationId: 'deleteThread',
    summary: 'Delete a thread and all its items',
    tag: 'threads',
    responses: { 204: { description: 'Gone (also completes an interrupted delete).' } },
    errors: { 403: ['forbidden', 'read_only'] },
  },
  'GET /threads/{threadId}/items': {
    operationId: 'listItems',
    summary: 'A thread\'s items (default order `asc`)',
    tag: 'threads',
    query: itemsQuerySchema,
    responses: { 200: { description: 'A page of items.', json: S.ItemPage } },
    errors: { 400: ['bad_request'], 403: ['forbidden'] },
  },
  'POST /threads/{threadId}/messages': {
    operationId: 'postMessage',
    summary: 'Post a message; the TaskManager agent replies',
    description:
      'Counts in both rate-limit buckets (`requests` and `respond`); the headers describe the tighter one. ' +
      'Content is trimmed, then 1 byte to 16 KB. Validation, limits, the daily token budget, authorization, the thread\'s 403 ' +
      'and a provider failure before the first model output all happen before a stream opens, so a refusal is a JSON error. ' +
      'With `Accept: text/event-stream` the reply streams as server-sent events (200); otherwise 201 with the stored exchange. ' +
      'A replay (`Idempotency-Key`) is the stored exchange again in the retry\'s own framing: 201 JSON, or the same events with the whole reply as one `text.delta`. ' +
      'A reply runs to its end and is stored even when the client goes away: resume it with `GET /threads/{threadId}/items/{itemId}/events`, stop it with `POST …/cancel`. ' +
      'A JSON answer waits at most 25 s for the reply (as API Gateway\'s buffered limit would allow); a longer reply answers 202 with the reply still running ' +
      '(`Location`: its events route) and is stored when it ends.',
    tag: 'threads',
    headers: pageContextHeader,
    body: messageBodySchema,
    responses: {
      200: { description: 'With `Accept: text/event-stream`: the reply as it is produced, each event numbered (`id:`).', events: S.MessageStreamEvent },
      201: { description: 'The stored message and reply.', json: S.Exchange },
      202: { description: 'JSON, the reply still running after 25 s: the message, and the reply as it opened (`status: running`); follow it at `Location`.', json: S.Exchange },
    },
    errors: { 400: ['bad_request'], 403: ['forbidden', 'read_only'], 429: ['budget_exceeded'], 503: ['provider_unavailable'] },
  },
  'GET /threads/{threadId}/items/{itemId}/events': {
    operationId: 'replyEvents',
    summary: 'Resume a reply: its events after the last one seen, then live until it ends',
    description:
      'With `Accept: text/event-stream`: the reply\'s events after `Last-Event-ID` (or `?after=n`; neither: from the first), each with its `id:`, ' +
      'then the rest as the reply makes them, then the stream closes. A finished reply replays and closes at once; a failed one ends with its `error` event. ' +
      'Without it: the reply\'s status and last event id. A reply can be resumed for at least 10 minutes after it ends. ' +
      'A thread that is not the caller\'s is the usual 403; an item that is not a reply of this thread is 404.',
    tag: 'threads',
    query: replyEventsQuerySchema,
    headers: z.object({
      'Last-Event-ID': z.string().optional().meta({ description: 'The id of the last event received (what a browser\'s EventSource sends when it reconnects); wins over `?after`.' }),
    }),
    responses: {
      200: { description: 'The events (server-sent events), or the reply\'s progress (JSON).', json: S.ReplyProgress, events: S.MessageStreamEvent },
    },
    errors: { 400: ['bad_request'], 403: ['forbidden'], 404: ['not_found'] },
  },
  'POST /threads/{threadId}/items/{itemId}/cancel': {
    operationId: 'cancelReply',
    summary: 'Stop a running reply, wherever it runs',
    description:
      'The model call is aborted and no further tool runs; every live or resumed stream of the reply ends with `item.done` whose item has `status: cancelled`, ' +
      'and the thread keeps the message and the text said so far, marked cancelled. Tokens are charged for what the model produced. ' +
      'Answers once the reply has stopped (within about a second), or `running` if it has not yet after 5 s (it still stops). ' +
      'A repeated cancel answers the same; a reply that already finished is 409. Needs the right to post messages (not a guest or read-only key).',
    tag: 'threads',
    responses: { 200: { description: 'The reply\'s progress: `cancelled` (or still `running`).', json: S.ReplyProgress } },
    errors: { 403: ['forbidden', 'read_only'], 404: ['not_found'], 409: ['conflict'] },
  },
  'POST /chatkit': {
    operationId: 'chatkit',
    summary: 'The ChatKit server protocol (one endpoint)',
    description:
      'Served types: `threads.create`, `threads.add_user_message` and `threads.retry_after_item` (server-sent events), `threads.get_by_id`, `threads.list`, ' +
      '`threads.update`, `threads.delete`, `items.list`, `items.feedback` (JSON). Read-only principals may send the read types only. ' +
      'Streaming types go through the same reply pipeline as message posts (both rate buckets, the daily token budget, ' +
      '`X-Page-Context`), checked before anything is stored. Every stream allows a cancel (`stream_options.allow_cancel: true`): ' +
      'a client that closes the stream before the reply ends stops the reply, which keeps what was said (marked cancelled on the REST routes). ' +
      '`threads.retry_after_item` answers a user message of the thread again: every later item is replaced by the new reply when it is stored ' +
      '(at most 50; an `item_id` that is not a user message of the thread is 404). `Idempotency-Key` applies to the types that change something: ' +
      'a replayed streaming type is its stored exchange streamed again (the whole reply as one delta), a replayed update, delete or ' +
      'feedback its first answer; the read types ignore the header.',
    tag: 'chatkit',
    headers: pageContextHeader,
    body: ChatKitRequest,
    responses: {
      200: { description: 'JSON for the read and update types; server-sent events for the streaming types.', json: S.ChatKitJsonResponse, events: S.ChatKitStreamEvent },
    },
    errors: { 400: ['bad_request'], 403: ['forbidden', 'read_only'], 404: ['not_found'], 429: ['budget_exceeded'], 503: ['provider_unavailable'] },
  },
  'GET /tasks': {
    operationId: 'listTasks',
    summary: 'The caller\'s tasks in creation order, a page at a time',
    description: 'The cursor is bound to the caller and the `status` filter.',
    tag: 'tasks',
    query: tasksQuerySchema,
    responses: { 200: { description: 'A page of tasks.', json: S.TaskPage } },
    errors: { 400: ['bad_request'], 403: ['forbidden'] },
  },
  'POST /tasks': {
    operationId: 'createTask',
    summary: 'Create a task',
    description: 'At most 1,000 tasks per user: the next create is `409 conflict` until one is deleted.',
    tag: 'tasks',
    body: createTaskSchema,
    responses: { 201: { description: 'The new task.', json: S.TaskSchema } },
    errors: { 400: ['bad_request'], 403: ['forbidden', 'read_only'], 409: ['conflict'] },
  },
  'PATCH /tasks/{taskId}': {
    operationId: 'updateTask',
    summary: 'Change a task',
    tag: 'tasks',
    body: updateTaskSchema,
    responses: { 200: { description: 'The updated task.', json: S.TaskSchema } },
    errors: { 400: ['bad_request'], 403: ['forbidden', 'read_only'] },
  },
  'DELETE /tasks/{taskId}': {
    operationId: 'deleteTask',
    summary: 'Delete a task',
    tag: 'tasks',
    responses: { 204: { description: 'Gone.' } },
    errors: { 403: ['forbidden', 'read_only'] },
  },
  'GET /admin/users/{userId}/threads': {
    operationId: 'adminListThreads',
    summary: 'Support read: a user\'s threads (admin; audited)',
    tag: 'admin',
    query: pageQuerySchema,
    responses: { 200: { description: 'A page of that user\'s threads.', json: S.ThreadPage } },
    errors: { 400: ['bad_request'], 403: ['admin_only'] },
  },
  'GET /admin/users/{userId}/threads/{threadId}': {
    operationId: 'adminGetThread',
    summary: 'Support read: one of a user\'s threads (admin; audited)',
    tag: 'admin',
    responses: { 200: { description: 'The thread.', json: S.ThreadSchema } },
    errors: { 403: ['forbidden', 'admin_only'] },
  },
  'POST /admin/users/{userId}/api-keys/{id}/disable': {
    operationId: 'adminDisableApiKey',
    summary: 'Disable any user\'s API key (admins with a JWT only; audited as admin.apikey.disable)',
    tag: 'admin',
    credentials: 'jwt',
    responses: { 200: { description: 'The key record, now disabled.', json: S.ApiKeySchema } },
    errors: { 400: ['bad_request'], 403: ['forbidden', 'admin_only'] },
  },
  'GET /admin/usage': {
    operationId: 'adminUsageRanking',
    summary: 'Users ranked by a day\'s tokens (admins with a JWT only; audited as admin.usage.read)',
    description: 'Read from a day index sharded by user (no single hot key). The cursor is bound to the admin and the day.',
    tag: 'admin',
    credentials: 'jwt',
    query: adminUsageQuerySchema,
    responses: { 200: { description: 'A page of the ranking.', json: S.UsageRanking } },
    errors: { 400: ['bad_request'], 403: ['admin_only'] },
  },
  'GET /admin/users/{userId}/usage': {
    operationId: 'adminUserUsage',
    summary: 'One user\'s usage per day and budget (admins with a JWT only; audited as admin.usage.read)',
    tag: 'admin',
    credentials: 'jwt',
    query: usageDaysQuerySchema,
    responses: { 200: { description: 'The user\'s days and budget.', json: S.UserUsageReport } },
    errors: { 400: ['bad_request'], 403: ['admin_only'] },
  },
  'PUT /admin/users/{userId}/budget': {
    operationId: 'adminSetBudget',
    summary: 'Set a user\'s token budget (admins with a JWT only; audited as admin.budget.set with the values)',
    description:
      '`dailyTokens` replaces `AGENT_DAILY_TOKEN_BUDGET` for this user, `monthlyTokens` sets a monthly cap (default `AGENT_MONTHLY_TOKEN_BUDGET`, unset: none); ' +
      'each a whole number 0..10^12, or null (or left out) for the default. Takes effect on the user\'s next reply. An unknown user id is accepted: the override applies when they first appear.',
    tag: 'admin',
    credentials: 'jwt',
    body: budgetBodySchema,
    responses: { 200: { description: 'The override and the budget now in force.', json: S.BudgetSet } },
    errors: { 400: ['bad_request'], 403: ['admin_only'] },
  },
  'GET /admin/users/{userId}/threads/{threadId}/items': {
    operationId: 'adminListItems',
    summary: 'Support read: a user\'s thread items (admin; audited)',
    tag: 'admin',
    query: itemsQuerySchema,
    responses: { 200: { description: 'A page of items.', json: S.ItemPage } },
    errors: { 400: ['bad_request'], 403: ['forbidden', 'admin_only'] },
  },
  'POST /api-keys': {
    operationId: 'createApiKey',
    summary: 'Issue an API key (shown once)',
    description:
      'At most 25 live keys per user; unknown body fields are a 400. `expiresInDays` (1..365) sets when the key stops working; ' +
      'without it the key never expires, unless the deployment sets `API_KEY_MAX_DAYS`: then it expires after that many days, and a longer ' +
      '`expiresInDays` is a 400. `scopes` limits what the key may do (omitted: every scope; `readOnly: true`: `threads:read` and ' +
      '`tasks:read`, and a write scope with it is a 400).',
    tag: 'api-keys',
    credentials: 'jwt',
    body: CreateBody,
    responses: { 201: { description: 'The key, with its text this once.', json: S.IssuedApiKeySchema } },
    errors: { 400: ['bad_request'], 403: ['forbidden', 'read_only'], 409: ['conflict'] },
  },
  'GET /api-keys': {
    operationId: 'listApiKeys',
    summary: 'The caller\'s API keys, newest first (never the key text)',
    tag: 'api-keys',
    credentials: 'jwt',
    responses: { 200: { description: 'The keys.', json: S.ApiKeyList } },
    errors: { 403: ['forbidden', 'read_only'] },
  },
  'PATCH /api-keys/{id}': {
    operationId: 'setApiKeyEnabled',
    summary: 'Disable or re-enable an API key (effective on the next request; guests may only disable)',
    tag: 'api-keys',
    credentials: 'jwt',
    body: PatchBody,
    responses: { 200: { description: 'The key record.', json: S.ApiKeySchema } },
    errors: { 400: ['bad_request'], 403: ['forbidden', 'read_only'] },
  },
  'DELETE /api-keys/{id}': {
    operationId: 'revokeApiKey',
    summary: 'Revoke an API key (it stops working at once)',
    tag: 'api-keys',
    credentials: 'jwt',
    responses: { 204: { description: 'Revoked.' } },
    errors: { 403: ['forbidden', 'read_only'] },
  },
  'POST /webhooks/{source}': {
    operationId: 'deliverWebhook',
    summary: 'Deliver a webhook event (exactly once per idempotency key)',
    description:
      'Body: a JSON object of at most 256 KB. The delivery key is the `Idempotency-Key` header, else the body\'s top-level `id`, else the SHA-256 of the source and the raw body. ' +
      'The `tasks` source takes `task.created` / `task.completed` events (schema `TasksWebhookEvent`); other sources are stored only.',
    tag: 'webhooks',
    headers: z.object({
      'Idempotency-Key': z.string().min(1).max(200).optional().meta({ description: '1-200 printable ASCII characters; else the body\'s top-level `id`.' }),
    }),
    body: z.union([TaskEvent.meta({ id: 'TasksWebhookEvent' }), z.record(z.string(), z.unknown())]),
    responses: {
      200: { description: 'A repeat of a finished delivery: `duplicate: true`, the first delivery\'s id.', json: S.WebhookDelivery },
      202: { description: 'First delivery, stored and applied.', json: S.WebhookDelivery },
    },
    errors: { 400: ['bad_request'], 404: ['not_found'], 409: ['conflict'] },
  },
};
