// Throttling, DynamoDB's 5xx and an unreachable database become the documented 503 with
// Retry-After, never a 500; other failures stay a 500 that says nothing about them.
import { createServer } from 'node:net';
import { DynamoDBClient, GetItemCommand, ProvisionedThroughputExceededException, InternalServerError } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { TransactionCancelled, UnprocessedItemsError } from '../../../functions/shared/adapters/dynamo-writes';
import { toErrorResponse } from '../../../functions/shared/lambda/error-map';

const unavailable = { error: { code: 'service_unavailable', message: 'Service temporarily unavailable; retry later' } };

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('503 service_unavailable', () => {
  it.each([
    ['throughput exceeded', new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: { httpStatusCode: 400 } })],
    ['DynamoDB internal error', new InternalServerError({ message: 'boom', $metadata: { httpStatusCode: 500 } })],
    ['a transaction cancelled by throttling', new TransactionCancelled([{ Code: 'None' }, { Code: 'ThrottlingError' }])],
    ['batch items left unprocessed', new UnprocessedItemsError()],
  ])('%s', (_name, err) => {
    const mapped = toErrorResponse(err);
    expect(mapped.statusCode).toBe(503);
    expect(mapped.body).toEqual(unavailable);
    expect(Number(mapped.headers['Retry-After'])).toBeGreaterThanOrEqual(1);
  });

  it('a database nobody answers on, after the SDK gave up', async () => {
    const client = new DynamoDBClient({
      endpoint: `http://127.0.0.1:${await closedPort()}`,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 2,
    });
    const err = await client.send(new GetItemCommand({ TableName: 't', Key: { PK: { S: 'a' } } })).catch((e: unknown) => e);
    const mapped = toErrorResponse(err);
    expect(mapped.statusCode).toBe(503);
    expect(mapped.body).toEqual(unavailable);
    expect(mapped.headers['Retry-After']).toBe('5');
  });

  it('leaves a failed condition in a transaction and unknown errors a plain 500', () => {
    for (const err of [new TransactionCancelled([{ Code: 'ConditionalCheckFailed' }]), new Error('ECONNREFUSED in a message only'), new TypeError('x')]) {
      const mapped = toErrorResponse(err);
      expect(mapped.statusCode).toBe(500);
      expect(mapped.body).toEqual({ error: { code: 'internal', message: 'Internal server error' } });
      expect(mapped.headers['Retry-After']).toBeUndefined();
    }
  });
});
