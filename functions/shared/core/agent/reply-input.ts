// What a reply starts from, as one set of rules for every transport (REST JSON, SSE, WebSocket,
// ChatKit): the message content and the optional page context.
import * as z from 'zod';

const utf8Bytes = (s: string) => Buffer.byteLength(s, 'utf8');

export const MAX_MESSAGE_BYTES = 16 * 1024;
export const MAX_PAGE_CONTEXT_BYTES = 2 * 1024;

/** Message content: trimmed, not empty, at most 16 KB of UTF-8 (measured after trimming). */
export const messageContentSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .refine((s) => utf8Bytes(s) <= MAX_MESSAGE_BYTES, 'must be at most 16 KB');

/** Optional UX context (`X-Page-Context`, WebSocket `pageContext`): shapes the prompt, never authorizes anything. */
export const pageContextSchema = z.object({
  page: z.string().max(100).optional(),
  title: z.string().max(200).optional(),
  /** The task the user is looking at; the model may name it, and tools resolve it only in the caller's own tasks. */
  taskId: z.string().max(100).optional(),
});
export type PageContext = z.infer<typeof pageContextSchema>;

/**
 * Page context from a header's text or an already parsed object: at most 2 KB as JSON, known fields
 * only. Anything else is ignored (null), never an error: it is a hint, not a request.
 */
export function parsePageContext(raw: unknown): PageContext | null {
  if (raw === undefined || raw === null || raw === '') return null;
  let value: unknown = raw;
  if (typeof raw === 'string') {
    if (utf8Bytes(raw) > MAX_PAGE_CONTEXT_BYTES) return null;
    try {
      value = JSON.parse(raw);
    } catch {
      return null;
    }
  } else if (utf8Bytes(JSON.stringify(raw) ?? '') > MAX_PAGE_CONTEXT_BYTES) {
    return null;
  }
  const res = pageContextSchema.safeParse(value);
  return res.success ? res.data : null;
}
