// A WebSocket test client for the local stack: connect (or observe the refused handshake) and
// collect frames until a condition holds.
import WebSocket from 'ws';

export interface WsClient {
  readonly socket: WebSocket;
  readonly frames: any[];
  send(frame: unknown): void;
  /** Resolves with all frames once `done(frame)` is true for a received frame. */
  until(done: (frame: any) => boolean, timeoutMs?: number): Promise<any[]>;
  close(): Promise<void>;
}

export function wsUrl(baseUrl: string, query: Record<string, string>): string {
  const u = new URL('/ws', baseUrl.replace(/^http/, 'ws'));
  for (const [k, v] of Object.entries(query)) u.searchParams.set(k, v);
  return u.toString();
}

/** Resolves with the HTTP status of a refused handshake, or 101 when it was accepted. */
export function handshakeStatus(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => {
      ws.close();
      resolve({ status: 101, body: '' });
    });
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.on('error', (err) => {
      if (!/Unexpected server response/.test(err.message)) reject(err);
    });
  });
}

export function connect(url: string): Promise<WsClient> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    const frames: any[] = [];
    const waiters: Array<() => void> = [];
    socket.on('message', (data) => {
      frames.push(JSON.parse(data.toString('utf8')));
      for (const w of waiters.splice(0)) w();
    });
    socket.once('error', reject);
    socket.once('open', () =>
      resolve({
        socket,
        frames,
        send: (frame) => socket.send(JSON.stringify(frame)),
        until(done, timeoutMs = 15_000) {
          return new Promise((res, rej) => {
            const timer = setTimeout(() => rej(new Error(`no matching frame; got ${JSON.stringify(frames)}`)), timeoutMs);
            const check = () => {
              if (frames.some(done)) {
                clearTimeout(timer);
                res([...frames]);
              } else waiters.push(check);
            };
            check();
          });
        },
        close: () =>
          new Promise<void>((res) => {
            if (socket.readyState === socket.CLOSED) return res();
            socket.once('close', () => res());
            socket.close();
          }),
      }),
    );
  });
}
