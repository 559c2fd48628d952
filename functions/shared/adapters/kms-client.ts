// The KMS client: the SDK's own endpoint override (AWS_ENDPOINT_URL_KMS) and credentials, except that
// a loopback endpoint (the local stand-in, infra/local/kms-stand-in.ts) gets fixed local credentials,
// as DynamoDB Local does (dynamo-endpoint.ts).
import { KMSClient } from '@aws-sdk/client-kms';
import { isLoopbackUrl } from '../config';

export function createKmsClient(endpoint: string | undefined): KMSClient {
  const local = endpoint !== undefined && isLoopbackUrl(endpoint);
  return new KMSClient({
    maxAttempts: 3,
    ...(local ? { endpoint, region: process.env.AWS_REGION ?? 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  });
}
