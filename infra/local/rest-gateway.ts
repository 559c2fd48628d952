// A small API Gateway REST emulation: route matching, REQUEST authorizers with IAM policy
// enforcement, the proxy event and context exactly as API Gateway builds them, gateway responses.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type {
  APIGatewayAuthorizerResult,
  APIGatewayProxyEvent,
  APIGatewayProxyResult,
  APIGatewayRequestAuthorizerEvent,
} from 'aws-lambda';
import { integrationTimeoutSecondsOf, type AuthKind, type RouteDef } from '../routes';
import { gatewayCorsHeaders, gatewayStaticHeaders, gatewayResponse, gatewayResponseBody, type GatewayResponseType } from '../gateway-responses';
import { preflightHeaders } from '../../functions/shared/core/cors';
import { SECURITY_HEADERS } from '../../functions/shared/core/security-headers';
import { isAllowed } from './iam-policy';
import { isStreamingHandler, LocalResponseStream, type LocalFunction } from './lambda-runtime';

/** API Gateway's own payload limit; functions enforce the smaller API limits themselves. */
const GATEWAY_MAX_BODY = 10 * 1024 * 1024;
const API_ID = 'local';
const ACCOUNT = '000000000000';
const REGION = 'local';

export interface RestGatewayOptions {
  readonly routes: readonly RouteDef[];
  readonly functions: Readonly<Record<string, LocalFunction>>;
  /** Authorizer function per auth kind (public routes have none). */
  readonly authorizers: Readonly<Partial<Record<AuthKind, LocalFunction>>>;
  readonly corsOrigins: readonly string[];
  readonly stage: string;
  /** The reply routes' integration timeout (REPLY_TIMEOUT_SECONDS); every other route has its own or API Gateway's 29 s. */
  readonly replyTimeoutSeconds: number;
  readonly onAccessLog?: (entry: Record<string, unknown>) => void;
}

interface Resource {
  readonly template: string;
  readonly pattern: RegExp;
  readonly paramNames: string[];
  readonly literalSegments: number;
  readonly methods: Map<string, RouteDef>;
}

function compileResources(routes: readonly RouteDef[]): Resource[] {
  const byPath = new Map<string, Resource>();
  for (const r of routes) {
    let res = byPath.get(r.path);
    if (!res) {
      const paramNames: string[] = [];
      const segments = r.path.split('/').filter(Boolean);
      const pattern = segments
        .map((s) => {
          const m = /^\{(\w+)\}$/.exec(s);
          if (m) {
            paramNames.push(m[1]!);
            return '/([^/]+)';
          }
          return `/${s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`;
        })
        .join('');
      res = {
        template: r.path,
        pattern: new RegExp(`^${pattern}/?$`),
        paramNames,
        literalSegments: segments.filter((s) => !s.startsWith('{')).length,
        methods: new Map(),
      };
      byPath.set(r.path, res);
    }
    res.methods.set(r.method, r);
  }
  // API Gateway prefers literal path parts over variables.
  return [...byPath.values()].sort((a, b) => b.literalSegments - a.literalSegments);
}

/**
 * Matches the path as it came on the wire. A REST API's Lambda proxy event carries `path` and
 * `pathParameters` still percent-encoded, exactly as the client sent them (`%7C`, `%40`, `%3A`,
 * `%20` and `%2F` alike; an encoded slash stays inside its segment): a deployed `/posts/%40` hands
 * the function `%40` (serverless/serverless#5037, https://github.com/serverless/serverless/issues/5037),
 * and live captures show REST APIs preserve the path's encoding where HTTP APIs decode it
 * (https://github.com/middleapi/standard-server/pull/93, citing hotsock/voker#8). The functions
 * decode a parameter once (functions/shared/lambda/validation.ts `pathParam`).
 */
function matchResource(resources: Resource[], path: string): { res: Resource; params: Record<string, string> } | null {
  for (const res of resources) {
    const m = res.pattern.exec(path);
    if (!m) continue;
    const params: Record<string, string> = {};
    res.paramNames.forEach((n, i) => (params[n] = m[i + 1]!));
    return { res, params };
  }
  return null;
}

class BodyTooLarge extends Error {}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > GATEWAY_MAX_BODY) throw new BodyTooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function headerMaps(req: IncomingMessage) {
  const headers: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    const value = req.rawHeaders[i + 1]!;
    headers[name] = value;
    (multi[name] ??= []).push(value);
  }
  return { headers, multi };
}

