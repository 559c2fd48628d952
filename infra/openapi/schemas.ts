// Response shapes of the API as zod schemas, for the OpenAPI document only (request bodies and
// queries come from the functions' own validation schemas). Each is typed against the domain type
// the functions return, so a changed field fails `npm run typecheck` here, and the contract tests
// check every live response against the document built from these.
import { z } from 'zod';
import type { ApiKeyView, IssuedApiKey } from '../../functions/shared/core/api-keys';
import { SCOPES } from '../../functions/shared/core/scopes';
import type { SignOutResult } from '../../functions/shared/core/sign-out';
import type { BudgetStatus } from '../../functions/shared/core/token-budget';
import type { DayUsage, RankedUser } from '../../functions/shared/core/usage';
import { AUDIT_ACTIONS, type AuditEvent } from '../../functions/shared/core/audit';
import { TASK_STATUSES, type Task } from '../../functions/shared/core/tasks/task';
import { ITEM_STATUSES, ITEM_TYPES, type Item, type Thread } from '../../functions/shared/core/threads/thread';
import { REPLY_STATUSES, type ReplyProgress as ReplyProgressWire } from '../../functions/shared/core/agent/reply-control';
import type { ThreadItemWire, ThreadMetadataWire, ThreadStreamEvent } from '../../functions/chatkit/protocol';
import type { MessageStreamEvent as MessageStreamEventWire } from '../../functions/shared/lambda/sse';

const isoTime = z.iso.datetime({ offset: true }).meta({ description: 'ISO-8601 time (UTC).', example: '2026-01-31T12:00:00.000Z' });
const cursor = z
  .string()
  .nullable()
  .meta({ description: 'Opaque cursor of the next page, bound to the caller and the list; null on the last page.' });

/** A thread's UI metadata: any JSON object of at most 4 KB, nested at most 16 levels. */
export const Metadata = z.record(z.string(), z.unknown()).meta({
  id: 'Metadata',
  description: 'A small JSON object (at most 4 KB as JSON, nested at most 16 levels) for UI state; never secrets.',
});

export const ThreadSchema = z
  .object({ id: z.string(), title: z.string(), createdAt: isoTime, updatedAt: isoTime, metadata: Metadata })
  .meta({ id: 'Thread' }) satisfies z.ZodType<Thread>;

export const ItemSchema = z
  .object({
    id: z.string(),
    threadId: z.string(),
    type: z.enum(ITEM_TYPES),
    content: z.string(),
    createdAt: isoTime,
    status: z.enum(ITEM_STATUSES).optional().meta({
      description:
        'Assistant messages only: `done`, or `cancelled` (stopped by its user; `content` is what was said until then). ' +
        '`running` only in the `item.added` event that opens a reply.',
    }),
  })
  .meta({ id: 'Item' }) satisfies z.ZodType<Item>;

export const ThreadPage = z.object({ data: z.array(ThreadSchema), nextCursor: cursor }).meta({ id: 'ThreadPage' });
export const ItemPage = z.object({ data: z.array(ItemSchema), nextCursor: cursor }).meta({ id: 'ItemPage' });

export const TaskSchema = z
  .object({
    id: z.string(),
    title: z.string(),
    status: z.enum(TASK_STATUSES),
    dueDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).nullable().meta({ description: 'Calendar date YYYY-MM-DD.' }),
    createdAt: isoTime,
    updatedAt: isoTime,
  })
  .meta({ id: 'Task' }) satisfies z.ZodType<Task>;

export const TaskPage = z.object({ data: z.array(TaskSchema), nextCursor: cursor }).meta({ id: 'TaskPage' });

const limitSource = z.enum(['default', 'override']).meta({ description: '`default`: the deployment\'s setting; `override`: set for this user by an admin.' });

export const MonthlyBudget = z
  .object({
    limit: z.number().int(),
    used: z.number().int(),
    remaining: z.number().int(),
    resetsAt: isoTime.meta({ description: 'The first instant of the next UTC month.' }),
    source: limitSource,
  })
  .meta({ id: 'MonthlyBudget', description: 'The monthly model-token cap in force (`AGENT_MONTHLY_TOKEN_BUDGET` or an admin\'s override).' });

