// A buffered function answers a request that runs into its deadline itself, with the documented
// 503 service_unavailable, before its Lambda timeout and API Gateway's 29 s integration timeout.
import { describe, expect, it } from 'vitest';
import { lambdaContext } from '../../../infra/local/lambda-runtime';
import { proxyEvent } from '../../helpers/proxy-event';
import { DEADLINE_MARGIN_MS, httpHandler, ok } from '../../../functions/shared/lambda/http-handler';

const event = proxyEvent;

describe('buffered request deadline', () => {
  const handler = httpHandler(
    {
      'GET /slow': () => new Promise(() => undefined), // a dependency that never answers
      'GET /fast': async () => ok({ done: true }),
    },
    { corsOrigins: [] },
  );

  it('answers 503 service_unavailable with Retry-After when the work outlives the deadline', async () => {
    // The Lambda context says 100 ms are left beyond the margin: the deadline falls then.
    const res = await handler(event('/slow'), lambdaContext('deadline-test', DEADLINE_MARGIN_MS + 100));
    expect(res.statusCode).toBe(503);
    expect(res.headers?.['Retry-After']).toBe('1');
    expect(JSON.parse(res.body)).toEqual({ error: { code: 'service_unavailable', message: 'The request took too long; retry later' } });
  });

  it('answers normally when the work finishes in time', async () => {
    const res = await handler(event('/fast'), lambdaContext('deadline-test', 28_000));
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ done: true });
  });
});
