// WebSocket connection records (CONN#<connectionId>), with a TTL past API Gateway's 2-hour connection limit.
import { DeleteCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { keys } from '../core/keys';
import type { Clock } from '../core/ports';

/** API Gateway closes WebSocket connections after 2 hours; records live a little longer. */
const CONNECTION_TTL_SECONDS = 3 * 60 * 60;

export interface ConnectionStore {
  add(connectionId: string, userId: string): Promise<void>;
  remove(connectionId: string): Promise<void>;
}

export function dynamoConnectionStore(client: DynamoDBDocumentClient, tableName: string, clock: Clock): ConnectionStore {
  return {
    async add(connectionId, userId) {
      const now = clock.now();
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            PK: keys.connectionPk(connectionId),
            SK: keys.connectionSk(),
            type: 'connection',
            userId,
            connectedAt: now.toISOString(),
            expiresAt: Math.floor(now.getTime() / 1000) + CONNECTION_TTL_SECONDS,
          },
        }),
      );
    },
    async remove(connectionId) {
      await client.send(
        new DeleteCommand({ TableName: tableName, Key: { PK: keys.connectionPk(connectionId), SK: keys.connectionSk() } }),
      );
    },
  };
}
