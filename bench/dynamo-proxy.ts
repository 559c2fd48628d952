// One loopback forwarding proxy in front of DynamoDB (Local), under the fault proxy and the request
// counter: it reads each request, asks a handler what to do with it (answer it here, or forward a
// payload and hear the reply, or forward it and cut the connection before the reply), and copies
// the upstream answer back. An upstream that cannot be reached is a cut connection, as a stopped
// database looks to the SDK.
import { createServer, request, type IncomingMessage, type Server } from 'node:http';

export interface ProxiedRequest {
  /** DynamoDB operation from X-Amz-Target, e.g. `PutItem`. */
  readonly op: string;
  /** The parsed JSON request (DynamoDB's wire shape, attribute values as `{S: …}`); `{}` when not JSON. */
  readonly body: Record<string, unknown>;
}

export type Handling =
  /** Answer here; nothing reaches DynamoDB. */
  | { readonly kind: 'answer'; readonly status: number; readonly body: string }
  | {
      readonly kind: 'forward';
      /** What to send instead of the request as it came. */
      readonly payload?: Buffer;
      /** The write happens, the client never hears of it. */
      readonly dropReply?: boolean;
      readonly onReply?: (reply: Buffer) => void;
    };

export type RequestHandler = (req: ProxiedRequest, payload: Buffer) => Handling | Promise<Handling>;

export interface DynamoProxy {
  readonly endpoint: string;
  close(): Promise<void>;
}

const JSON_10 = 'application/x-amz-json-1.0';

const readBody = (req: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });

export async function startDynamoProxy(target: string, handle: RequestHandler): Promise<DynamoProxy> {
  const upstream = new URL(target);
  const server: Server = createServer(async (req, res) => {
    const payload = await readBody(req);
    const op = String(req.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(payload.toString('utf8')) as Record<string, unknown>;
    } catch {
      /* not JSON: the handler sees an empty body */
    }
    const handling = await handle({ op, body }, payload);
    if (handling.kind === 'answer') {
      res.writeHead(handling.status, { 'Content-Type': JSON_10 }).end(handling.body);
      return;
    }
    const out = handling.payload ?? payload;
    const fwd = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, 'content-length': String(out.length) } },
      (up) => {
        const chunks: Buffer[] = [];
        up.on('data', (c: Buffer) => chunks.push(c));
        up.on('end', () => {
          if (handling.dropReply) {
            req.socket.destroy();
            return;
          }
          const reply = Buffer.concat(chunks);
          handling.onReply?.(reply);
          res.writeHead(up.statusCode ?? 502, { ...up.headers, 'content-length': String(reply.length) }).end(reply);
        });
      },
    );
    fwd.on('error', () => req.socket.destroy());
    fwd.end(out);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