export const Budget = z
  .object({
    limit: z.number().int(),
    used: z.number().int(),
    remaining: z.number().int(),
    resetsAt: isoTime.meta({ description: 'The next UTC midnight, when `used` starts again from 0.' }),
    source: limitSource,
    monthly: MonthlyBudget.nullable().meta({ description: 'The monthly cap, or null when none applies.' }),
  })
  .meta({
    id: 'Budget',
    description: 'The daily model-token budget in force (input + output tokens; `AGENT_DAILY_TOKEN_BUDGET` unless an admin set an override) and the monthly cap.',
  }) satisfies z.ZodType<BudgetStatus>;

export const DayUsageSchema = z
  .object({
    day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).meta({ description: 'UTC day, YYYY-MM-DD.' }),
    requests: z.number().int().meta({ description: 'Authenticated requests (REST requests, WebSocket handshakes and frames), refused ones included.' }),
    replies: z.number().int().meta({ description: 'Agent replies admitted by the budget (a failed reply counts: its model calls were made).' }),
    modelCalls: z.number().int(),
    inputTokens: z.number().int(),
    outputTokens: z.number().int(),
    toolCalls: z.number().int(),
  })
  .meta({ id: 'DayUsage', description: 'One UTC day of a user\'s usage: counts only, never content.' }) satisfies z.ZodType<DayUsage>;

export const UsageReportSchema = z
  .object({ days: z.array(DayUsageSchema).meta({ description: 'Newest first; days without activity as zeros.' }), budget: Budget })
  .meta({ id: 'UsageReport' });

export const UserUsageReport = z
  .object({ userId: z.string(), days: z.array(DayUsageSchema), budget: Budget })
  .meta({ id: 'UserUsageReport' });

export const RankedUserSchema = z
  .object({
    rank: z.number().int().min(1),
    userId: z.string(),
    tokens: z.number().int().meta({ description: 'Input + output tokens of the day\'s replies.' }),
    replies: z.number().int(),
    inputTokens: z.number().int(),
    outputTokens: z.number().int(),
  })
  .meta({ id: 'RankedUser' }) satisfies z.ZodType<RankedUser>;

export const UsageRanking = z
  .object({ day: z.string(), data: z.array(RankedUserSchema), nextCursor: cursor })
  .meta({ id: 'UsageRanking', description: 'Users active on the day, most tokens first (ties by user id).' });

export const BudgetSet = z
  .object({ userId: z.string(), dailyTokens: z.number().int().nullable(), monthlyTokens: z.number().int().nullable(), budget: Budget })
  .meta({ id: 'BudgetSet', description: 'The override as stored (null: the default) and the budget now in force.' });

export const Profile = z
  .object({
    userId: z.string().meta({ description: '`<first 12 hex chars of sha256(iss)>:<sub>`' }),
    email: z.string().nullable(),
    roles: z.array(z.string()),
    authMethod: z.enum(['jwt', 'apiKey']),
    createdAt: isoTime,
    budget: Budget,
    retentionDays: z.number().int().positive().nullable().meta({
      description:
        'Days a thread is kept after its last change (`THREAD_RETENTION_DAYS`): a thread not written for that long (no message, rename or metadata change) is deleted with all its items. null: threads are kept until you delete them.',
    }),
  })
  .meta({ id: 'Profile' });

export const DeleteAccountBody = z
  .object({ confirm: z.string().meta({ description: 'Your own `userId` (as `GET /me` shows it).' }) })
  .meta({ id: 'DeleteAccountBody' });

export const AccountDeleted = z
  .object({
    status: z.enum(['deleted', 'deleting']).meta({
      description: '`deleting`: the content key is destroyed and earlier tokens are refused, but rows remain; repeat the request (with a token issued now) to finish.',
    }),
  })
  .meta({ id: 'AccountDeleted' });

