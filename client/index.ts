// A typed client for the ThreadGuard API: openapi-fetch over the types `npm run openapi` generates
// from docs/openapi.json. Copy this folder into a web or Node project (with `openapi-fetch`), or
// regenerate the types there: `npx openapi-typescript <base URL>/openapi.json -o api-types.ts`.
// Calls are typed by their JSON responses; the one streamed reply (`Accept: text/event-stream`) has
// its own function, `streamMessage`, so `POST /threads/{threadId}/messages` is typed exactly as the
// 201 exchange and the stream exactly as its events. See example.ts.
import createClient, { type Client, type ClientOptions } from 'openapi-fetch';
import type { components, paths } from './api-types';

export type { components, operations, paths } from './api-types';

/** A user JWT or an API key (webhook senders set their token in `headers`). */
export type Credentials = { readonly token: string } | { readonly apiKey: string };

type MessagesPath = paths['/threads/{threadId}/messages'];
type PostMessage = MessagesPath['post'];
/**
 * The paths with the message post's event-stream response (200) split off: that variant is read with
 * `streamMessage`, so a JSON post's `data` is exactly the 201 exchange, not a union to narrow.
 */
export type JsonPaths = Omit<paths, '/threads/{threadId}/messages'> & {
  '/threads/{threadId}/messages': Omit<MessagesPath, 'post'> & { post: Omit<PostMessage, 'responses'> & { responses: Omit<PostMessage['responses'], 200> } };
};

export type ThreadGuardClient = Client<JsonPaths>;

/** One event of a streamed reply (the `data:` JSON of each server-sent event). */
export type MessageStreamEvent = components['schemas']['MessageStreamEvent'];

/** A refusal: the API's error code and message, with the HTTP status. */
export class ThreadGuardError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ThreadGuardError';
  }
}

export function createThreadGuardClient(baseUrl: string, credentials?: Credentials, options: Omit<ClientOptions, 'baseUrl'> = {}): ThreadGuardClient {
  const auth: Record<string, string> =
    credentials === undefined ? {} : 'token' in credentials ? { Authorization: `Bearer ${credentials.token}` } : { 'X-API-Key': credentials.apiKey };
  return createClient<JsonPaths>({ ...options, baseUrl, headers: { ...auth, ...(options.headers as Record<string, string> | undefined) } });
}

/**
 * Posts a message with `Accept: text/event-stream` and yields the reply's events as they arrive. A
 * refusal before the stream (400, 403, 429...) throws a ThreadGuardError; so does an `error` event.
 */
export async function* streamMessage(client: ThreadGuardClient, threadId: string, content: string, pageContext?: string): AsyncGenerator<MessageStreamEvent> {
  // The streamed variant, typed by the full document (its 200 is the event stream).
  const streaming = client as unknown as Client<paths>;
  const { data, error, response } = await streaming.POST('/threads/{threadId}/messages', {
    params: { path: { threadId }, header: pageContext === undefined ? undefined : { 'X-Page-Context': pageContext } },
    body: { content },
    headers: { Accept: 'text/event-stream' },
    parseAs: 'stream',
  });
  if (!response.ok || !data) {
    const refusal = (error as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw new ThreadGuardError(response.status, refusal?.code ?? `http_${response.status}`, refusal?.message ?? response.statusText);
  }
  const decoder = new TextDecoder();
  // A reader loop rather than `for await` over the stream, which not every browser supports.
  const reader = (data as ReadableStream<Uint8Array>).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, '\n');
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const lines = buffer.slice(0, end).split('\n').filter((l) => l.startsWith('data:'));
      buffer = buffer.slice(end + 2);
      if (lines.length === 0) continue;
      const event = JSON.parse(lines.map((l) => l.slice(l.startsWith('data: ') ? 6 : 5)).join('\n')) as MessageStreamEvent;
      if (event.type === 'error') throw new ThreadGuardError(200, event.code, event.message);
      yield event;
    }
  }
}
