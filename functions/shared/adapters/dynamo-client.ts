// One DynamoDB document client per cold start. Locally it points at DynamoDB Local (or whatever
// DYNAMODB_ENDPOINT names; dynamo-endpoint.ts).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TableConfig } from '../config';
import { dynamoEndpoint } from './dynamo-endpoint';

export function createDocumentClient(config: TableConfig): DynamoDBDocumentClient {
  const client = new DynamoDBClient({ ...dynamoEndpoint(config.endpoint), maxAttempts: 5 });
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}