export const ToolList = z
  .object({
    tools: z.array(
      z.object({
        name: z.string(),
        description: z.string(),
        inputSchema: z.record(z.string(), z.unknown()).meta({ description: 'JSON Schema (2020-12) of the tool\'s input object.' }),
      }),
    ),
  })
  .meta({ id: 'ToolList', description: 'The agent tools this principal may use (read tools only for guests and read-only keys; only the tools an API key\'s `tasks:read` / `tasks:write` scopes allow).' });

const keyExpiry = isoTime.nullable().meta({ description: 'From this second the key is refused (`401 unauthorized` on REST and WebSocket); null: never.' });
const keyScopes = z.array(z.enum(SCOPES)).meta({ description: 'What the key may do (docs/api.md, "API keys", Scopes); a request outside them is `403 forbidden` naming the missing scope.' });

export const ApiKeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    readOnly: z.boolean(),
    enabled: z.boolean(),
    createdAt: isoTime,
    lastUsedAt: isoTime.nullable().meta({ description: 'Last use, accurate to 60 seconds; null when never used.' }),
    expiresAt: keyExpiry,
    scopes: keyScopes,
  })
  .meta({ id: 'ApiKey', description: 'A key as its owner sees it: never the key text or its hash.' }) satisfies z.ZodType<ApiKeyView>;

export const IssuedApiKeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    key: z.uuid().meta({ description: 'The key text (a UUID v4): shown this once, never stored.' }),
    readOnly: z.boolean(),
    enabled: z.literal(true),
    createdAt: isoTime,
    expiresAt: keyExpiry,
    scopes: keyScopes,
  })
  .meta({ id: 'IssuedApiKey' }) satisfies z.ZodType<IssuedApiKey>;

export const ApiKeyList = z.object({ data: z.array(ApiKeySchema) }).meta({ id: 'ApiKeyList' });

export const SignOutResultSchema = z
  .object({
    signedOutAt: isoTime.meta({ description: 'The sign-out second: every token issued at or before it is refused.' }),
    revokedKeys: z.array(ApiKeySchema).meta({ description: 'Keys revoked by `revokeKeysCreatedBefore` (created by the sessions this sign-out ends).' }),
    remainingKeys: z.array(ApiKeySchema).meta({ description: 'The keys left: they keep working. Check them; revoke any you do not recognise.' }),
  })
  .meta({ id: 'SignOutResult' }) satisfies z.ZodType<SignOutResult>;

export const AuditEventSchema = z
  .object({
    id: z.string(),
    at: isoTime,
    action: z.enum(AUDIT_ACTIONS),
    userId: z.string().meta({ description: 'The actor.' }),
    ownerId: z.string().nullable().meta({ description: 'Whose partition was addressed (differs from userId only for admin support reads).' }),
    threadId: z.string().nullable(),
    outcome: z.enum(['allowed', 'denied']),
    ip: z.string(),
    userAgent: z.string(),
    requestId: z.string(),
    reason: z.string().nullable(),
  })
  .meta({ id: 'AuditEvent' }) satisfies z.ZodType<AuditEvent>;

export const AuditPage = z.object({ data: z.array(AuditEventSchema), nextCursor: cursor }).meta({ id: 'AuditPage' });

export const AccountExport = z
  .object({
    format: z.literal('threadguard.export.v1').meta({ description: 'The shape of this document; a changed shape gets a new value.' }),
    exportedAt: isoTime,
    profile: z
      .object({ userId: z.string(), email: z.string().nullable(), roles: z.array(z.string()), authMethod: z.enum(['jwt', 'apiKey']), createdAt: isoTime })
      .meta({ description: 'As `GET /me` shows it (without the budget).' }),
    threads: z
      .array(ThreadSchema.extend({ items: z.array(ItemSchema).meta({ description: 'Every item of the thread, oldest first, content decrypted.' }) }))
      .meta({ description: 'Every thread, oldest first (threads being deleted are left out).' }),
    tasks: z.array(TaskSchema).meta({ description: 'Every task, oldest first.' }),
    apiKeys: z.array(ApiKeySchema).meta({ description: 'Metadata of every API key (never the key or its hash), newest first.' }),
    auditEvents: z.array(AuditEventSchema).meta({ description: 'The caller\'s own audit events of the last 90 days, newest first (this export\'s `account.export` event among them).' }),
    complete: z.literal(true).meta({ description: 'Always the last member: a document without it (or that does not parse) was cut short; export again.' }),
  })
  .meta({ id: 'AccountExport', description: 'Everything the account holds, as one JSON document (streamed).' });

