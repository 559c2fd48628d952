// A small API Gateway WebSocket emulation: the $connect REQUEST authorizer on the handshake (HTTP 401,
// no upgrade, on failure), route selection on `$request.body.action`, the authorizer context on
// every event, and the Management API (`POST/DELETE/GET /@connections/{id}`) the functions call.
import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { APIGatewayAuthorizerResult } from 'aws-lambda';
import { WebSocketServer, type WebSocket } from 'ws';
import { isAllowed } from './iam-policy';
import type { LocalFunction } from './lambda-runtime';

export const WS_PATH = '/ws';

/**
 * API Gateway's WebSocket quotas (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-execution-service-websocket-limits-table.html):
 * a frame is at most 32 KB and a message (its frames together) at most 128 KB; "if a larger message
 * (or larger frame size) is received, the connection is closed with code 1009". The URL of a
 * WebSocket API is at most 4,096 characters, so a `?token=` longer than about 4 KB cannot connect.
 */
export const WS_LIMITS = { frameBytes: 32 * 1024, messageBytes: 128 * 1024, urlChars: 4096 } as const;

/**
 * A refused handshake answers with API Gateway's own default body, `{"message": ...}`: WebSocket
 * APIs have no gateway responses to customise (those are a REST API feature), so the API's error
 * shape is not used here.
 */
const REFUSAL_BODIES: Readonly<Record<number, { message: string }>> = {
  401: { message: 'Unauthorized' },
  403: { message: 'Forbidden' },
  414: { message: 'Request-URI Too Long' },
  500: { message: 'Internal server error' },
};
export const MANAGEMENT_PATH = '/_ws-management';

export interface WebSocketGatewayOptions {
  readonly authorizer: LocalFunction;
  readonly fn: LocalFunction;
  /** Route keys with their own integration; other actions go to $default. */
  readonly routeKeys: readonly string[];
  readonly stage: string;
  readonly onLog?: (entry: Record<string, unknown>) => void;
}

interface Connection {
  readonly socket: WebSocket;
  readonly authorizer: Record<string, unknown>;
  readonly ip: string;
  readonly userAgent: string;
  readonly connectedAt: number;
}

const API_ID = 'local-ws';

/** The method ARN of `$connect`, which the $connect authorizer's policy must allow. */
export const connectMethodArn = (stage: string): string => `arn:aws:execute-api:local:000000000000:${API_ID}/${stage}/$connect`;

