// The rate-limit counter in DynamoDB: one item per (subject, bucket, minute), bumped by one atomic
// conditional UpdateItem. The condition refuses the hit once the window holds `limit`, so racing
// requests on any number of Lambda instances admit at most `limit` (THREATS T10), and an SDK retry
// of one hit counts once. Expired by TTL.
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../core/keys';
import type { RateCounter } from '../core/rate-limit';
import type { TenantClients } from './tenant-clients';
import { tenantIdOf } from './tenant-id';
import { conditionFailedItem, isConditionFailed, writeToken } from './dynamo-writes';

export class DynamoDbRateCounter implements RateCounter {
  constructor(
    private readonly clients: TenantClients,
    private readonly tableName: string,
  ) {}

  async hit(input: Parameters<RateCounter['hit']>[0]): Promise<{ admitted: boolean; count: number }> {
    // The hit's token is stored as the window's last hit. A retry of this same update (its reply
    // was lost, the SDK sent it again) finds its own token and is refused by the condition, which
    // reports the stored item: the hit counted once, and it was admitted.
    const token = writeToken();
    try {
      const res = await this.clients.forUser(input.subject).send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { PK: keys.ratePk(tenantIdOf(input.subject), input.bucket), SK: keys.rateSk(input.windowStart) },
          UpdateExpression: 'ADD #count :one SET expiresAt = if_not_exists(expiresAt, :exp), #type = :type, #last = :token',
          ConditionExpression: 'attribute_not_exists(#count) OR (#count < :limit AND #last <> :token)',
          ExpressionAttributeNames: { '#count': 'count', '#type': 'type', '#last': 'lastHit' },
          ExpressionAttributeValues: { ':one': 1, ':limit': input.limit, ':exp': input.expiresAt, ':type': 'rate', ':token': token },
          ReturnValues: 'UPDATED_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { admitted: true, count: Number(res.Attributes?.count ?? input.limit) };
    } catch (err) {
      if (!isConditionFailed(err)) throw err;
      const stored = conditionFailedItem(err);
      if (stored?.lastHit?.S === token) return { admitted: true, count: Number(stored.count?.N ?? input.limit) };
      return { admitted: false, count: input.limit };
    }
  }
}
