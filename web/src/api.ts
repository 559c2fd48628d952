// Every call the page makes to the ThreadGuard API, in one place: credentials, X-Page-Context,
// errors (as ApiError with Retry-After) and the two reply transports (SSE over fetch, WebSocket).
import { ApiError, parseRetryAfter } from './refusals';
import { readSse } from './sse';
import type { ApiKey, Item, Me, Page, PageContext, StreamEvent, Task, Thread } from './types';

export interface ApiOptions {
  readonly apiUrl: string;
  readonly wsUrl: string;
  /** The bearer token, held in memory by the sign-in module. */
  readonly token: () => string | null;
  readonly pageContext: () => PageContext;
}

export type Transport = 'sse' | 'websocket';

/** Header values are Latin-1 only: non-ASCII is escaped inside the JSON, which the API parses back. */
export const pageContextHeader = (ctx: PageContext): string =>
  JSON.stringify(ctx).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

async function errorOf(res: Response): Promise<ApiError> {
  let code = `http_${res.status}`;
  let message = res.statusText;
  try {
    const body = (await res.json()) as { error?: { code?: string; message?: string } };
    code = body.error?.code ?? code;
    message = body.error?.message ?? message;
  } catch {
    /* not the API's error shape (a proxy's page): keep the status */
  }
  return new ApiError(res.status, code, message, parseRetryAfter(res.headers.get('Retry-After'), Date.now()));
}

export function createApi(opts: ApiOptions) {
  const headers = (extra: Record<string, string> = {}): Record<string, string> => {
    const token = opts.token();
    return {
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      'X-Page-Context': pageContextHeader(opts.pageContext()),
      ...extra,
    };
  };

  async function send(method: string, path: string, body?: unknown, accept = 'application/json'): Promise<Response> {
    const res = await fetch(`${opts.apiUrl}${path}`, {
      method,
      headers: headers({ Accept: accept, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) }),
      body: body === undefined ? undefined : JSON.stringify(body),
      // Credentials are headers, never cookies.
      credentials: 'omit',
    });
    if (!res.ok) throw await errorOf(res);
    return res;
  }

  const json = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await send(method, path, body);
    return (res.status === 204 ? undefined : await res.json()) as T;
  };

  /** Runs one reply over SSE; resolves when the stream ends. Refusals before the stream are ApiErrors. */
  async function streamSse(threadId: string, content: string, onEvent: (e: StreamEvent) => void): Promise<void> {
    const res = await send('POST', `/threads/${encodeURIComponent(threadId)}/messages`, { content }, 'text/event-stream');
    if (!res.body) throw new ApiError(res.status, 'internal', 'The reply stream was empty');
    for await (const data of readSse(res.body)) {
      const event = data as StreamEvent;
      // A failure after the stream opened: nothing of the exchange was stored.
      if (event.type === 'error') throw new ApiError(0, event.code, event.message);
      onEvent(event);
    }
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

  /** Runs one reply over the WebSocket; resolves at the reply's item.done, rejects on an error frame. */
  async function streamWebSocket(threadId: string, content: string, onEvent: (e: StreamEvent) => void): Promise<void> {
    const ws = await openSocket();
    await new Promise<void>((resolve, reject) => {
      const onMessage = (msg: MessageEvent) => {
        const event = JSON.parse(String(msg.data)) as StreamEvent;
        if (event.type === 'error') {
          done();
          reject(new ApiError(0, event.code, event.message));
          return;
        }
        onEvent(event);
        if (event.type === 'item.done' && event.item.type === 'assistant_message') {
          done();
          resolve();
        }
      };
      const onClose = () => {
        done();
        reject(new ApiError(0, 'connection_closed', 'The connection closed before the reply finished'));
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

  return {
    me: () => json<Me>('GET', '/me'),
    listThreads: () => json<Page<Thread>>('GET', '/threads?limit=50'),
    createThread: (title: string) => json<Thread>('POST', '/threads', title ? { title } : {}),
    listItems: (threadId: string) => json<Page<Item>>('GET', `/threads/${encodeURIComponent(threadId)}/items?limit=100`),
    listTasks: () => json<Page<Task>>('GET', '/tasks'),
    listApiKeys: () => json<{ data: ApiKey[] }>('GET', '/api-keys'),
    createApiKey: (name: string, readOnly: boolean) => json<ApiKey & { key: string }>('POST', '/api-keys', { name, readOnly }),
    setApiKeyEnabled: (id: string, enabled: boolean) => json<ApiKey>('PATCH', `/api-keys/${encodeURIComponent(id)}`, { enabled }),
    revokeApiKey: (id: string) => json<void>('DELETE', `/api-keys/${encodeURIComponent(id)}`),
    sendMessage: (transport: Transport, threadId: string, content: string, onEvent: (e: StreamEvent) => void) =>
      transport === 'websocket' ? streamWebSocket(threadId, content, onEvent) : streamSse(threadId, content, onEvent),
    /** Drops the WebSocket (sign-out): it was opened with this user's token. */
    close: () => {
      socket?.close();
      socket = null;
    },
  };
}

export type Api = ReturnType<typeof createApi>;
