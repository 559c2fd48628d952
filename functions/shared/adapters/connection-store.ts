// WebSocket connection records (CONN#<connectionId>), with a TTL past API Gateway's 2-hour connection
// limit, and the owner's reference to each (USER#<userId> / CONN#<connectionId>), which the per-user
// connection cap counts.
import { DeleteCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { keys } from '../core/keys';
import type { Clock } from '../core/ports';
import { transactWrite } from './dynamo-writes';

/** API Gateway closes WebSocket connections after 2 hours; records live a little longer. */
const CONNECTION_TTL_SECONDS = 3 * 60 * 60;

export interface ConnectionStore {
  /**
   * Records the connection unless its user already has `maxPerUser` open ones; false then. Records
   * whose $disconnect never came stop counting when their TTL time passes. Two handshakes racing
   * at the cap can both pass the count (a bound of the cap plus the concurrent handshakes).
   */
  add(connectionId: string, userId: string, maxPerUser: number): Promise<boolean>;
  remove(connectionId: string): Promise<void>;
}

export function dynamoConnectionStore(client: DynamoDBDocumentClient, tableName: string, clock: Clock): ConnectionStore {
  const openCount = async (userId: string, nowSeconds: number): Promise<number> => {
    let count = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const res = await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
          FilterExpression: 'expiresAt > :now',
          ExpressionAttributeValues: { ':pk': keys.userPk(userId), ':prefix': keys.connectionRefSkPrefix(), ':now': nowSeconds },
          Select: 'COUNT',
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      count += res.Count ?? 0;
      start = res.LastEvaluatedKey;
    } while (start);
    return count;
  };
  return {
    async add(connectionId, userId, maxPerUser) {
      const now = clock.now();
      const nowSeconds = Math.floor(now.getTime() / 1000);
      if ((await openCount(userId, nowSeconds)) >= maxPerUser) return false;
      const expiresAt = nowSeconds + CONNECTION_TTL_SECONDS;
      await transactWrite(client, [
        {
          Put: {
            TableName: tableName,
            Item: { PK: keys.connectionPk(connectionId), SK: keys.connectionSk(), type: 'connection', userId, connectedAt: now.toISOString(), expiresAt },
          },
        },
        { Put: { TableName: tableName, Item: { PK: keys.userPk(userId), SK: keys.connectionRefSk(connectionId), type: 'connectionRef', expiresAt } } },
      ]);
      return true;
    },
    async remove(connectionId) {
      const res = await client.send(
        new DeleteCommand({ TableName: tableName, Key: { PK: keys.connectionPk(connectionId), SK: keys.connectionSk() }, ReturnValues: 'ALL_OLD' }),
      );
      const userId = res.Attributes?.userId;
      if (typeof userId === 'string') {
        await client.send(new DeleteCommand({ TableName: tableName, Key: { PK: keys.userPk(userId), SK: keys.connectionRefSk(connectionId) } }));
      }
    },
  };
}
