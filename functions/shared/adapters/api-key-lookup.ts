// API key lookup by SHA-256: one GetItem on the lookup item, strongly consistent so a disable or
// revoke takes effect on the very next request (THREATS T8).
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ApiKeyLookup, ApiKeyRecord } from '../core/authenticate';
import { keys } from '../core/keys';

export class DynamoDbApiKeyLookup implements ApiKeyLookup {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async findByHash(sha256Hex: string): Promise<ApiKeyRecord | null> {
    const res = await this.client.send(
      new GetCommand({
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
    };
  }
}
