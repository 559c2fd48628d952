// The per-user fixed-window rate limit rule, the REST guard and the 429 the edge answers with.
import { describe, expect, it } from 'vitest';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { createRateLimiter, fixedWindow, rateLimitHeaders, rateSubject } from '../../../functions/shared/core/rate-limit';
import type { Principal } from '../../../functions/shared/core/principal';
import { RateLimitedError } from '../../../functions/shared/core/errors';
import { httpHandler, ok } from '../../../functions/shared/lambda/http-handler';
import { rateLimitGuard, requestsDecisionOf } from '../../../functions/shared/lambda/rate-limit-guard';
import { InMemoryRateCounter, settableClock } from '../../fakes/in-memory-counters';

const alice: Principal = { userId: 'iss:alice', roles: ['user'], authMethod: 'jwt', keyId: null, readOnly: false, email: null };
const aliceKey: Principal = { ...alice, authMethod: 'apiKey', keyId: 'K1' };
const bob: Principal = { ...alice, userId: 'iss:bob' };

function setup(limits = { requests: 3, respond: 2 }, at = '2025-01-01T10:00:10Z') {
  const clock = settableClock(at);
  const counter = new InMemoryRateCounter();
  return { clock, counter, limiter: createRateLimiter({ counter, clock, limits }) };
}

describe('fixedWindow', () => {
  it('starts windows on the minute and resets at the next one', () => {
    expect(fixedWindow(new Date('2025-01-01T10:00:59.999Z'))).toEqual({ start: 1735725600, resetAt: 1735725660 });
    expect(fixedWindow(new Date('2025-01-01T10:01:00Z')).start).toBe(1735725660);
  });
});

describe('createRateLimiter', () => {
  it('admits `limit` requests per user and minute, then refuses with the seconds left', async () => {
    const { limiter } = setup();
    const decisions = [];
    for (let i = 0; i < 5; i++) decisions.push(await limiter.check(alice, 'requests'));
    expect(decisions.map((d) => d.admitted)).toEqual([true, true, true, false, false]);
    expect(decisions.map((d) => d.remaining)).toEqual([2, 1, 0, 0, 0]);
    expect(decisions[3]).toMatchObject({ limit: 3, retryAfterSeconds: 50, resetAt: 1735725660 });
  });

  it('keeps users, buckets and windows apart', async () => {
    const { limiter, clock } = setup();
    for (let i = 0; i < 3; i++) await limiter.check(alice, 'requests');
    expect((await limiter.check(bob, 'requests')).admitted).toBe(true);
    expect((await limiter.check(alice, 'respond')).admitted).toBe(true);
    clock.set('2025-01-01T10:01:00Z');
    expect((await limiter.check(alice, 'requests')).admitted).toBe(true);
  });

  it('counts API-key traffic against the key owner, so minting keys does not multiply the budget', async () => {
    const { limiter } = setup();
    expect(rateSubject(aliceKey)).toBe(rateSubject(alice));
    await limiter.check(alice, 'requests');
    await limiter.check(aliceKey, 'requests');
    await limiter.check({ ...aliceKey, keyId: 'K2' }, 'requests');
    expect((await limiter.check(alice, 'requests')).admitted).toBe(false);
  });

  it('consume throws RateLimitedError with Retry-After seconds when over the limit', async () => {
    const { limiter } = setup({ requests: 1, respond: 1 });
    await limiter.consume(alice, 'respond');
    await expect(limiter.consume(alice, 'respond')).rejects.toMatchObject({ name: 'RateLimitedError', retryAfterSeconds: 50 });
  });

  it('writes the X-RateLimit headers from a decision', async () => {
    const { limiter } = setup();
    expect(rateLimitHeaders(await limiter.check(alice, 'requests'))).toEqual({
      'X-RateLimit-Limit': '3',
      'X-RateLimit-Remaining': '2',
      'X-RateLimit-Reset': '1735725660',
    });
  });
});

