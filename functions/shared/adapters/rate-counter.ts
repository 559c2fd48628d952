// The rate-limit counter in DynamoDB: one item per (subject, bucket, minute), bumped by one atomic
// conditional UpdateItem. The condition refuses the hit once the window holds `limit`, so racing
// requests on any number of Lambda instances admit at most `limit` (THREATS T10). Expired by TTL.
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { keys } from '../core/keys';
import type { RateCounter } from '../core/rate-limit';
import { isConditionFailed } from './dynamo-writes';

export class DynamoDbRateCounter implements RateCounter {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async hit(input: Parameters<RateCounter['hit']>[0]): Promise<{ admitted: boolean; count: number }> {
    try {
      const res = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { PK: keys.ratePk(input.subject, input.bucket), SK: keys.rateSk(input.windowStart) },
          UpdateExpression: 'ADD #count :one SET expiresAt = if_not_exists(expiresAt, :exp), #type = :type',
          ConditionExpression: 'attribute_not_exists(#count) OR #count < :limit',
          ExpressionAttributeNames: { '#count': 'count', '#type': 'type' },
          ExpressionAttributeValues: { ':one': 1, ':limit': input.limit, ':exp': input.expiresAt, ':type': 'rate' },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return { admitted: true, count: Number(res.Attributes?.count ?? input.limit) };
    } catch (err) {
      if (isConditionFailed(err)) return { admitted: false, count: input.limit };
      throw err;
    }
  }
}
