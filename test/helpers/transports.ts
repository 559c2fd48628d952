// One message sent over any of the four transports (REST JSON, SSE, WebSocket, ChatKit), with the
// outcome in one shape: the reply text, or the refusal's error code.
import { api } from './http';
import { postSse } from './sse';
import { connect, wsUrl } from './ws-client';

export const TRANSPORTS = ['json', 'sse', 'websocket', 'chatkit'] as const;
export type Transport = (typeof TRANSPORTS)[number];

export type Outcome = { ok: true; reply: string } | { ok: false; code: string; status: number | null };

const chatkitInput = (text: string) => ({ content: [{ type: 'input_text', text }], attachments: [], inference_options: {} });

/** @param pageContext - sent as `X-Page-Context` (REST, SSE, ChatKit) or the frame's `pageContext` (WebSocket). */
export async function sendOver(transport: Transport, baseUrl: string, token: string, threadId: string, content: string, pageContext?: Record<string, string>): Promise<Outcome> {
  const headers = pageContext ? { 'X-Page-Context': JSON.stringify(pageContext) } : undefined;
  switch (transport) {
    case 'json': {
      const res = await api(baseUrl, 'POST', `/threads/${threadId}/messages`, { token, body: { content }, headers });
      return res.status === 201 ? { ok: true, reply: res.body.assistantMessage.content } : { ok: false, code: res.body.error.code, status: res.status };
    }
    case 'sse': {
      const res = await postSse(`${baseUrl}/threads/${threadId}/messages`, { token, body: { content }, headers });
      if (res.status !== 200) return { ok: false, code: JSON.parse(res.body).error.code, status: res.status };
      const last = res.events.at(-1);
      return last.type === 'item.done' ? { ok: true, reply: last.item.content } : { ok: false, code: last.code, status: null };
    }
    case 'chatkit': {
      const res = await postSse(`${baseUrl}/chatkit`, { token, headers, body: { type: 'threads.add_user_message', params: { thread_id: threadId, input: chatkitInput(content) } } });
      if (res.status !== 200) return { ok: false, code: JSON.parse(res.body).error.code, status: res.status };
      const last = res.events.at(-1);
      return last.type === 'thread.item.done' ? { ok: true, reply: last.item.content[0].text } : { ok: false, code: last.code, status: null };
    }
    case 'websocket': {
      const ws = await connect(wsUrl(baseUrl, { token }));
      try {
        ws.send({ action: 'sendMessage', threadId, content, ...(pageContext ? { pageContext } : {}) });
        const frames = await ws.until((f) => f.type === 'item.done' || f.type === 'error');
        const last = frames.find((f) => f.type === 'item.done' || f.type === 'error');
        return last.type === 'item.done' ? { ok: true, reply: last.item.content } : { ok: false, code: last.code, status: null };
      } finally {
        await ws.close();
      }
    }
  }
}
