// API key lookup by SHA-256: one GetItem on the lookup item, strongly consistent so a disable or
// revoke takes effect on the very next request (THREATS T8).
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ApiKeyLookup, ApiKeyRecord } from '../core/authenticate';
import { keys } from '../core/keys';
import { normalizeScopes } from '../core/scopes';
import type { TableConfig } from '../config';
import { dynamoEndpoint } from './dynamo-endpoint';

export type Sdk = { client: DynamoDBDocumentClient; lib: typeof import('@aws-sdk/lib-dynamodb') };

/**
 * Imports the AWS SDK on first use (dynamic import), so the authorizer's JWT path never pays its
 * ~90 ms module load on a cold start.
 */
export function lazyDocumentClient(config: TableConfig): () => Promise<Sdk> {
  let sdk: Promise<Sdk> | undefined;
  return () =>
    (sdk ??= (async () => {
      const [{ DynamoDBClient }, lib] = await Promise.all([
        import('@aws-sdk/client-dynamodb'),
        import('@aws-sdk/lib-dynamodb'),
      ]);
      return { client: lib.DynamoDBDocumentClient.from(new DynamoDBClient(dynamoEndpoint(config.endpoint))), lib };
    })());
}

export class DynamoDbApiKeyLookup implements ApiKeyLookup {
  constructor(
    private readonly sdk: () => Promise<Sdk>,
    private readonly tableName: string,
  ) {}

  async findByHash(sha256Hex: string): Promise<ApiKeyRecord | null> {
    const { client, lib } = await this.sdk();
    const res = await client.send(
      new lib.GetCommand({
        TableName: this.tableName,
        Key: { PK: keys.apiKeyLookupPk(sha256Hex), SK: keys.apiKeyLookupSk() },
        ConsistentRead: true,
      }),
    );
    const item = res.Item;
    if (!item || typeof item.ownerId !== 'string' || typeof item.keyId !== 'string') return null;
    return {
      keyId: item.keyId,
      ownerId: item.ownerId,
      readOnly: item.readOnly === true,
      enabled: item.enabled === true,
      lastUsedAt: typeof item.lastUsedAt === 'string' ? item.lastUsedAt : null,
      // Anything but a string is a key that never expires: only keys made before expiry existed lack it.
      expiresAt: typeof item.expiresAt === 'string' ? item.expiresAt : null,
      scopes: Array.isArray(item.scopes) ? normalizeScopes(item.scopes) : null,
    };
  }
}
