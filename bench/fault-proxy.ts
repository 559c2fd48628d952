// A fault-injecting proxy between the functions and DynamoDB (loopback only). Each request gets a
// fault from the policy: pass it on, answer as a throttling DynamoDB would, answer a 500, forward it
// and then cut the connection before the reply reaches the client (the write happened, the client
// does not know), or add latency. An upstream that cannot be reached is a cut connection too, as a
// stopped database looks to the SDK.
import { createServer, request, type IncomingMessage, type Server } from 'node:http';

export type Fault =
  | { readonly kind: 'pass' }
  | { readonly kind: 'throttle' }
  | { readonly kind: 'error500' }
  | { readonly kind: 'dropAfterForward' }
  | { readonly kind: 'delay'; readonly ms: number };

export interface ProxiedRequest {
  /** DynamoDB operation from X-Amz-Target, e.g. `PutItem`. */
  readonly op: string;
  /** The parsed JSON request (DynamoDB's wire shape, attribute values as `{S: …}`). */
  readonly body: Record<string, unknown>;
}

export type FaultPolicy = (req: ProxiedRequest) => Fault;

export interface FaultProxy {
  readonly endpoint: string;
  /** Replaces the policy (tests arm one fault at a time). */
  setPolicy(policy: FaultPolicy): void;
  /** Faults injected so far, by kind. */
  readonly injected: Record<string, number>;
  close(): Promise<void>;
}

const PASS: Fault = { kind: 'pass' };
const JSON_10 = 'application/x-amz-json-1.0';

/** The error body DynamoDB sends; the SDK reads the error name from `__type`. */
function errorReply(type: string, message: string): string {
  return JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message });
}

const readBody = (req: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });

export async function startFaultProxy(target: string, policy: FaultPolicy = () => PASS): Promise<FaultProxy> {
  const upstream = new URL(target);
  let current = policy;
  const injected: Record<string, number> = {};
  const server: Server = createServer(async (req, res) => {
    const payload = await readBody(req);
    const op = String(req.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(payload.toString('utf8')) as Record<string, unknown>;
    } catch {
      /* not JSON: only pass-through applies */
    }
    const fault = current({ op, body });
    if (fault.kind !== 'pass') injected[fault.kind] = (injected[fault.kind] ?? 0) + 1;
    if (fault.kind === 'throttle') {
      res.writeHead(400, { 'Content-Type': JSON_10 }).end(errorReply('ProvisionedThroughputExceededException', 'Rate of requests exceeds the allowed throughput (injected).'));
      return;
    }
    if (fault.kind === 'error500') {
      res.writeHead(500, { 'Content-Type': JSON_10 }).end(errorReply('InternalServerError', 'Internal server error (injected).'));
      return;
    }
    if (fault.kind === 'delay') await new Promise((r) => setTimeout(r, fault.ms));
    const fwd = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, 'content-length': String(payload.length) } },
      (up) => {
        const out: Buffer[] = [];
        up.on('data', (c: Buffer) => out.push(c));
        up.on('end', () => {
          // The upstream answered (and applied any write); the client never hears it.
          if (fault.kind === 'dropAfterForward') {
            req.socket.destroy();
            return;
          }
          res.writeHead(up.statusCode ?? 502, up.headers).end(Buffer.concat(out));
        });
      },
    );
    fwd.on('error', () => req.socket.destroy());
    fwd.end(payload);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    setPolicy: (p) => (current = p),
    injected,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

/** A policy that injects `fault` into the first `times` requests matching `when`, then passes. */
export function faultOnce(when: (req: ProxiedRequest) => boolean, fault: Fault, times = 1): FaultPolicy {
  let left = times;
  return (req) => {
    if (left > 0 && when(req)) {
      left--;
      return fault;
    }
    return PASS;
  };
}

/** The string value of attribute `name` in a wire-shaped item or key (`{S: …}`). */
export function attr(item: unknown, name: string): string | undefined {
  const v = (item as Record<string, { S?: string }> | undefined)?.[name];
  return v?.S;
}
