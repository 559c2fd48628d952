// In Lambda (AWS_EXECUTION_ENV set), the content functions' AWS clients carry the X-Ray capture:
// the shared and per-user DynamoDB clients, STS, KMS and Bedrock. Outside Lambda the Tracer is off
// and clients are left as built (the local stack has no X-Ray daemon).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { STSClient } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { tenantClients } from '../../../functions/shared/adapters/tenant-clients';

const XRAY = 'XRaySDKInstrumentation';
const layers = (client: { middlewareStack: { identify(): string[] } }) => client.middlewareStack.identify().join(' ');
const local = { region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };

async function tracingIn(env: string | undefined) {
  const before = process.env.AWS_EXECUTION_ENV;
  if (env === undefined) delete process.env.AWS_EXECUTION_ENV;
  else process.env.AWS_EXECUTION_ENV = env;
  try {
    // A fresh Tracer reads the environment it is built in.
    const { Tracer } = await import('@aws-lambda-powertools/tracer');
    const tracer = new Tracer({ serviceName: 'threadguard' });
    return <T extends object>(client: T): T => tracer.captureAWSv3Client(client);
  } finally {
    if (before === undefined) delete process.env.AWS_EXECUTION_ENV;
    else process.env.AWS_EXECUTION_ENV = before;
  }
}

describe('AWS client tracing', () => {
  it('captures the shared, per-user, STS and KMS clients in Lambda', async () => {
    const traced = await tracingIn('AWS_Lambda_nodejs20.x');
    const { traced: shipped } = await import('../../../functions/shared/lambda/tracing');
    expect(typeof shipped).toBe('function');
    const shared = traced(DynamoDBDocumentClient.from(new DynamoDBClient({ ...local, endpoint: 'http://127.0.0.1:1' })));
    const clients = tenantClients({
      table: { tableName: 't', endpoint: 'http://127.0.0.1:1' } as never,
      shared,
      credentials: async () => ({ accessKeyId: 'a', secretAccessKey: 's', sessionToken: 't', expiration: new Date(Date.now() + 3_600_000) }),
      clock: { now: () => new Date() },
      instrument: traced,
    });
    expect(layers(shared)).toContain(XRAY);
    expect(layers(clients.forUser('alice'))).toContain(XRAY);
    expect(layers(traced(new STSClient(local)))).toContain(XRAY);
    expect(layers(traced(new KMSClient(local)))).toContain(XRAY);
  });

  it('leaves clients as built outside Lambda', async () => {
    const traced = await tracingIn(undefined);
    expect(layers(traced(new KMSClient(local)))).not.toContain(XRAY);
  });
});