const context = { getRemainingTimeInMillis: () => 10_000, functionName: 'test', awsRequestId: 'r' } as unknown as Context;

function event(method: string, resource: string, principal: Principal | null, origin?: string): APIGatewayProxyEvent {
  return {
    httpMethod: method,
    resource,
    path: resource,
    headers: origin ? { Origin: origin } : {},
    body: null,
    isBase64Encoded: false,
    requestContext: {
      requestId: 'req-1',
      identity: { sourceIp: '203.0.113.1' },
      authorizer: principal
        ? { userId: principal.userId, roles: 'user', authMethod: principal.authMethod, keyId: principal.keyId ?? '', readOnly: 'false', email: '' }
        : null,
    },
  } as unknown as APIGatewayProxyEvent;
}

describe('rateLimitGuard at the edge', () => {
  const routes = {
    'GET /me': async () => ok({ ok: true }),
    'GET /health': async () => ok({ status: 'ok' }),
    'POST /threads/{threadId}/messages': async () => ok({ posted: true }),
  };

  it('answers over-limit requests with 429, Retry-After, rate headers and CORS, never running the controller', async () => {
    const { limiter } = setup({ requests: 2, respond: 10 });
    let ran = 0;
    const handler = httpHandler(
      { 'GET /me': async () => (ran++, ok({})) },
      { corsOrigins: ['https://app.example.com'], guards: [rateLimitGuard(limiter)] },
    );
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await handler(event('GET', '/me', alice, 'https://app.example.com'), context));
    expect(results.map((r) => r.statusCode)).toEqual([200, 200, 429]);
    expect(ran).toBe(2);
    const refused = results[2]!;
    expect(JSON.parse(refused.body)).toEqual({ error: { code: 'rate_limited', message: 'Rate limit exceeded' } });
    expect(refused.headers).toMatchObject({
      'Retry-After': '50',
      'X-RateLimit-Limit': '2',
      'X-RateLimit-Remaining': '0',
      'Access-Control-Allow-Origin': 'https://app.example.com',
    });
    expect(results[0]!.headers).toMatchObject({ 'X-RateLimit-Limit': '2', 'X-RateLimit-Remaining': '1' });
  });

  it('does not limit public routes (no principal)', async () => {
    const { limiter, counter } = setup({ requests: 1, respond: 1 });
    const handler = httpHandler(routes, { corsOrigins: [], guards: [rateLimitGuard(limiter)] });
    for (let i = 0; i < 3; i++) expect((await handler(event('GET', '/health', null), context)).statusCode).toBe(200);
    expect(counter.counts.size).toBe(0);
  });

  it('counts a message post once, in requests, and hands its decision to the controller (the reply use case adds respond)', async () => {
    const { limiter, counter } = setup({ requests: 10, respond: 2 });
    const seen: unknown[] = [];
    const handler = httpHandler(
      { 'POST /threads/{threadId}/messages': async (req) => (seen.push(requestsDecisionOf(req)), ok({})) },
      { corsOrigins: [], guards: [rateLimitGuard(limiter)] },
    );
    const res = await handler(event('POST', '/threads/{threadId}/messages', alice), context);
    expect(res.headers).toMatchObject({ 'X-RateLimit-Limit': '10', 'X-RateLimit-Remaining': '9' });
    expect(seen).toEqual([expect.objectContaining({ bucket: 'requests', admitted: true, remaining: 9 })]);
    expect([...counter.counts.keys()].every((k) => k.includes('|requests|'))).toBe(true);
  });

  it('maps RateLimitedError to 429 with Retry-After', async () => {
    const handler = httpHandler(
      { 'GET /me': async () => { throw new RateLimitedError(7); } },
      { corsOrigins: [] },
    );
    const res = await handler(event('GET', '/me', alice), context);
    expect(res.statusCode).toBe(429);
    expect(res.headers?.['Retry-After']).toBe('7');
  });
});
