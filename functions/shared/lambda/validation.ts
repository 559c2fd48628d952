// Input validation at the edge (zod): every failure is a ValidationError (400, API.md shape) that
// names the field, never echoes the value. Unknown body fields are dropped (never a userId).
import * as z from 'zod';
import { messageContentSchema } from '../core/agent/reply-input';
import { ValidationError } from '../core/errors';
import { dueDateSchema, taskStatusSchema, taskTitleSchema } from '../core/tasks/task-schemas';
import { MAX_ID_LENGTH } from '../core/ids';
import { ILL_FORMED_MESSAGE, isWellFormed } from '../core/text';
import type { ThreadAccess } from '../core/threads/audited-access';
import { requirePrincipal, type HttpRequest } from './http-request';

export { parse } from '../core/validate';
export { taskTitleSchema } from '../core/tasks/task-schemas';

const utf8Bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/** A thread, item, task or key id in a body: it becomes part of a key, so well-formed Unicode only (THREATS T15). */
export const idSchema = z.string().min(1).max(MAX_ID_LENGTH).refine(isWellFormed, ILL_FORMED_MESSAGE);
export const MAX_METADATA_BYTES = 4 * 1024;

export const MAX_METADATA_DEPTH = 16;

/**
 * Why metadata is refused, or null. Walks without recursion, so a 10,000-level array is a 400,
 * not a stack overflow; numbers must be finite (1e400 parses to Infinity and would come back null).
 */
function metadataProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'must be a JSON object';
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v === 'number' && !Number.isFinite(v)) return 'numbers must be finite';
    if (typeof v !== 'object' || v === null) continue;
    if (depth > MAX_METADATA_DEPTH) return `must nest at most ${MAX_METADATA_DEPTH} levels`;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return utf8Bytes(JSON.stringify(value)) <= MAX_METADATA_BYTES ? null : 'must be at most 4 KB as JSON';
}

/**
 * Any JSON object, kept exactly as parsed (own `__proto__` or `constructor` keys included: it is
 * stored as JSON text and never merged into another object).
 */
export const metadataSchema = z.custom<Record<string, unknown>>().superRefine((value, ctx) => {
  const problem = metadataProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** A thread title, on REST and ChatKit alike: trimmed, and a blank one is no title (the thread keeps or gets the default). */
export const threadTitleSchema = z
  .string()
  .trim()
  .max(200)
  .transform((t) => (t === '' ? undefined : t));

export const threadBodySchema = z.object({
  title: threadTitleSchema.optional(),
  metadata: metadataSchema.optional(),
});

/** `POST /threads/{threadId}/messages`: the reply use case applies the content rule (the same one for every transport). */
export const messageBodySchema = z.object({ content: messageContentSchema });

export const createTaskSchema = z.object({
  title: taskTitleSchema,
  dueDate: dueDateSchema.nullable().optional(),
});

export const updateTaskSchema = z.object({
  title: taskTitleSchema.optional(),
  status: taskStatusSchema.optional(),
  dueDate: dueDateSchema.nullable().optional(),
});

const limitSchema = z
  .string()
  .regex(/^\d{1,3}$/, 'must be an integer from 1 to 100')
  .transform(Number)
  .refine((n) => n >= 1 && n <= 100, 'must be an integer from 1 to 100')
  // A query string is text on the wire; the document says what it means, so typed clients take a number.
  .meta({
    override: ({ jsonSchema }: { jsonSchema: Record<string, unknown> }) => {
      delete jsonSchema.pattern;
      Object.assign(jsonSchema, { type: 'integer', minimum: 1, maximum: 100, default: 20 });
    },
  });

export const pageQuerySchema = z.object({
  limit: limitSchema.optional().transform((n) => n ?? 20),
  cursor: z.string().min(1).optional().transform((c) => c ?? null),
});

/** `GET /tasks`: a page, optionally only open or done tasks. */
export const tasksQuerySchema = pageQuerySchema.extend({ status: taskStatusSchema.optional() });

export const itemsQuerySchema = pageQuerySchema.extend({
  order: z.enum(['asc', 'desc']).optional().transform((o) => o ?? 'asc'),
});

/** An event id of a reply's stream (`Last-Event-ID`, `?after=`): 0 means before the first event. */
export const eventIdSchema = z
  .string()
  .regex(/^\d{1,7}$/, 'must be a whole number of at most 7 digits')
  .transform(Number)
  .meta({
    override: ({ jsonSchema }: { jsonSchema: Record<string, unknown> }) => {
      delete jsonSchema.pattern;
      Object.assign(jsonSchema, { type: 'integer', minimum: 0, maximum: 9_999_999 });
    },
  });

/** `GET /threads/{threadId}/items/{itemId}/events`: replay after this event id (`Last-Event-ID` wins). */
export const replyEventsQuerySchema = z.object({ after: eventIdSchema.optional() });

/** The caller and where the request came from, for audited thread access. */
export function threadAccessOf(req: HttpRequest): ThreadAccess {
  return {
    principal: requirePrincipal(req),
    origin: { ip: req.sourceIp, userAgent: req.userAgent, requestId: req.requestId },
  };
}

/**
 * A path parameter, decoded once: a REST API's proxy event carries it percent-encoded as sent
 * (`auth0%7Cabc` for `auth0|abc`). API Gateway guarantees presence for the matched template.
 */
export function pathParam(req: HttpRequest, name: string): string {
  const raw = req.pathParameters[name];
  if (raw === undefined || raw === '') throw new ValidationError(`${name}: required`);
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new ValidationError(`${name}: not a valid percent-encoded value`);
  }
}
