// Every call the page makes to the ThreadGuard API, in one place: the typed client generated from
// the OpenAPI document (client/, openapi-fetch), with the in-memory token and X-Page-Context added
// to each request, errors as ApiError with Retry-After, and the two reply transports (SSE over an
// XMLHttpRequest, see sse.ts; WebSocket), plus a reply's resume (SSE) and stop (REST), which
// serve replies of either transport.
import { createThreadGuardClient } from '../../client';
import { ApiError, ConnectionLostError, parseRetryAfter } from './refusals';
import { requestSse } from './sse';
import type { ApiKey, PageContext, StreamEvent } from './types';

export interface ApiOptions {
  readonly apiUrl: string;
  readonly wsUrl: string;
  /** The bearer token, held in memory by the sign-in module. */
  readonly token: () => string | null;
  readonly pageContext: () => PageContext;
}

export type Transport = 'sse' | 'websocket';

/** One event of a reply's stream, with its number within the reply (the SSE `id:`). */
export type ReplyListener = (event: StreamEvent, id: number) => void;

/** The reply's last event: its assistant message done (finished or stopped). */
const isReplyEnd = (event: StreamEvent): boolean => event.type === 'item.done' && event.item.type === 'assistant_message';

/** Header values are Latin-1 only: non-ASCII is escaped inside the JSON, which the API parses back. */
export const pageContextHeader = (ctx: PageContext): string =>
  JSON.stringify(ctx).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

function apiError(response: Response, body: unknown): ApiError {
  const error = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
  return new ApiError(
    response.status,
    error?.code ?? `http_${response.status}`,
    error?.message ?? response.statusText,
    parseRetryAfter(response.headers.get('Retry-After'), Date.now()),
  );
}

/** The data of a typed call, or its refusal as an ApiError (openapi-fetch returns, never throws, on 4xx/5xx). */
async function ok<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) throw apiError(response, error);
  return data as T;
}

