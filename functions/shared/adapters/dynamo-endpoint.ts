// Where a DynamoDB client points, for every client the functions build (the stores' and the
// authorizers' lazily loaded one): DYNAMODB_ENDPOINT when set; a loopback endpoint (DynamoDB Local)
// gets fixed local credentials so every local process shares one database, any other endpoint the
// default credential chain. No SDK import: the authorizer loads the SDK only on first use.
import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { isLoopbackUrl, type TableConfig } from '../config';

export function dynamoEndpoint(config: TableConfig): DynamoDBClientConfig {
  if (!config.endpoint) return {};
  if (!isLoopbackUrl(config.endpoint)) return { endpoint: config.endpoint };
  return { endpoint: config.endpoint, region: process.env.AWS_REGION ?? 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
}