function queryMaps(url: URL) {
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const [k, v] of url.searchParams) {
    single[k] = v;
    (multi[k] ??= []).push(v);
  }
  const any = Object.keys(single).length > 0;
  return { single: any ? single : null, multi: any ? multi : null };
}

const isPrimitive = (v: unknown) => ['string', 'number', 'boolean'].includes(typeof v);

/**
 * The method ARN API Gateway hands a REST authorizer and checks its policy against: the request's
 * own method and path (not the resource template). The authorizer allows exactly this ARN.
 */
export const restMethodArn = (stage: string, method: string, path: string): string =>
  `arn:aws:execute-api:${REGION}:${ACCOUNT}:${API_ID}/${stage}/${method}${path}`;

/** What one request came to: its status and the access log's extra fields. */
interface Finished {
  readonly status: number;
  readonly extra?: Record<string, unknown>;
}

type GatewayResponder = (res: ServerResponse, type: GatewayResponseType, status?: number) => Finished;

/** Writes an API Gateway gateway response (the deployed mapping's headers and body). */
function gatewayResponder(corsOrigins: readonly string[]): GatewayResponder {
  return (res, type, status) => {
    const def = gatewayResponse(type);
    res.writeHead(def.statusCode ?? status ?? 500, {
      'Content-Type': 'application/json',
      ...gatewayStaticHeaders(def),
      // The deployed mapping echoes the request's Origin (gateway-responses.ts); none without an allow-list.
      ...(corsOrigins.length > 0 ? gatewayCorsHeaders(res.req.headers.origin) : {}),
      'x-amzn-ErrorType': type,
    });
    res.end(gatewayResponseBody(def));
    return { status: res.statusCode };
  };
}

/** The request as API Gateway has parsed it, before any authorizer ran. */
interface ParsedRequest {
  readonly requestId: string;
  readonly started: number;
  readonly method: string;
  /** The raw path (URL() would re-encode some characters and resolve dot segments). */
  readonly path: string;
  readonly sourceIp: string;
  readonly headers: Record<string, string>;
  readonly multiHeaders: Record<string, string[]>;
  readonly query: ReturnType<typeof queryMaps>;
}

function parseRequest(req: IncomingMessage): ParsedRequest {
  const { headers, multi } = headerMaps(req);
  return {
    requestId: randomUUID(),
    started: Date.now(),
    method: (req.method ?? 'GET').toUpperCase(),
    path: (req.url ?? '/').split('?')[0] || '/',
    sourceIp: (req.socket.remoteAddress ?? '').replace(/^::ffff:/, ''),
    headers,
    multiHeaders: multi,
    query: queryMaps(new URL(req.url ?? '/', 'http://localhost')),
  };
}

/** `requestContext` as a REST API builds it for the authorizer and the integration. */
function requestContextFor(req: IncomingMessage, parsed: ParsedRequest, route: RouteDef, stage: string) {
  return {
    accountId: ACCOUNT,
    apiId: API_ID,
    authorizer: null as Record<string, unknown> | null,
    domainName: req.headers.host ?? 'localhost',
    domainPrefix: 'localhost',
    httpMethod: parsed.method,
    identity: {
      sourceIp: parsed.sourceIp,
      userAgent: req.headers['user-agent'] ?? null,
      accessKey: null,
      accountId: null,
      apiKey: null,
      apiKeyId: null,
      caller: null,
      clientCert: null,
      cognitoAuthenticationProvider: null,
      cognitoAuthenticationType: null,
      cognitoIdentityId: null,
      cognitoIdentityPoolId: null,
      principalOrgId: null,
      user: null,
      userArn: null,
    },
    path: `/${stage}${parsed.path}`,
    protocol: 'HTTP/1.1',
    requestId: parsed.requestId,
    requestTime: new Date().toUTCString(),
    requestTimeEpoch: Date.now(),
    resourceId: 'local',
    resourcePath: route.path,
    stage,
  };
}

type RequestContext = ReturnType<typeof requestContextFor>;

/**
 * Runs a REQUEST authorizer and enforces its policy on the method ARN.
 * @returns the context the integration sees, or the gateway response that ended the request.
 */