export const Exchange = z
  .object({ userMessage: ItemSchema, assistantMessage: ItemSchema })
  .meta({ id: 'Exchange', description: 'The stored message and the agent reply, written in one transaction.' });

export const WebhookDelivery = z
  .object({
    id: z.string().meta({ description: 'The event id (the same on every repeat); a `task.created` without `taskId` names its task with it.' }),
    duplicate: z.boolean(),
    outcome: z
      .enum(['stored', 'task_created', 'task_exists', 'task_limit_reached', 'task_completed', 'task_not_found'])
      .optional()
      .meta({ description: 'What the first delivery did (absent on a duplicate). `task_not_found`: that user has no task with that id (or there is no such user); nothing changed.' }),
  })
  .meta({ id: 'WebhookDelivery' });

export const Health = z.object({ status: z.literal('ok') }).meta({ id: 'Health' });

const errorBodies = new Map<string, z.ZodType>();

/** Every error, from a function or from API Gateway itself; one component per set of codes. */
export function errorBody(codes: readonly [string, ...string[]]): z.ZodType {
  const id = `Error-${codes.join('-')}`;
  let schema = errorBodies.get(id);
  if (!schema) {
    schema = z.object({ error: z.object({ code: z.enum(codes), message: z.string() }) }).meta({ id });
    errorBodies.set(id, schema);
  }
  return schema;
}

// ---- server-sent events ----

/** `data:` payloads of `POST /threads/{threadId}/messages` with `Accept: text/event-stream`. */
export const MessageStreamEvent = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('item.added'), item: ItemSchema }),
    z.object({ type: z.literal('text.delta'), itemId: z.string(), delta: z.string() }),
    z.object({ type: z.literal('item.done'), item: ItemSchema }),
    z.object({ type: z.literal('error'), code: z.string(), message: z.string() }),
  ])
  .meta({
    id: 'MessageStreamEvent',
    description:
      'One `data:` line per event, each with an `id:` line (1, 2, 3… within the reply; resume after it with `Last-Event-ID`): ' +
      'item.added (user message, then the assistant message, whose id is the reply\'s), text.delta..., item.done. ' +
      'A stopped reply ends with item.done whose item has `status: cancelled`. ' +
      'A failure after the stream opened is one `error` event; nothing of that exchange is stored.',
  });

/** `GET …/items/{itemId}/events` without the SSE accept, and what a cancel answers. */
export const ReplyProgress = z
  .object({
    status: z.enum(REPLY_STATUSES).meta({ description: '`running`, or how it ended: `done`, `cancelled`, `failed` (nothing stored).' }),
    lastEventId: z.number().int().min(0).meta({ description: 'The id of the reply\'s last event so far.' }),
  })
  .meta({ id: 'ReplyProgress' });

// ---- ChatKit ----

const OutputText = z.object({ type: z.literal('output_text'), text: z.string(), annotations: z.array(z.never()) });

const UserMessageItem = z.object({
  type: z.literal('user_message'),
  id: z.string(),
  thread_id: z.string(),
  created_at: isoTime,
  content: z.array(z.object({ type: z.literal('input_text'), text: z.string() })),
  attachments: z.array(z.never()),
  inference_options: z.object({}),
});

const AssistantMessageItem = z.object({
  type: z.literal('assistant_message'),
  id: z.string(),
  thread_id: z.string(),
  created_at: isoTime,
  content: z.array(OutputText),
});

