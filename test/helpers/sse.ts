// Reads a server-sent event stream over a real socket, recording when each network chunk arrived,
// so tests can tell an incremental stream from a buffered one.
import { request } from 'node:http';
import { observeResponse, sseEvents } from './contract';

export interface SseResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Raw network chunks in arrival order. */
  chunks: string[];
  /** Parsed `data:` payloads (of whole events only, when the stream was cut). */
  events: any[];
  body: string;
  /** `cut`: the connection closed before the response's end (a truncated stream, as API Gateway leaves one at its integration timeout). */
  ending: 'complete' | 'cut';
}

export function postSse(url: string, opts: { token?: string; apiKey?: string; body: unknown; headers?: Record<string, string> }): Promise<SseResult> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(opts.body);
    const req = request(
      url,
      {
        method: 'POST',
        headers: {
          Accept: 'text/event-stream',
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(payload),
          ...(opts.token ? { Authorization: `Bearer ${opts.token}` } : {}),
          ...(opts.apiKey ? { 'X-API-Key': opts.apiKey } : {}),
          ...(opts.headers ?? {}),
        },
      },
      (res) => {
        const chunks: string[] = [];
        res.setEncoding('utf8');
        res.on('data', (c: string) => chunks.push(c));
        const done = (ending: SseResult['ending']) => {
          const body = chunks.join('');
          const whole = ending === 'complete' ? body : body.slice(0, body.lastIndexOf('\n\n') + 2);
          const events = sseEvents(whole);
          const headers = new Headers();
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
          observeResponse({ method: 'POST', url, status: res.statusCode ?? 0, headers, body: whole });
          resolve({ status: res.statusCode ?? 0, headers: res.headers, chunks, events, body, ending });
        };
        res.on('error', () => done('cut'));
        res.on('end', () => done('complete'));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** One server-sent event as received: its `id:` (if any) and its parsed `data:`. */
export interface ReceivedEvent {
  readonly id: number | null;
  readonly data: any;
}

export interface EventStream {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  /** The next event; null once the stream has ended. */
  next(): Promise<ReceivedEvent | null>;
  /** Every event up to the end. */
  rest(): Promise<ReceivedEvent[]>;
  /** Drops the connection (a phone changing networks, a reloaded tab). */
  close(): void;
}

/**
 * An event stream read event by event over a real socket (POST with a body, or GET), so a test can
 * read part of it and disconnect. A stream read to its end is checked against the OpenAPI document.
 */
export function openEventStream(
  url: string,
  opts: { method?: 'GET' | 'POST'; token?: string; apiKey?: string; body?: unknown; headers?: Record<string, string> },
): Promise<EventStream> {
  const method = opts.method ?? (opts.body === undefined ? 'GET' : 'POST');
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        headers: {
          Accept: 'text/event-stream',
          ...(payload === undefined ? {} : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) }),
          ...(opts.token ? { Authorization: `Bearer ${opts.token}` } : {}),
          ...(opts.apiKey ? { 'X-API-Key': opts.apiKey } : {}),
          ...(opts.headers ?? {}),
        },
      },
      (res) => {
        res.setEncoding('utf8');
        let buffer = '';
        let body = '';
        let ended = false;
        const ready: ReceivedEvent[] = [];
        let wake: (() => void) | null = null;
        const parse = () => {
          for (let cut = buffer.indexOf('\n\n'); cut >= 0; cut = buffer.indexOf('\n\n')) {
            const block = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            const lines = block.split('\n');
            const id = lines.find((l) => l.startsWith('id: '));
            const data = lines.find((l) => l.startsWith('data: '));
            if (data) ready.push({ id: id ? Number(id.slice(4)) : null, data: JSON.parse(data.slice(6)) });
          }
        };
        const poke = () => {
          const w = wake;
          wake = null;
          w?.();
        };
        res.on('data', (c: string) => {
          body += c;
          buffer += c;
          parse();
          poke();
        });
        const finish = () => {
          ended = true;
          poke();
        };
        res.on('end', () => {
          const headers = new Headers();
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
          observeResponse({ method, url, status: res.statusCode ?? 0, headers, body });
          finish();
        });
        res.on('close', finish);
        res.on('error', finish);
        const next = async (): Promise<ReceivedEvent | null> => {
          while (ready.length === 0 && !ended) await new Promise<void>((r) => (wake = r));
          return ready.shift() ?? null;
        };
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          next,
          async rest() {
            const out: ReceivedEvent[] = [];
            for (let e = await next(); e; e = await next()) out.push(e);
            return out;
          },
          close: () => req.destroy(),
        });
      },
    );
    req.on('error', (err) => reject(err));
    req.end(payload);
  });
}
