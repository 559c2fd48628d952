// The daily token counter in DynamoDB: one item per user and UTC day in the user's own partition
// (`USER#<userId>` / `TOKENS#<day>`), bumped by one atomic `ADD`, expired by TTL.
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { keys } from '../core/keys';
import type { TokenCounter } from '../core/token-budget';

export class DynamoDbTokenCounter implements TokenCounter {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async used(userId: string, day: string): Promise<number> {
    const res = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { PK: keys.userPk(userId), SK: keys.tokensSk(day) },
        ProjectionExpression: '#tokens',
        ExpressionAttributeNames: { '#tokens': 'tokens' },
        ConsistentRead: true,
      }),
    );
    return Number(res.Item?.tokens ?? 0);
  }

  async add(userId: string, day: string, tokens: number, expiresAt: number): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { PK: keys.userPk(userId), SK: keys.tokensSk(day) },
        UpdateExpression: 'ADD #tokens :n SET expiresAt = if_not_exists(expiresAt, :exp), #type = :type',
        ExpressionAttributeNames: { '#tokens': 'tokens', '#type': 'type' },
        ExpressionAttributeValues: { ':n': tokens, ':exp': expiresAt, ':type': 'tokens' },
      }),
    );
  }
}