async function authorizeRequest(
  authorizer: LocalFunction,
  event: APIGatewayRequestAuthorizerEvent,
  parsed: ParsedRequest,
  refuse: (type: GatewayResponseType, status?: number, extra?: Record<string, unknown>) => Finished,
): Promise<{ passed: Record<string, unknown> } | Finished> {
  let result: APIGatewayAuthorizerResult;
  try {
    result = (await authorizer.invoke(event)) as APIGatewayAuthorizerResult;
  } catch (err) {
    // Only the exact message `Unauthorized` is a 401; any other failure is API Gateway's
    // AuthorizerConfigurationException (gateway-responses.ts).
    const type = (err as Error)?.message === 'Unauthorized' ? 'UNAUTHORIZED' : 'AUTHORIZER_CONFIGURATION_ERROR';
    return refuse(type, 500, { authorizer: type });
  }
  const context = result?.context ?? {};
  if (typeof result?.principalId !== 'string' || !Object.values(context).every(isPrimitive)) {
    return refuse('AUTHORIZER_CONFIGURATION_ERROR', undefined, { authorizer: 'invalid_result' }); // AuthorizerConfigurationException
  }
  if (!isAllowed(result.policyDocument, event.methodArn)) return refuse('ACCESS_DENIED');
  // REST APIs hand context values to the integration as strings, plus principalId.
  const passed: Record<string, unknown> = { principalId: result.principalId, integrationLatency: Date.now() - parsed.started };
  for (const [k, v] of Object.entries(context)) passed[k] = String(v);
  return { passed };
}

const TIMED_OUT = Symbol('integration timeout');

/**
 * The invocation's outcome, or TIMED_OUT once the route's integration timeout has passed. The
 * invocation itself is not stopped here (its later outcome is ignored), as API Gateway leaves a
 * function running when it gives up on it.
 */
