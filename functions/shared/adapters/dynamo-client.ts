// One DynamoDB document client per cold start. Locally it points at DynamoDB Local (or whatever
// DYNAMODB_ENDPOINT names: a loopback endpoint gets fixed local credentials, any other the default chain).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isLoopbackUrl, type TableConfig } from '../config';

export function createDocumentClient(config: TableConfig): DynamoDBDocumentClient {
  const client = new DynamoDBClient(
    config.endpoint && isLoopbackUrl(config.endpoint)
      ? {
          endpoint: config.endpoint,
          region: process.env.AWS_REGION ?? 'local',
          // DynamoDB Local accepts any credentials; fixed ones keep every local process on one database.
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
          maxAttempts: 5,
        }
      : { ...(config.endpoint ? { endpoint: config.endpoint } : {}), maxAttempts: 5 },
  );
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}
