// Server-sent events read from an XMLHttpRequest (EventSource cannot POST or send Authorization).
// The API sends one JSON object per event in a `data:` line, and numbers a reply's events with
// `id:` (1, 2, 3… within the reply), which a resume starts after.
import { ConnectionLostError } from './refusals';

export interface SseEvent {
  /** The event's `id:` (the last one seen when this event has none, as EventSource keeps it); 0 before any. */
  readonly id: number;
  readonly data: string;
}

/** Feeds text in, yields each complete event; keeps a partial event until its blank line. */
export class SseParser {
  private buffer = '';
  private lastId = 0;

  push(text: string): SseEvent[] {
    this.buffer += text.replace(/\r\n?/g, '\n');
    const out: SseEvent[] = [];
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const data: string[] = [];
      for (const line of block.split('\n')) {
        const value = line.slice(line.indexOf(':') + 1).replace(/^ /, '');
        if (line.startsWith('data:')) data.push(value);
        else if (line.startsWith('id:') && /^\d+$/.test(value)) this.lastId = Number(value);
      }
      if (data.length > 0) out.push({ id: this.lastId, data: data.join('\n') });
    }
    return out;
  }
}

export interface SseResponse {
  readonly status: number;
  readonly body: string;
  readonly header: (name: string) => string | null;
}

/**
 * Sends the request and hands each event to `onEvent` as it arrives; resolves with the whole
 * response once the stream has ended. XMLHttpRequest rather than fetch: Chromium reports a
 * cross-origin fetch whose body is read as a stream to its end as aborted (`net::ERR_ABORTED`),
 * though every byte arrived, while an XHR ends with a clean load event. Its progress events carry
 * the text so far.
 */
export function requestSse(method: 'GET' | 'POST', url: string, headers: Record<string, string>, body: string | null, onEvent: (event: SseEvent) => void): Promise<SseResponse> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const parser = new SseParser();
    let seen = 0;
    let failed: unknown = null;
    const drain = () => {
      if (xhr.status !== 200 || failed) return; // a refusal is JSON, read whole at the end
      const text = xhr.responseText;
      const fresh = text.slice(seen);
      seen = text.length;
      try {
        for (const event of parser.push(fresh)) onEvent(event);
      } catch (err) {
        failed = err; // reported once the request has ended cleanly
      }
    };
    xhr.open(method, url);
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.addEventListener('progress', drain);
    xhr.addEventListener('load', () => {
      drain();
      if (failed) reject(failed);
      else resolve({ status: xhr.status, body: xhr.responseText, header: (name) => xhr.getResponseHeader(name) });
    });
    xhr.addEventListener('error', () => reject(new ConnectionLostError()));
    xhr.addEventListener('abort', () => reject(new ConnectionLostError()));
    xhr.send(body);
  });
}