async function withinTimeout<T>(invocation: Promise<T>, timeoutMs: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<typeof TIMED_OUT>((resolve) => (timer = setTimeout(() => resolve(TIMED_OUT), timeoutMs)));
  try {
    return await Promise.race([invocation, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * No answer within the integration timeout: API Gateway's INTEGRATION_TIMEOUT, a 504 that takes the
 * DEFAULT_5XX mapping (no mapping of its own in gateway-responses.ts).
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
 */
const integrationTimeout = (res: ServerResponse, respond: GatewayResponder): Finished => ({ ...respond(res, 'DEFAULT_5XX', 504), status: 504, extra: { integration: 'timeout' } });

/**
 * A response-streaming integration: bytes go to the client as the function writes them, until the
 * route's integration timeout. Then API Gateway closes the stream: a client that has its status and
 * some of the body sees the transfer end without its last chunk (curl: "(18) transfer closed with
 * outstanding read data remaining", https://docs.aws.amazon.com/apigateway/latest/developerguide/response-streaming-troubleshoot.html);
 * one that has nothing yet gets the 504. The function's Lambda timeout is its route's
 * (routes.ts `timeoutSecondsOf`), so deployed it stops there too; here its stream is destroyed,
 * the nearest an in-process function comes to being stopped: its next write fails and it writes
 * (and stores) nothing more.
 */
async function invokeStreaming(fn: LocalFunction, event: APIGatewayProxyEvent, res: ServerResponse, requestId: string, respond: GatewayResponder, timeoutMs: number): Promise<Finished> {
  const stream = new LocalResponseStream(res, { 'x-amzn-RequestId': requestId });
  const invocation = fn.invoke(event, stream).then(() => {
    if (!stream.writableEnded) stream.end();
  });
  try {
    if ((await withinTimeout(invocation, timeoutMs)) === TIMED_OUT) {
      stream.destroy();
      if (!stream.opened) return integrationTimeout(res, respond);
      res.destroy();
      return { status: res.statusCode, extra: { streaming: true, integration: 'timeout' } };
    }
  } catch (err) {
    if (!stream.opened) return { ...respond(res, 'DEFAULT_5XX', 502), status: 502, extra: { integration: 'error', error: String((err as Error)?.message) } };
    res.destroy(); // mid-stream crash: the client sees a truncated stream, as with API Gateway
  }
  return { status: res.statusCode, extra: { streaming: true } };
}

/** A Lambda proxy integration: one JSON result becomes the response (or the 504 after the integration timeout). */
async function invokeBuffered(fn: LocalFunction, event: APIGatewayProxyEvent, res: ServerResponse, requestId: string, respond: GatewayResponder, timeoutMs: number): Promise<Finished> {
  let result: APIGatewayProxyResult | typeof TIMED_OUT;
  try {
    result = (await withinTimeout(fn.invoke(event), timeoutMs)) as APIGatewayProxyResult | typeof TIMED_OUT;
  } catch {
    return { ...respond(res, 'DEFAULT_5XX', 502), status: 502, extra: { integration: 'error' } };
  }
  if (result === TIMED_OUT) return integrationTimeout(res, respond);
  if (!result || typeof result.statusCode !== 'number') {
    return { ...respond(res, 'DEFAULT_5XX', 502), status: 502, extra: { integration: 'malformed' } }; // malformed Lambda proxy response
  }
  const outHeaders: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(result.headers ?? {})) outHeaders[k] = String(v);
  for (const [k, v] of Object.entries(result.multiValueHeaders ?? {})) outHeaders[k] = v.map(String);
  outHeaders['x-amzn-RequestId'] = requestId;
  res.writeHead(result.statusCode, outHeaders);
  res.end(result.isBase64Encoded ? Buffer.from(result.body ?? '', 'base64') : (result.body ?? ''));
  return { status: result.statusCode };
}

export function createRestGateway(opts: RestGatewayOptions) {
  const resources = compileResources(opts.routes);
  const respond = gatewayResponder(opts.corsOrigins);

  /** Everything between the wire and the integration; each early return is a gateway response. */
  async function serve(req: IncomingMessage, res: ServerResponse, parsed: ParsedRequest): Promise<Finished> {
    const { method, path } = parsed;
    const matched = matchResource(resources, path);
    if (matched && method === 'OPTIONS') {
      // The CORS preflight mock integration (same rules as the deployed one).
      req.resume();
      res.writeHead(204, { ...SECURITY_HEADERS, ...preflightHeaders(req.headers.origin, opts.corsOrigins) });
      res.end();
      return { status: 204 };
    }
    // An unknown path, or a method the path does not have: API Gateway's MISSING_AUTHENTICATION_TOKEN.
    const route = matched?.res.methods.get(method);
    if (!matched || !route) {
      req.resume();
      return respond(res, 'MISSING_AUTHENTICATION_TOKEN');
    }
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch (err) {
      if (!(err instanceof BodyTooLarge)) throw err;
      respond(res, 'REQUEST_TOO_LARGE');
      req.destroy();
      return { status: 413 };
    }

    const pathParameters = Object.keys(matched.params).length > 0 ? matched.params : null;
    const requestContext: RequestContext = requestContextFor(req, parsed, route, opts.stage);
    if (route.auth !== 'public') {
      const authorizer = opts.authorizers[route.auth];
      if (!authorizer) throw new Error(`no authorizer for ${route.auth}`);
      const authEvent: APIGatewayRequestAuthorizerEvent = {
        type: 'REQUEST',
        methodArn: restMethodArn(opts.stage, method, path),
        resource: route.path,
        path,
        httpMethod: method,
        headers: parsed.headers,
        multiValueHeaders: parsed.multiHeaders,
        pathParameters,
        queryStringParameters: parsed.query.single,
        multiValueQueryStringParameters: parsed.query.multi,
        stageVariables: null,
        requestContext: { ...requestContext, authorizer: undefined } as never,
      };
      const outcome = await authorizeRequest(authorizer, authEvent, parsed, (type, status, extra) => ({ ...respond(res, type, status), ...(extra ? { extra } : {}) }));
      if (!('passed' in outcome)) return outcome;
      requestContext.authorizer = outcome.passed;
    }

    const event: APIGatewayProxyEvent = {
      resource: route.path,
      path,
      httpMethod: method,
      headers: parsed.headers,
      multiValueHeaders: parsed.multiHeaders,
      queryStringParameters: parsed.query.single,
      multiValueQueryStringParameters: parsed.query.multi,
      pathParameters,
      stageVariables: null,
      requestContext: requestContext as unknown as APIGatewayProxyEvent['requestContext'],
      body: body.length > 0 ? body.toString('utf8') : null,
      isBase64Encoded: false,
    };
    const fn = opts.functions[route.fn];
    if (!fn) throw new Error(`no function ${route.fn}`);
    if (isStreamingHandler(await fn.load()) !== (route.streaming === true)) {
      // The route table and the function disagree: deployed, the integration would fail too.
      throw new Error(`${route.method} ${route.path}: streaming flag does not match ${fn.name}`);
    }
    const timeoutMs = integrationTimeoutSecondsOf(route, opts.replyTimeoutSeconds) * 1000;
    return route.streaming ? invokeStreaming(fn, event, res, parsed.requestId, respond, timeoutMs) : invokeBuffered(fn, event, res, parsed.requestId, respond, timeoutMs);
  }

  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<number> {
    const parsed = parseRequest(req);
    const { status, extra } = await serve(req, res, parsed);
    opts.onAccessLog?.({ requestId: parsed.requestId, ip: parsed.sourceIp, method: parsed.method, path: parsed.path, status, ms: Date.now() - parsed.started, ...extra });
    return status;
  };
}