export const ChatKitItem = z.discriminatedUnion('type', [UserMessageItem, AssistantMessageItem]).meta({ id: 'ChatKitItem' });

const chatKitPage = <T extends z.ZodType>(item: T) =>
  z.object({ data: z.array(item), has_more: z.boolean(), after: z.string().optional().meta({ description: 'Cursor of the next page (our signed cursor).' }) });

export const ChatKitThreadMetadata = z
  .object({
    id: z.string(),
    title: z.string().nullable(),
    created_at: isoTime,
    status: z.object({ type: z.literal('active') }),
    metadata: z.object({}).meta({ description: 'Always empty: thread metadata is not sent to ChatKit clients.' }),
  })
  .meta({ id: 'ChatKitThreadMetadata' });

export const ChatKitThread = ChatKitThreadMetadata.extend({ items: chatKitPage(ChatKitItem) }).meta({ id: 'ChatKitThread' });
export const ChatKitItemPage = chatKitPage(ChatKitItem).meta({ id: 'ChatKitItemPage' });
export const ChatKitThreadPage = chatKitPage(ChatKitThread).meta({ id: 'ChatKitThreadPage' });

/** JSON answers of the non-streaming request types. */
export const ChatKitJsonResponse = z
  .union([ChatKitThread, ChatKitThreadPage, ChatKitItemPage, z.strictObject({})])
  .meta({
    id: 'ChatKitJsonResponse',
    description:
      'threads.get_by_id and threads.update: a thread; threads.list: a page of threads; items.list: a page of items; ' +
      'threads.delete and items.feedback: `{}`.',
  });

const contentPart = (type: string, extra: z.ZodRawShape) =>
  z.object({ type: z.literal(type), content_index: z.number().int(), ...extra });

export const ChatKitStreamEvent = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('thread.created'), thread: ChatKitThread }),
    z.object({ type: z.literal('thread.updated'), thread: ChatKitThread }),
    z.object({ type: z.literal('thread.item.added'), item: ChatKitItem }),
    z.object({ type: z.literal('thread.item.done'), item: ChatKitItem }),
    z.object({
      type: z.literal('thread.item.updated'),
      item_id: z.string(),
      update: z.union([
        contentPart('assistant_message.content_part.added', { content: OutputText }),
        contentPart('assistant_message.content_part.text_delta', { delta: z.string() }),
        contentPart('assistant_message.content_part.done', { content: OutputText }),
      ]),
    }),
    z.object({ type: z.literal('stream_options'), stream_options: z.object({ allow_cancel: z.boolean() }) }),
    z.object({ type: z.literal('error'), code: z.string(), message: z.string().optional(), allow_retry: z.boolean() }),
  ])
  .meta({
    id: 'ChatKitStreamEvent',
    description:
      'ChatKit thread stream events, one `data:` line each: thread.created (create only), thread.item.done (the user message; not for a retry), ' +
      'stream_options (`allow_cancel: true`), thread.item.added, thread.item.updated (content_part.added, text_delta..., content_part.done), thread.item.done. ' +
      'Failures inside a stream are an `error` event (`custom` with the message, or `stream.error` with allow_retry).',
  });

// Compile-time checks that the wire types fit these schemas: every event the functions send is one
// the schema describes, and every event type the schema names is one they send.
type Fits<A, B extends A> = B;
export type MessageStreamTypeChecks = [
  Fits<z.output<typeof MessageStreamEvent>, MessageStreamEventWire>,
  Fits<MessageStreamEventWire['type'], z.output<typeof MessageStreamEvent>['type']>,
  Fits<z.output<typeof ReplyProgress>, ReplyProgressWire>,
];
// The ChatKit wire types (functions/chatkit/protocol.ts).
export type ChatKitTypeChecks = [
  Fits<z.output<typeof ChatKitThreadMetadata>, ThreadMetadataWire>,
  Fits<z.output<typeof ChatKitStreamEvent>['type'], ThreadStreamEvent['type']>,
  Fits<z.output<typeof ChatKitItem>['type'], ThreadItemWire['type']>,
];
