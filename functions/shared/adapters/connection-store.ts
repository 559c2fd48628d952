// WebSocket connection records (CONN#<connectionId>), with a TTL past API Gateway's 2-hour connection
// limit, and the per-user connection cap as slots: USER#<userId> / CONNSLOT#<tenant> / CONNSLOT#<n> for n below the cap,
// each held by one connection. A handshake takes a free (or expired) slot with a conditional write,
// so racing handshakes can never hold more slots than the cap.
import { createHash } from 'node:crypto';
import { DeleteCommand, GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { keys } from '../core/keys';
import type { Clock } from '../core/ports';
import { fromAuthorizerContext, toAuthorizerContext, type Principal } from '../core/principal';
import { queryAll } from './dynamo-reads';
import { tenantIdOf } from './tenant-id';
import { isConditionFailed, TransactionCancelled, transactWrite } from './dynamo-writes';

/** API Gateway closes WebSocket connections after 2 hours; records live a little longer. */
const CONNECTION_TTL_SECONDS = 3 * 60 * 60;

export interface ConnectionStore {
  /**
   * Records the connection in a free slot unless all `maxPerUser` are held; false then. A slot
   * whose $disconnect never came frees itself when its TTL time passes.
   */
  add(connectionId: string, principal: Principal, maxPerUser: number): Promise<boolean>;
  remove(connectionId: string): Promise<void>;
  /** The user's open connections (those holding a slot) and the credential each was opened with (null: recorded before credentials were). */
  ofUser(userId: string): Promise<Array<{ connectionId: string; principal: Principal | null }>>;
}

export function dynamoConnectionStore(client: DynamoDBDocumentClient, tableName: string, clock: Clock): ConnectionStore {
  /** The slots held now and their connections (a consistent read, so a slot just taken is seen). */
  const liveSlots = async (userId: string, nowSeconds: number): Promise<Array<{ slot: number; connectionId: string }>> => {
    const rows = await queryAll(client, {
      TableName: tableName,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.connectionSlotPk(tenantIdOf(userId)), ':prefix': keys.connectionSlotSkPrefix() },
      ProjectionExpression: 'slot, connectionId, expiresAt',
      ConsistentRead: true,
    });
    return rows
      .filter((r) => typeof r.slot === 'number' && typeof r.connectionId === 'string' && Number(r.expiresAt) > nowSeconds)
      .map((r) => ({ slot: r.slot as number, connectionId: r.connectionId as string }));
  };
  return {
    async add(connectionId, principal, maxPerUser) {
      const { userId } = principal;
      // The credential, so a later handshake can tell a connection whose credential ended (core/session-validity.ts); no email.
      const credential = toAuthorizerContext({ ...principal, email: null });
      const now = clock.now();
      const nowSeconds = Math.floor(now.getTime() / 1000);
      const expiresAt = nowSeconds + CONNECTION_TTL_SECONDS;
      // Each connection scans the slots from its own starting point, so racing handshakes mostly
      // aim at different slots. Every lost race means another handshake took a slot, so the loop
      // ends within the cap: admitted while a slot is free, refused once none is.
      const start = createHash('sha256').update(connectionId).digest().readUInt32BE(0) % Math.max(1, maxPerUser);
      for (let attempt = 0; attempt <= maxPerUser; attempt++) {
        const held = new Set((await liveSlots(userId, nowSeconds)).map((s) => s.slot));
        // Slots above a lowered cap still count until they are freed.
        if (held.size >= maxPerUser) return false;
        // Fewer than the cap are held, so one below it is free.
        const slot = Array.from({ length: maxPerUser }, (_, i) => (start + i) % maxPerUser).find((n) => !held.has(n))!;
        try {
          await transactWrite(client, [
            {
              Put: {
                TableName: tableName,
                Item: { PK: keys.connectionPk(connectionId), SK: keys.connectionSk(), type: 'connection', userId, slot, credential, connectedAt: now.toISOString(), expiresAt },
              },
            },
            {
              // Free, or held by a connection whose $disconnect never came (past its TTL time).
              Put: {
                TableName: tableName,
                Item: { PK: keys.connectionSlotPk(tenantIdOf(userId)), SK: keys.connectionSlotSk(slot), type: 'connectionSlot', slot, connectionId, expiresAt },
                ConditionExpression: 'attribute_not_exists(PK) OR expiresAt <= :now',
                ExpressionAttributeValues: { ':now': nowSeconds },
              },
            },
          ]);
          return true;
        } catch (err) {
          // A racing handshake took this slot first: look again.
          if (err instanceof TransactionCancelled && err.failedCondition() === 1) continue;
          throw err;
        }
      }
      return false; // never reached in practice: each lost race took one of the cap's slots
    },
    async remove(connectionId) {
      // The slot first, the record last: a failure in between leaves the record, which still names the slot.
      const recordKey = { PK: keys.connectionPk(connectionId), SK: keys.connectionSk() };
      const res = await client.send(new GetCommand({ TableName: tableName, Key: recordKey, ConsistentRead: true }));
      const { userId, slot } = res.Item ?? {};
      if (typeof userId === 'string' && typeof slot === 'number') await freeSlot(userId, slot, connectionId);
      await client.send(new DeleteCommand({ TableName: tableName, Key: recordKey }));
    },
    async ofUser(userId) {
      const nowSeconds = Math.floor(clock.now().getTime() / 1000);
      const ids = (await liveSlots(userId, nowSeconds)).map((s) => s.connectionId);
      return Promise.all(
        ids.map(async (connectionId) => {
          const res = await client.send(new GetCommand({ TableName: tableName, Key: { PK: keys.connectionPk(connectionId), SK: keys.connectionSk() }, ConsistentRead: true }));
          const credential = res.Item?.credential as Record<string, unknown> | undefined;
          return { connectionId, principal: credential ? fromAuthorizerContext({ ...credential, userId }) : null };
        }),
      );
    },
  };

  /** Only while this connection holds it: an expired slot may have passed to another. */
  async function freeSlot(userId: string, slot: number, connectionId: string): Promise<void> {
    try {
      await client.send(
        new DeleteCommand({
          TableName: tableName,
          Key: { PK: keys.connectionSlotPk(tenantIdOf(userId)), SK: keys.connectionSlotSk(slot) },
          ConditionExpression: 'connectionId = :id',
          ExpressionAttributeValues: { ':id': connectionId },
        }),
      );
    } catch (err) {
      if (!isConditionFailed(err)) throw err;
    }
  }
}
