// Where a DynamoDB client points, for every client the project builds (the stores', the
// authorizers' lazily loaded one, the local stack's and the benchmarks'): DYNAMODB_ENDPOINT when set; a loopback endpoint (DynamoDB Local)
// gets fixed local credentials so every local process shares one database, any other endpoint the
// default credential chain. No SDK import: the authorizer loads the SDK only on first use.
import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { isLoopbackUrl } from '../config';

export function dynamoEndpoint(endpoint: string | undefined): DynamoDBClientConfig {
  if (!endpoint) return {};
  if (!isLoopbackUrl(endpoint)) return { endpoint };
  // The local stack gives each function its own credentials (its execution role at the local IAM
  // wall); a process without any (a test or tool talking to DynamoDB Local itself) uses fixed ones.
  const own = process.env.AWS_ACCESS_KEY_ID && process.env.AWS_SECRET_ACCESS_KEY;
  return { endpoint, region: process.env.AWS_REGION ?? 'local', ...(own ? {} : { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }) };
}
