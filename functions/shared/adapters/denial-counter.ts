// Denied-thread-access counters for enumeration detection: one item per (user, window) with an
// atomic count and a once-only `flagged` mark set by a conditional update. Expired by TTL.
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DenialCounter } from '../core/enumeration';
import { keys } from '../core/keys';
import { conditionFailedItem, isConditionFailed, writeToken } from './dynamo-writes';

export class DynamoDbDenialCounter implements DenialCounter {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private key(userId: string, windowStart: number) {
    return { PK: keys.denialsPk(userId), SK: keys.denialsSk(windowStart) };
  }

  async addDenial(userId: string, windowStart: number, expiresAt: number): Promise<number> {
    const res = await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: this.key(userId, windowStart),
        UpdateExpression: 'ADD #count :one SET expiresAt = if_not_exists(expiresAt, :exp), #type = :type',
        ExpressionAttributeNames: { '#count': 'count', '#type': 'type' },
        ExpressionAttributeValues: { ':one': 1, ':exp': expiresAt, ':type': 'denials' },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(res.Attributes?.count ?? 0);
  }

  async markFlagged(userId: string, windowStart: number, expiresAt: number): Promise<boolean> {
    // The mark is this caller's token, so an SDK retry of the same update (reply lost) still knows
    // it was the one that set it.
    const token = writeToken();
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.key(userId, windowStart),
          UpdateExpression: 'SET flagged = :token, expiresAt = if_not_exists(expiresAt, :exp)',
          ConditionExpression: 'attribute_not_exists(flagged)',
          ExpressionAttributeValues: { ':token': token, ':exp': expiresAt },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailed(err)) return conditionFailedItem(err)?.flagged?.S === token;
      throw err;
    }
  }
}
