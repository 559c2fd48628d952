// The local Lambda Invoke stand-in speaks the wire protocol the real @aws-sdk/client-lambda expects:
// an asynchronous invoke is accepted with 202 before the function runs (and a failure then is only
// reported, never retried), a synchronous one answers the function's result or its unhandled error,
// and an unknown function is the SDK's ResourceNotFoundException.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { InvokeCommand, LambdaClient, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import { startLambdaStandIn, type LambdaInvocation, type LambdaStandIn } from '../../../infra/local/lambda-invoke-stand-in';
import type { LocalFunction } from '../../../infra/local/lambda-runtime';

const REGION = 'eu-west-1';

/** A local function that records its payloads and finishes only when told to. */
function heldFunction(name: string) {
  const received: unknown[] = [];
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  const fn: LocalFunction = {
    name,
    load: async () => async () => undefined,
    invoke: async (payload) => {
      received.push(payload);
      if ((payload as { fail?: boolean }).fail) throw new TypeError('it broke');
      if ((payload as { hold?: boolean }).hold) await held;
      return { echoed: payload };
    },
  };
  return { fn, received, release: () => release() };
}

describe('local Lambda Invoke stand-in', () => {
  const job = heldFunction('job-local');
  const invocations: LambdaInvocation[] = [];
  const asyncErrors: string[] = [];
  let standIn: LambdaStandIn;
  let client: LambdaClient;

  beforeAll(async () => {
    standIn = await startLambdaStandIn({
      functions: [job.fn],
      region: REGION,
      onInvoke: (i) => invocations.push(i),
      onAsyncError: (name, err) => asyncErrors.push(`${name}: ${(err as Error).message}`),
    });
    client = new LambdaClient({ endpoint: standIn.endpoint, region: REGION, credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' }, maxAttempts: 1 });
  });
  afterAll(async () => {
    client.destroy();
    await standIn.stop();
  });

  const payload = (value: unknown) => Buffer.from(JSON.stringify(value));

  it('accepts an Event invocation with 202 and an empty body before the function has finished', async () => {
    const out = await client.send(new InvokeCommand({ FunctionName: 'job-local', InvocationType: 'Event', Payload: payload({ hold: true, n: 1 }) }));
    expect(out.StatusCode).toBe(202);
    expect(out.Payload?.length ?? 0).toBe(0);
    expect(job.received).toEqual([{ hold: true, n: 1 }]); // running, still held
    job.release();
    expect(invocations.at(-1)).toEqual({ functionName: 'job-local', invocationType: 'Event', status: 202 });
  });

  it('runs a function named by its ARN too, and reports an asynchronous failure without running it again', async () => {
    const arn = `arn:aws:lambda:${REGION}:000000000000:function:job-local`;
    const before = job.received.length;
    expect((await client.send(new InvokeCommand({ FunctionName: arn, InvocationType: 'Event', Payload: payload({ fail: true }) }))).StatusCode).toBe(202);
    await vi.waitUntil(() => asyncErrors.length > 0, { timeout: 2_000, interval: 10 });
    expect(asyncErrors).toEqual(['job-local: it broke']);
    expect(job.received.length - before).toBe(1);
  });

  it('answers a RequestResponse invocation with the result, or the unhandled error', async () => {
    const ok = await client.send(new InvokeCommand({ FunctionName: 'job-local', Payload: payload({ n: 2 }) }));
    expect(ok.StatusCode).toBe(200);
    expect(JSON.parse(Buffer.from(ok.Payload!).toString('utf8'))).toEqual({ echoed: { n: 2 } });
    const failed = await client.send(new InvokeCommand({ FunctionName: 'job-local', Payload: payload({ fail: true }) }));
    expect(failed.FunctionError).toBe('Unhandled');
    expect(JSON.parse(Buffer.from(failed.Payload!).toString('utf8'))).toEqual({ errorType: 'TypeError', errorMessage: 'it broke' });
  });

  it('refuses an unknown function with ResourceNotFoundException (404) and runs nothing', async () => {
    const before = job.received.length;
    const err = await client.send(new InvokeCommand({ FunctionName: 'nobody-local', InvocationType: 'Event', Payload: payload({}) })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResourceNotFoundException);
    expect((err as ResourceNotFoundException).$metadata.httpStatusCode).toBe(404);
    expect((err as ResourceNotFoundException).message).toContain('nobody-local');
    expect(job.received.length).toBe(before);
  });
});
