// The ChatKit server protocol's wire shapes: request parsing (zod), the SSE events we emit, and our
// threads and items as ChatKit's.
// Where the @openai/chatkit package defines a shape (UserMessageContent, Attachment, ToolChoice),
// our types are checked against it.
import type { Attachment, ToolChoice, UserMessageContent } from '@openai/chatkit';
import * as z from 'zod';
import { ValidationError } from '../shared/core/errors';
import { truncateText } from '../shared/core/text';
import type { Item, Thread } from '../shared/core/threads/thread';
import { idSchema, threadTitleSchema } from '../shared/lambda/validation';

const id = idSchema;

const userMessageContent = z.union([
  z.object({ type: z.literal('input_text'), text: z.string() }),
  z.object({
    type: z.literal('input_tag'),
    id: z.string(),
    text: z.string(),
    group: z.string().optional(),
    data: z.record(z.string(), z.unknown()).optional(),
    interactive: z.boolean().optional(),
  }),
]);

const userMessageInput = z.object({
  content: z.array(userMessageContent).min(1).max(50),
  attachments: z.array(z.string()).max(0, 'attachments are not supported').nullish(),
  quoted_text: z.string().nullish(),
  inference_options: z.object({ tool_choice: z.object({ id: z.string() }).nullish(), model: z.string().nullish() }).nullish(),
});

const pageParams = {
  limit: z.number().int().min(0).max(100).nullish(),
  order: z.enum(['asc', 'desc']).nullish(),
  after: z.string().max(2048).nullish(),
};

/** Requests we serve; anything else is a clear 400 naming the type. */
export const ChatKitRequest = z.discriminatedUnion('type', [
  z.object({ type: z.literal('threads.create'), params: z.object({ input: userMessageInput }) }),
  z.object({ type: z.literal('threads.add_user_message'), params: z.object({ thread_id: id, input: userMessageInput }) }),
  /** `item_id`: a user message of the thread; its later items are replaced by a new reply to it. */
  z.object({ type: z.literal('threads.retry_after_item'), params: z.object({ thread_id: id, item_id: id }) }),
  z.object({ type: z.literal('threads.get_by_id'), params: z.object({ thread_id: id }) }),
  z.object({ type: z.literal('threads.list'), params: z.object(pageParams).nullish() }),
  z.object({ type: z.literal('threads.update'), params: z.object({ thread_id: id, title: threadTitleSchema }) }),
  z.object({ type: z.literal('threads.delete'), params: z.object({ thread_id: id }) }),
  z.object({ type: z.literal('items.list'), params: z.object({ thread_id: id, ...pageParams }) }),
  z.object({
    type: z.literal('items.feedback'),
    params: z.object({ thread_id: id, item_ids: z.array(id).min(1).max(100), kind: z.enum(['positive', 'negative']) }),
  }),
]);
export type ChatKitRequest = z.infer<typeof ChatKitRequest>;

export const KNOWN_TYPES: ReadonlySet<string> = new Set(ChatKitRequest.options.map((o) => o.shape.type.value));

export function parseChatKitRequest(body: unknown): ChatKitRequest {
  const type = (body as { type?: unknown } | null)?.type;
  if (typeof type !== 'string') throw new ValidationError('ChatKit request needs a "type"');
  if (!KNOWN_TYPES.has(type)) throw new ValidationError(`Unsupported ChatKit request type: ${truncateText(type, 64)}`);
  const r = ChatKitRequest.safeParse(body);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new ValidationError(`Invalid ${type} request${issue ? `: ${issue.path.join('.')} ${issue.message}` : ''}`);
  }
  return r.data;
}

/** Flattens a ChatKit user input to the text our agent reads (the reply use case applies the content rule). */
export function inputText(input: { content: UserMessageContent[] }): string {
  return input.content.map((c) => c.text).join(' ');
}

// ---- wire objects ----

export interface Page<T> {
  data: T[];
  has_more: boolean;
  after?: string;
}

export interface ThreadMetadataWire {
  id: string;
  title: string | null;
  created_at: string;
  status: { type: 'active' };
  metadata: Record<string, never>;
}

export type ThreadWire = ThreadMetadataWire & { items: Page<ThreadItemWire> };

export interface UserMessageItemWire {
  type: 'user_message';
  id: string;
  thread_id: string;
  created_at: string;
  content: UserMessageContent[];
  attachments: Attachment[];
  inference_options: { tool_choice?: ToolChoice | null; model?: string | null };
}

export interface OutputText {
  type: 'output_text';
  text: string;
  annotations: never[];
}

export interface AssistantMessageItemWire {
  type: 'assistant_message';
  id: string;
  thread_id: string;
  created_at: string;
  content: OutputText[];
}

export type ThreadItemWire = UserMessageItemWire | AssistantMessageItemWire;

export type ThreadStreamEvent =
  | { type: 'thread.created'; thread: ThreadWire }
  | { type: 'thread.updated'; thread: ThreadWire }
  | { type: 'thread.item.added'; item: ThreadItemWire }
  | { type: 'thread.item.done'; item: ThreadItemWire }
  | {
      type: 'thread.item.updated';
      item_id: string;
      update:
        | { type: 'assistant_message.content_part.added'; content_index: number; content: OutputText }
        | { type: 'assistant_message.content_part.text_delta'; content_index: number; delta: string }
        | { type: 'assistant_message.content_part.done'; content_index: number; content: OutputText };
    }
  | { type: 'stream_options'; stream_options: { allow_cancel: boolean } }
  | { type: 'error'; code: string; message?: string; allow_retry: boolean };


export const outputText = (text: string): OutputText => ({ type: 'output_text', text, annotations: [] });

const emptyPage = <T>(): Page<T> => ({ data: [], has_more: false });

export const threadWire = (t: Thread, items: Page<ThreadItemWire> = emptyPage()): ThreadWire => ({
  id: t.id,
  title: t.title,
  created_at: t.createdAt,
  status: { type: 'active' },
  metadata: {},
  items,
});

/**
 * Only messages are ChatKit items; tool calls and notices stay REST-only. A stopped reply is an
 * ordinary assistant message with what was said: ChatKit items have no status, and the reference
 * server keeps a stopped reply's text the same way.
 */
export function itemWire(i: Item): ThreadItemWire | null {
  if (i.type === 'user_message') {
    return {
      type: 'user_message',
      id: i.id,
      thread_id: i.threadId,
      created_at: i.createdAt,
      content: [{ type: 'input_text', text: i.content }],
      attachments: [],
      inference_options: {},
    };
  }
  if (i.type === 'assistant_message') {
    return { type: 'assistant_message', id: i.id, thread_id: i.threadId, created_at: i.createdAt, content: [outputText(i.content)] };
  }
  return null;
}
