// Server-sent events read from a fetch response body (EventSource cannot POST or send headers).
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

export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<unknown> {
  const parser = new SseParser();
  const decoder = new TextDecoder();
  const reader = body.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      for (const data of parser.push(decoder.decode(value, { stream: true }))) yield JSON.parse(data);
    }
  } finally {
    reader.releaseLock();
  }
}