export function createApi(opts: ApiOptions) {
  // Credentials are headers, never cookies.
  const client = createThreadGuardClient(opts.apiUrl, undefined, { credentials: 'omit' });
  client.use({
    onRequest({ request }) {
      const token = opts.token();
      if (token) request.headers.set('Authorization', `Bearer ${token}`);
      request.headers.set('X-Page-Context', pageContextHeader(opts.pageContext()));
      return request;
    },
  });
  const thread = (threadId: string) => ({ path: { threadId } });

  const sseHeaders = (): Record<string, string> => {
    const headers: Record<string, string> = { Accept: 'text/event-stream', 'X-Page-Context': pageContextHeader(opts.pageContext()) };
    const token = opts.token();
    if (token) headers.Authorization = `Bearer ${token}`;
    return headers;
  };

  /**
   * Runs one reply's event stream (a POST of a message, or a resume); resolves at the reply's end.
   * Refusals before the stream are ApiErrors with their status; a failed reply (its `error` event)
   * an ApiError with status 0; a stream that ends before the reply did, a ConnectionLostError.
   */
  async function streamSse(method: 'GET' | 'POST', path: string, body: string | null, onEvent: ReplyListener): Promise<void> {
    let failure: ApiError | null = null;
    let ended = false;
    const headers = sseHeaders();
    if (body !== null) headers['Content-Type'] = 'application/json';
    const res = await requestSse(method, `${opts.apiUrl}${path}`, headers, body, ({ id, data }) => {
      const event = JSON.parse(data) as StreamEvent;
      // A failure after the stream opened: nothing of the exchange was stored.
      if (event.type === 'error') failure ??= new ApiError(0, event.code, event.message);
      else if (!failure) {
        ended ||= isReplyEnd(event);
        onEvent(event, id);
      }
    });
    if (res.status !== 200) {
      let body: unknown;
      try {
        body = JSON.parse(res.body);
      } catch {
        /* not JSON (a proxy's page): the status alone */
      }
      const error = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new ApiError(res.status, error?.code ?? `http_${res.status}`, error?.message ?? `HTTP ${res.status}`, parseRetryAfter(res.header('Retry-After'), Date.now()));
    }
    if (failure) throw failure;
    // Cut before the reply ended (a gateway's time limit): the reply goes on at the API.
    if (!ended) throw new ConnectionLostError();
  }

  let socket: WebSocket | null = null;
  let socketOf = '';
  /** One connection per token; `?token=` because browsers cannot set headers on a WebSocket handshake. */
  function openSocket(): Promise<WebSocket> {
    const token = opts.token() ?? '';
    if (socket && socketOf === token && socket.readyState === WebSocket.OPEN) return Promise.resolve(socket);
    socket?.close();
    const ws = new WebSocket(`${opts.wsUrl}?token=${encodeURIComponent(token)}`);
    socket = ws;
    socketOf = token;
    return new Promise((resolve, reject) => {
      ws.addEventListener('open', () => resolve(ws), { once: true });
      // A refused handshake (401, 429) shows only as an error then a close: the browser hides the status.
      ws.addEventListener('close', () => reject(new ApiError(401, 'websocket_refused', 'The WebSocket connection was refused')), { once: true });
    });
  }

  /**
   * Frames carry no reply id, so one reply at a time on the socket: a message sent just after a
   * Stop waits (about a second) until the stopped reply's last frames have come.
   */
  let socketTurn: Promise<unknown> = Promise.resolve();

  /** Runs one reply over the WebSocket; resolves at the reply's item.done, rejects on an error frame. */
  function streamWebSocket(threadId: string, content: string, onEvent: ReplyListener): Promise<void> {
    const turn = socketTurn.catch(() => undefined).then(() => streamOnSocket(threadId, content, onEvent));
    socketTurn = turn;
    return turn;
  }

  async function streamOnSocket(threadId: string, content: string, onEvent: ReplyListener): Promise<void> {
    const ws = await openSocket();
    // The frames are the SSE stream's events in the same order, so their count is the SSE `id:`.
    let id = 0;
    await new Promise<void>((resolve, reject) => {
      const onMessage = (msg: MessageEvent) => {
        const event = JSON.parse(String(msg.data)) as StreamEvent;
        if (event.type === 'error') {
          done();
          reject(new ApiError(0, event.code, event.message));
          return;
        }
        onEvent(event, ++id);
        if (isReplyEnd(event)) {
          done();
          resolve();
        }
      };
      const onClose = () => {
        done();
        reject(new ConnectionLostError());
      };
      const done = () => {
        ws.removeEventListener('message', onMessage);
        ws.removeEventListener('close', onClose);
      };
      ws.addEventListener('message', onMessage);
      ws.addEventListener('close', onClose);
      ws.send(JSON.stringify({ action: 'sendMessage', threadId, content, pageContext: opts.pageContext() }));
    });
  }

  const replyPath = (threadId: string, replyId: string) => `/threads/${encodeURIComponent(threadId)}/items/${encodeURIComponent(replyId)}`;

  return {
    me: () => ok(client.GET('/me')),
    /** Ends every session of this user at the API: each token issued until now is refused. */
    signOutEverywhere: () => ok(client.POST('/me/sign-out', { body: {} })),
    listThreads: () => ok(client.GET('/threads', { params: { query: { limit: 50 } } })),
    createThread: (title: string) => ok(client.POST('/threads', { body: title ? { title } : {} })),
    listItems: (threadId: string) => ok(client.GET('/threads/{threadId}/items', { params: { ...thread(threadId), query: { limit: 100 } } })),
    listTasks: () => ok(client.GET('/tasks')),
    updateTask: (taskId: string, patch: { title?: string; status?: 'open' | 'done' }) => ok(client.PATCH('/tasks/{taskId}', { params: { path: { taskId } }, body: patch })),
    deleteTask: (taskId: string) => ok(client.DELETE('/tasks/{taskId}', { params: { path: { taskId } } })),
    myUsage: (days = 30) => ok(client.GET('/me/usage', { params: { query: { days } } })),
    adminUsage: (day: string, cursor?: string) => ok(client.GET('/admin/usage', { params: { query: { day, limit: 20, ...(cursor ? { cursor } : {}) } } })),
    adminUserUsage: (userId: string, days = 30) => ok(client.GET('/admin/users/{userId}/usage', { params: { path: { userId }, query: { days } } })),
    setBudget: (userId: string, budget: { dailyTokens: number | null; monthlyTokens: number | null }) =>
      ok(client.PUT('/admin/users/{userId}/budget', { params: { path: { userId } }, body: budget })),
    listApiKeys: () => ok(client.GET('/api-keys')),
    createApiKey: (name: string, limits: { scopes: ApiKey['scopes']; expiresInDays?: number }) => ok(client.POST('/api-keys', { body: { name, ...limits } })),
    setApiKeyEnabled: (id: string, enabled: boolean) => ok(client.PATCH('/api-keys/{id}', { params: { path: { id } }, body: { enabled } })),
    revokeApiKey: (id: string) => ok(client.DELETE('/api-keys/{id}', { params: { path: { id } } })),
    sendMessage: (transport: Transport, threadId: string, content: string, onEvent: ReplyListener) =>
      transport === 'websocket'
        ? streamWebSocket(threadId, content, onEvent)
        : streamSse('POST', `/threads/${encodeURIComponent(threadId)}/messages`, JSON.stringify({ content }), onEvent),
    /**
     * Follows a reply that runs on its own (after a reload or a lost connection): its events after
     * `after`, then live to its end. `?after=` rather than `Last-Event-ID`: the API's CORS allow-list
     * does not name that header, so a browser on another origin could not send it.
     */
    resumeReply: (threadId: string, replyId: string, after: number, onEvent: ReplyListener) => streamSse('GET', `${replyPath(threadId, replyId)}/events?after=${after}`, null, onEvent),
    /** Stops a running reply wherever it runs (either transport); its stream then ends with item.done `cancelled`. */
    cancelReply: (threadId: string, replyId: string) => ok(client.POST('/threads/{threadId}/items/{itemId}/cancel', { params: { path: { threadId, itemId: replyId } } })),
    /** Drops the WebSocket (sign-out): it was opened with this user's token. */
    close: () => {
      socket?.close();
      socket = null;
    },
  };
}

export type Api = ReturnType<typeof createApi>;