export function createWebSocketGateway(opts: WebSocketGatewayOptions) {
  const wss = new WebSocketServer({ noServer: true, maxPayload: WS_LIMITS.messageBytes });
  const connections = new Map<string, Connection>();

  const context = (connectionId: string, routeKey: string, eventType: string, host: string, conn?: Partial<Connection>) => ({
    routeKey,
    eventType,
    connectionId,
    messageDirection: 'IN',
    domainName: host,
    stage: opts.stage,
    apiId: API_ID,
    requestId: randomUUID(),
    requestTimeEpoch: Date.now(),
    connectedAt: conn?.connectedAt ?? Date.now(),
    identity: { sourceIp: conn?.ip ?? '', userAgent: conn?.userAgent ?? '' },
    authorizer: conn?.authorizer ?? null,
  });

  async function invoke(event: unknown): Promise<{ statusCode?: number } | undefined> {
    return (await opts.fn.invoke(event)) as { statusCode?: number } | undefined;
  }

  /**
   * A refused handshake: API Gateway's own body when the gateway refuses; none for an unknown path or
   * when the `$connect` integration answered the status (`ownBody` false).
   */
  function refuse(socket: Duplex, status: number, ownBody = true) {
    const body = ownBody ? REFUSAL_BODIES[status] : undefined;
    const text = body ? JSON.stringify(body) : '';
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
        `${body ? 'Content-Type: application/json\r\n' : ''}Content-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
    );
  }

  async function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== WS_PATH) {
      refuse(socket, 404);
      return;
    }
    const ip = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    if (`ws://${req.headers.host ?? ''}${req.url ?? ''}`.length > WS_LIMITS.urlChars) {
      refuse(socket, 414); // before the authorizer, as the quota is enforced deployed
      opts.onLog?.({ ws: 'refused', ip, status: 414 });
      return;
    }
    const connectionId = randomUUID().replace(/-/g, '').slice(0, 16) + '=';
    const userAgent = req.headers['user-agent'] ?? '';
    const host = req.headers.host ?? 'localhost';
    const query: Record<string, string> = {};
    for (const [k, v] of url.searchParams) query[k] = v;
    const headers: Record<string, string> = {};
    for (let i = 0; i < req.rawHeaders.length; i += 2) headers[req.rawHeaders[i]!] = req.rawHeaders[i + 1]!;
    const methodArn = connectMethodArn(opts.stage);
    const connectedAt = Date.now();

    let result: APIGatewayAuthorizerResult;
    try {
      result = (await opts.authorizer.invoke(
        {
          type: 'REQUEST',
          methodArn,
          headers,
          queryStringParameters: Object.keys(query).length ? query : null,
          requestContext: context(connectionId, '$connect', 'CONNECT', host, { ip, userAgent, connectedAt }),
        },
      )) as APIGatewayAuthorizerResult;
    } catch (err) {
      const unauthorized = (err as Error)?.message === 'Unauthorized';
      refuse(socket, unauthorized ? 401 : 500);
      opts.onLog?.({ ws: 'refused', ip, status: unauthorized ? 401 : 500 });
      return;
    }
    if (!isAllowed(result.policyDocument, methodArn)) {
      refuse(socket, 403);
      return;
    }
    const authorizerContext: Record<string, unknown> = { principalId: result.principalId };
    for (const [k, v] of Object.entries(result.context ?? {})) authorizerContext[k] = String(v);
    const conn = { ip, userAgent, connectedAt, authorizer: authorizerContext };

    const connect = await invoke({ requestContext: context(connectionId, '$connect', 'CONNECT', host, conn), headers, queryStringParameters: query, isBase64Encoded: false }).catch(() => ({ statusCode: 500 }));
    const connectStatus = connect?.statusCode ?? 200;
    if (connectStatus >= 300) {
      // A $connect integration's 4xx (e.g. 429, too many connections) is the handshake's answer; anything else a 500.
      if (connectStatus >= 400 && connectStatus < 500) refuse(socket, connectStatus, false);
      else refuse(socket, 500);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      try {
        limitFrameSize(ws);
      } catch (err) {
        opts.onLog?.({ ws: 'integration_error', error: String((err as Error).message) });
        ws.close(1011);
        return;
      }
      connections.set(connectionId, { socket: ws, ...conn });
      opts.onLog?.({ ws: 'connected', ip });
      // A frame over the size limit closes the socket with 1009 and emits 'error'; unhandled, that
      // would take the whole local stack down with it. API Gateway likewise just drops the client.
      ws.on('error', (err) => opts.onLog?.({ ws: 'socket_error', ip, error: err.message }));
      ws.on('message', (data) => {
        const body = data.toString('utf8');
        let action: unknown;
        try {
          action = (JSON.parse(body) as { action?: unknown })?.action;
        } catch {
          action = undefined;
        }
        const routeKey = typeof action === 'string' && opts.routeKeys.includes(action) ? action : '$default';
        const started = Date.now();
        // One line per message, as the deployed stage's access log has its routeKey, status and
        // integrationLatency (`route` here: the log's redaction takes any field named …Key for a secret).
        void invoke({ requestContext: context(connectionId, routeKey, 'MESSAGE', host, conn), body, isBase64Encoded: false }).then(
          (answer) => opts.onLog?.({ ws: 'message', route: routeKey, status: answer?.statusCode ?? 200, integrationLatency: Date.now() - started }),
          (err: unknown) => opts.onLog?.({ ws: 'integration_error', route: routeKey, error: String((err as Error)?.message) }),
        );
      });
      ws.on('close', () => {
        connections.delete(connectionId);
        void invoke({ requestContext: context(connectionId, '$disconnect', 'DISCONNECT', host, conn), isBase64Encoded: false }).catch(() => undefined);
      });
    });
  }

  /** The Management API: what ApiGatewayManagementApiClient calls with endpoint `<url>/_ws-management`. */
  async function handleManagement(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const m = /^\/@connections\/([^/?]+)/.exec((req.url ?? '').slice(MANAGEMENT_PATH.length));
    const id = m ? decodeURIComponent(m[1]!) : '';
    const conn = connections.get(id);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (!conn || conn.socket.readyState !== conn.socket.OPEN) {
      res.writeHead(410, { 'Content-Type': 'application/json', 'x-amzn-ErrorType': 'GoneException' });
      res.end(JSON.stringify({ message: 'Gone' }));
      return;
    }
    if (req.method === 'POST') {
      await new Promise<void>((resolve) => conn.socket.send(Buffer.concat(chunks).toString('utf8'), () => resolve()));
      res.writeHead(200).end();
    } else if (req.method === 'DELETE') {
      conn.socket.close(1000);
      res.writeHead(204).end();
    } else {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ connectedAt: new Date(conn.connectedAt).toISOString(), identity: { sourceIp: conn.ip, userAgent: conn.userAgent } }));
    }
  }

  return {
    handleUpgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      handleUpgrade(req, socket, head).catch(() => refuse(socket, 500));
    },
    handleManagement,
    close: () => {
      for (const c of connections.values()) c.socket.terminate();
      wss.close();
    },
  };
}

/**
 * `ws` limits a whole message (maxPayload) but not a single frame; API Gateway limits both. Its
 * receiver learns each frame's length in `haveLength`: a data frame over the frame quota fails
 * there with 1009, exactly as an over-long message does.
 */
function limitFrameSize(ws: WebSocket): void {
  const receiver = (ws as unknown as { _receiver?: Record<string, unknown> })._receiver;
  const haveLength = receiver?.haveLength;
  if (!receiver || typeof haveLength !== 'function' || typeof receiver.createError !== 'function') {
    throw new Error('ws receiver internals changed: the local WebSocket frame limit cannot be applied');
  }
  receiver.haveLength = function (this: Record<string, unknown> & { createError: (...a: unknown[]) => Error }, cb: (err?: Error) => void) {
    if ((this._opcode as number) < 0x08 && (this._payloadLength as number) > WS_LIMITS.frameBytes) {
      cb(this.createError(RangeError, 'Max frame size exceeded', false, 1009, 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH'));
      return;
    }
    return (haveLength as (cb: unknown) => unknown).call(this, cb);
  };
}
