// The local REST gateway ends an integration at its route's timeout as API Gateway does: a streamed
// reply that already sent its status is cut (the client sees the transfer end without its last
// chunk, and the function's stream is closed so it writes nothing more); an integration that sent
// nothing gets the 504 (DEFAULT_5XX mapping). Real HTTP in, stand-in functions behind it.
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnyHandler, LocalFunction } from '../../infra/local/lambda-runtime';
import { createRestGateway } from '../../infra/local/rest-gateway';
import { ROUTES, type RouteDef } from '../../infra/routes';

/** The Lambda runtime's streaming globals, as infra/local/lambda-runtime.ts provides them. */
const runtime = (globalThis as unknown as {
  awslambda: { streamifyResponse: (h: (event: any, stream: Writable) => Promise<void>) => AnyHandler; HttpResponseStream: { from: (s: Writable, prelude: unknown) => Writable } };
}).awslambda;

interface Invocation {
  readonly stream: Writable;
  /** What a write after the stream closed reported. */
  lateWrite?: Promise<Error | null | undefined>;
}

describe('local REST gateway integration timeouts', () => {
  const invocations: Invocation[] = [];
  /** A reply function that opens its stream (thread `opens`) or stays silent (any other), then waits for its stream to close. */
  const reply = runtime.streamifyResponse(async (event: { pathParameters: { threadId: string } }, stream: Writable) => {
    const invocation: Invocation = { stream };
    invocations.push(invocation);
    if (event.pathParameters.threadId === 'opens') {
      const out = runtime.HttpResponseStream.from(stream, { statusCode: 200, headers: { 'Content-Type': 'text/event-stream' } });
      out.write('data: {"type":"text.delta","delta":"first"}\n\n');
    }
    await new Promise((resolve) => stream.once('close', resolve));
    invocation.lateWrite = new Promise((resolve) => stream.write('data: late\n\n', resolve));
  });
  const slowBuffered: AnyHandler = () => new Promise(() => undefined);
  const fn = (name: string, handler: AnyHandler): LocalFunction => ({ name, load: async () => handler, invoke: (...args) => (handler as (...a: unknown[]) => Promise<unknown>)(...args) });

  const messages = ROUTES.find((r) => r.path === '/threads/{threadId}/messages')!;
  const routes: RouteDef[] = [
    { ...messages, auth: 'public' },
    // A buffered route with a 1 s integration timeout of its own (API Gateway's default is 29 s).
    { method: 'GET', path: '/health', fn: 'health', auth: 'public', timeoutSeconds: 1 },
  ];
  let server: Server;
  let base: string;

  beforeAll(async () => {
    const gateway = createRestGateway({
      routes,
      functions: { messages: fn('messages-local', reply), health: fn('health-local', slowBuffered) },
      authorizers: {},
      corsOrigins: [],
      stage: 'local',
      replyTimeoutSeconds: 1,
    });
    server = createServer((req, res) => void gateway(req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  /** One request over a real socket: its status, body, how it ended and after how long. */
  const call = (method: string, path: string) =>
    new Promise<{ status: number; body: string; ending: 'complete' | 'cut'; ms: number }>((resolve, reject) => {
      const started = performance.now();
      const req = request(`${base}${path}`, { method }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        const done = (ending: 'complete' | 'cut') => resolve({ status: res.statusCode ?? 0, body, ending, ms: performance.now() - started });
        res.on('end', () => done('complete'));
        res.on('error', () => done('cut'));
      });
      req.on('error', reject);
      req.end(method === 'POST' ? '{}' : undefined);
    });

  it('cuts a streamed reply at replyTimeoutSeconds: status and first events received, then the transfer ends unfinished', async () => {
    invocations.length = 0;
    const res = await call('POST', '/threads/opens/messages');
    expect(res.status).toBe(200);
    expect(res.ending).toBe('cut');
    expect(res.body).toBe('data: {"type":"text.delta","delta":"first"}\n\n');
    expect(res.ms).toBeGreaterThanOrEqual(950);
    // The function's stream is closed with it: what it writes afterwards fails and reaches no one.
    expect(invocations).toHaveLength(1);
    await expect.poll(() => invocations[0]!.lateWrite).toBeDefined();
    expect(await invocations[0]!.lateWrite).toBeInstanceOf(Error);
  });

  it('answers 504 when a streamed integration sent nothing before its timeout', async () => {
    invocations.length = 0;
    const res = await call('POST', '/threads/silent/messages');
    expect(res).toMatchObject({ status: 504, ending: 'complete' });
    expect(JSON.parse(res.body)).toEqual({ error: { code: 'internal', message: 'Internal server error' } });
    await expect.poll(() => invocations[0]?.lateWrite).toBeDefined();
  });

  it('answers 504 when a buffered integration has not answered within its route\'s timeout', async () => {
    const res = await call('GET', '/health');
    expect(res).toMatchObject({ status: 504, ending: 'complete' });
    expect(res.ms).toBeGreaterThanOrEqual(950);
  });
});
