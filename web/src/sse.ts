// Server-sent events read from a POST's response (EventSource cannot POST or send headers).
// Only `data:` lines matter here: the API sends one JSON object per event.

/** Feeds text in, yields each complete event's data; keeps a partial event until its blank line. */
export class SseParser {
  private buffer = '';

  push(text: string): string[] {
    this.buffer += text.replace(/\r\n?/g, '\n');
    const out: string[] = [];
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const data = block
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(line.startsWith('data: ') ? 6 : 5));
      if (data.length > 0) out.push(data.join('\n'));
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
 * POSTs and hands each event's data to `onData` as it arrives; resolves with the whole response once
 * the stream has ended. XMLHttpRequest rather than fetch: Chromium reports a cross-origin fetch
 * whose body is read as a stream to its end as aborted (`net::ERR_ABORTED`), though every byte
 * arrived, while an XHR ends with a clean load event. Its progress events carry the text so far.
 */
export function postSse(url: string, headers: Record<string, string>, body: string, onData: (data: string) => void): Promise<SseResponse> {
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
        for (const data of parser.push(fresh)) onData(data);
      } catch (err) {
        failed = err; // reported once the request has ended cleanly
      }
    };
    xhr.open('POST', url);
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.addEventListener('progress', drain);
    xhr.addEventListener('load', () => {
      drain();
      if (failed) reject(failed);
      else resolve({ status: xhr.status, body: xhr.responseText, header: (name) => xhr.getResponseHeader(name) });
    });
    xhr.addEventListener('error', () => reject(new Error('The connection failed before the reply finished')));
    xhr.addEventListener('abort', () => reject(new Error('The reply was cancelled')));
    xhr.send(body);
  });
}
