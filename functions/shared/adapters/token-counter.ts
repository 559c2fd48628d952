// The daily token counter in DynamoDB: one item per user and UTC day in the user's own partition
// (`USER#<userId>` / `TOKENS#<day>`): `tokens` (used) and `committed` (used plus the holds of replies
// in flight), each moved by one atomic conditional `UpdateItem`, expired by TTL.
//
// The same day item carries the usage counts (core/usage.ts): a reply's last settle adds its tally
// in the same UpdateItem, and adds the reply to the admin ranking's index row of the user's day.
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../core/keys';
import type { TokenCounter } from '../core/token-budget';
import type { ReplyTally } from '../core/usage-counts';
import { addToUsageIndex } from './usage-store';
import { userPartition, type TenantClients } from './tenant-clients';
import { conditionFailedItem, isConditionFailed, writeToken } from './dynamo-writes';

export class DynamoDbTokenCounter implements TokenCounter {
  constructor(
    private readonly clients: TenantClients,
    private readonly tableName: string,
    /** Adds each reply to the admin ranking's day index (functions that reply); off for tools and tests of the counter alone. */
    private readonly indexReplies = false,
  ) {}

  async used(userId: string, day: string): Promise<number> {
    const res = await userPartition(this.clients, userId).client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { PK: userPartition(this.clients, userId).pk, SK: keys.tokensSk(day) },
        ProjectionExpression: '#tokens',
        ExpressionAttributeNames: { '#tokens': 'tokens' },
        ConsistentRead: true,
      }),
    );
    return Number(res.Item?.tokens ?? 0);
  }

  async hold(userId: string, day: string, amount: number, limit: number, expiresAt: number): Promise<{ held: boolean; used: number }> {
    // `committed` is the day's tokens plus the holds of replies in flight. The hold's token is
    // stored as the last hold: an SDK retry of this update finds it and is not a second hold.
    const token = writeToken();
    try {
      const res = await userPartition(this.clients, userId).client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { PK: userPartition(this.clients, userId).pk, SK: keys.tokensSk(day) },
          // A day counted before holds existed has `tokens` only: `committed` starts from them. The
          // SET grammar allows the nesting (operand ::= path | if_not_exists(path, value)):
          // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.UpdateExpressions.html#Expressions.UpdateExpressions.SET
          UpdateExpression:
            'SET #committed = if_not_exists(#committed, if_not_exists(#tokens, :zero)) + :n, expiresAt = if_not_exists(expiresAt, :exp), #type = :type, #last = :token',
          ConditionExpression:
            '((attribute_not_exists(#committed) AND (attribute_not_exists(#tokens) OR #tokens < :limit)) OR #committed < :limit) AND (attribute_not_exists(#last) OR #last <> :token)',
          ExpressionAttributeNames: { '#committed': 'committed', '#tokens': 'tokens', '#type': 'type', '#last': 'lastHold' },
          ExpressionAttributeValues: { ':n': amount, ':zero': 0, ':limit': limit, ':exp': expiresAt, ':type': 'tokens', ':token': token },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { held: true, used: Number(res.Attributes?.tokens ?? 0) };
    } catch (err) {
      if (!isConditionFailed(err)) throw err;
      const stored = conditionFailedItem(err);
      const used = Number(stored?.tokens?.N ?? 0);
      return { held: stored?.lastHold?.S === token, used };
    }
  }

  async settle(userId: string, day: string, held: number, tokens: number, expiresAt: number, tally?: ReplyTally): Promise<void> {
    // As with a hold: the settle's token is stored, and an SDK retry of this update that finds it
    // has already been applied (a lost reply must not count a reply's tokens twice).
    const token = writeToken();
    const counts = tally
      ? { replies: 1, modelCalls: tally.modelCalls, inputTokens: tally.inputTokens, outputTokens: tally.outputTokens, toolCalls: tally.toolCalls }
      : {};
    const names = Object.fromEntries(Object.keys(counts).map((k) => [`#${k}`, k]));
    const values = Object.fromEntries(Object.entries(counts).map(([k, v]) => [`:${k}`, v]));
    const adds = Object.keys(counts).map((k) => `, #${k} :${k}`).join('');
    try {
      await userPartition(this.clients, userId).client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { PK: userPartition(this.clients, userId).pk, SK: keys.tokensSk(day) },
          UpdateExpression: `ADD #tokens :tokens, #committed :delta${adds} SET expiresAt = if_not_exists(expiresAt, :exp), #type = :type, #last = :token`,
          ConditionExpression: 'attribute_not_exists(#last) OR #last <> :token',
          ExpressionAttributeNames: { '#tokens': 'tokens', '#committed': 'committed', '#type': 'type', '#last': 'lastSettle', ...names },
          ExpressionAttributeValues: { ':tokens': tokens, ':delta': tokens - held, ':exp': expiresAt, ':type': 'tokens', ':token': token, ...values },
        }),
      );
    } catch (err) {
      if (!isConditionFailed(err)) throw err; // the condition fails only for this settle's own retry
    }
    if (tally && this.indexReplies) await addToUsageIndex(this.clients.shared, this.tableName, userId, day, tally);
  }
}
