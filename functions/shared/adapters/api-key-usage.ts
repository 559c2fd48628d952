// `lastUsedAt` without a write per request: the authorizer already holds the lookup item, so it
// writes only when the stored time is older than the resolution, and a condition on that time
// lets exactly one of many concurrent requests win. Both the lookup and the reference item (what
// GET /api-keys reads) change together.
import type { ApiKeyRecord, ApiKeyUsage } from '../core/authenticate';
import { keys } from '../core/keys';
import type { Clock } from '../core/ports';
import type { Sdk } from './api-key-lookup';
import { tenantIdOf } from './tenant-id';

/** `lastUsedAt` is accurate to this many seconds. */
export const LAST_USED_RESOLUTION_SECONDS = 60;

export interface DynamoDbApiKeyUsageProps {
  /** The lazily imported SDK (see lazyDocumentClient): JWT requests never load it. */
  readonly sdk: () => Promise<Sdk>;
  readonly tableName: string;
  readonly clock: Clock;
  /** Receives unexpected failures (the authorizer's logger); the request still succeeds. */
  readonly onError?: (err: unknown) => void;
}

export class DynamoDbApiKeyUsage implements ApiKeyUsage {
  constructor(private readonly props: DynamoDbApiKeyUsageProps) {}

  async noteUse(sha256Hex: string, record: ApiKeyRecord): Promise<void> {
    const now = this.props.clock.now();
    const resolutionMs = LAST_USED_RESOLUTION_SECONDS * 1000;
    if (record.lastUsedAt && now.getTime() - Date.parse(record.lastUsedAt) < resolutionMs) return;
    const at = now.toISOString();
    const cutoff = new Date(now.getTime() - resolutionMs).toISOString();
    const { tableName } = this.props;
    try {
      const { client, lib } = await this.props.sdk();
      await client.send(
        new lib.TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: tableName,
                Key: { PK: keys.apiKeyLookupPk(sha256Hex), SK: keys.apiKeyLookupSk() },
                UpdateExpression: 'SET lastUsedAt = :at',
                ConditionExpression: 'attribute_exists(PK) AND (attribute_not_exists(lastUsedAt) OR lastUsedAt < :cutoff)',
                ExpressionAttributeValues: { ':at': at, ':cutoff': cutoff },
              },
            },
            {
              Update: {
                TableName: tableName,
                Key: { PK: keys.userPk(tenantIdOf(record.ownerId)), SK: keys.apiKeyRefSk(record.keyId) },
                UpdateExpression: 'SET lastUsedAt = :at',
                ConditionExpression: 'attribute_exists(PK)',
                ExpressionAttributeValues: { ':at': at },
              },
            },
          ],
        }),
      );
    } catch (err) {
      // Cancelled: a concurrent request already noted this minute, or the key was just revoked.
      if ((err as Error)?.name !== 'TransactionCanceledException') this.props.onError?.(err);
    }
  }
}
