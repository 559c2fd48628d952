// A loopback proxy in front of DynamoDB Local that counts requests by operation (X-Amz-Target):
// what the functions' DynamoDB client sends, counted on the wire at the client side.
import { createServer, request, type Server } from 'node:http';

export interface DynamoCounter {
  readonly endpoint: string;
  /** Counts since the last reset, e.g. { Query: 1, PutItem: 1 }. */
  take(): Record<string, number>;
  close(): Promise<void>;
}

export async function startDynamoCounter(target: string): Promise<DynamoCounter> {
  let counts: Record<string, number> = {};
  const upstream = new URL(target);
  const server: Server = createServer((req, res) => {
    const op = String(req.headers['x-amz-target'] ?? 'unknown').split('.').pop()!;
    counts[op] = (counts[op] ?? 0) + 1;
    const fwd = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    fwd.on('error', () => res.writeHead(502).end());
    req.pipe(fwd);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    take() {
      const out = counts;
      counts = {};
      return out;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
