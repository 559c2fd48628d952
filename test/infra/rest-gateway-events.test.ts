// The local REST gateway hands a function `path` and `pathParameters` exactly as API Gateway's REST
// Lambda proxy event carries them: percent-encoded as the client sent them, an encoded slash kept
// inside its segment (sources in infra/local/rest-gateway.ts). Real HTTP in, the event captured
// by a stand-in function.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRestGateway } from '../../infra/local/rest-gateway';
import type { LocalFunction } from '../../infra/local/lambda-runtime';
import { ROUTES } from '../../infra/routes';

describe('local REST gateway proxy events', () => {
  const events: APIGatewayProxyEvent[] = [];
  const handler = async () => ({ statusCode: 200, body: '{}' });
  const fn = (name: string): LocalFunction => ({
    name,
    load: async () => handler,
    invoke: async (event) => (events.push(event as APIGatewayProxyEvent), handler()),
  });
  let server: Server;
  let base: string;

  beforeAll(async () => {
    const gateway = createRestGateway({
      // Every route public here: this test is about the event, not the authorizer.
      routes: ROUTES.filter((r) => r.method === 'GET').map((r) => ({ ...r, auth: 'public' as const })),
      functions: new Proxy({}, { get: (_, name) => fn(String(name)) }),
      authorizers: {},
      corsOrigins: [],
      stage: 'local',
      replyTimeoutSeconds: 300,
    });
    server = createServer((req, res) => void gateway(req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it.each([
    ['%7C', 'ab12cd34ef56:auth0%7Cabc'],
    ['%40', 'ab12cd34ef56:me%40example.com'],
    ['%3A', 'ab12cd34ef56%3Aauth0'],
    ['%20', 'ab12cd34ef56:first%20last'],
    ['%2F', 'ab12cd34ef56:team%2Fx'],
    ['lower-case hex', 'ab12cd34ef56:a%7cb'],
  ])('keeps %s percent-encoded in pathParameters and path', async (_name, userId) => {
    events.length = 0;
    const res = await fetch(`${base}/admin/users/${userId}/threads`);
    expect(res.status).toBe(200);
    expect(events).toHaveLength(1);
    expect(events[0]!.pathParameters).toEqual({ userId });
    expect(events[0]!.path).toBe(`/admin/users/${userId}/threads`);
    expect(events[0]!.resource).toBe('/admin/users/{userId}/threads');
    expect(events[0]!.requestContext.path).toBe(`/local/admin/users/${userId}/threads`);
  });
});
