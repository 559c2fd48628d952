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
