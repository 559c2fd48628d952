// KMS refusing or throttling (its JSON protocol's errors, from a stand-in on 127.0.0.1 that also
// answers the keyring read in DynamoDB's JSON protocol) is a retryable 503 naming KMS for its alarm,
// never a 500; a key wrapped elsewhere stays "unreadable", not "retry".
import { createServer, type Server } from 'node:http';
import { KMSClient } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { kmsKeySource } from '../../../functions/shared/adapters/kek-source';
import { ContentUnreadableError, ServiceUnavailableError } from '../../../functions/shared/core/errors';
import { toErrorResponse } from '../../../functions/shared/lambda/error-map';

let server: Server;
let endpoint: string;
let answer: { status: number; type: string } = { status: 400, type: 'ThrottlingException' };
/** The keyring row the table holds: a wrapped KEK (so the source asks KMS to unwrap it) or none (so it asks for a new one). */
let wrapped: Uint8Array | null = null;

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (String(req.headers['x-amz-target']).startsWith('DynamoDB_20120810.')) {
        res.writeHead(200, { 'Content-Type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify(wrapped ? { Item: { wrapped: { B: Buffer.from(wrapped).toString('base64') } } } : {}));
        return;
      }
      res.writeHead(answer.status, { 'Content-Type': 'application/x-amz-json-1.1', 'x-amzn-RequestId': 'r' });
      res.end(JSON.stringify({ __type: answer.type, message: 'stand-in refusal' }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => server.close());

const local = { endpoint: '', region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 };
const source = (row: Uint8Array | null) => {
  wrapped = row;
  return kmsKeySource({
    kms: new KMSClient({ ...local, endpoint }),
    keyId: 'alias/threadguard-content',
    client: DynamoDBDocumentClient.from(new DynamoDBClient({ ...local, endpoint })),
    tableName: 't',
    clock: { now: () => new Date() },
  });
};

describe('KMS faults at the key-encryption-key source', () => {
  it.each([
    ['throttled unwrap', { status: 400, type: 'ThrottlingException' }, new Uint8Array([1, 2, 3])],
    ['unavailable unwrap', { status: 500, type: 'KMSInternalException' }, new Uint8Array([1, 2, 3])],
    ['throttled new key', { status: 400, type: 'ThrottlingException' }, null],
  ])('answers a %s with a retryable 503 that names KMS for its alarm', async (_n, kmsAnswer, row) => {
    answer = kmsAnswer;
    const err = await source(row).current().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceUnavailableError);
    expect((err as ServiceUnavailableError).dependency).toBe('kms');
    const mapped = toErrorResponse(err);
    expect(mapped.statusCode).toBe(503);
    expect(mapped.headers?.['Retry-After'] ?? mapped.headers?.['retry-after']).toBe('2');
  });

  it('keeps a key wrapped under another KMS key unreadable (not a retry)', async () => {
    answer = { status: 400, type: 'InvalidCiphertextException' };
    await expect(source(new Uint8Array([1])).current()).rejects.toBeInstanceOf(ContentUnreadableError);
  });
});
