// A pass-through HTTP proxy in front of DynamoDB Local that reports each operation (X-Amz-Target).
// Used by the benchmarks to count DynamoDB requests per API call, on the wire.
import { createServer, request } from 'node:http';

export interface DynamoProxy {
  readonly endpoint: string;
  close(): Promise<void>;
}

export async function startDynamoProxy(target: string, onRequest: (operation: string) => void): Promise<DynamoProxy> {
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    const op = String(req.headers['x-amz-target'] ?? '').split('.').pop() ?? 'unknown';
    onRequest(op);
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
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
