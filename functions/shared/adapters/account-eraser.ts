// Erases a user's rows: their whole partition (profile, threads, items, tasks, counters, key
// references, connection slots, the content key if still there) except the session record, plus
// the rows of theirs in other key families that the partition points at (API key lookups,
// WebSocket connection records). Paged and batched; safe to repeat. Rate counters, audit events and
// idempotency records expire by TTL (the latter are unreadable once the content key is gone).
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AccountEraser } from '../core/account';
import { keys } from '../core/keys';
import { queryPages } from './dynamo-reads';
import { batchDelete } from './dynamo-writes';

export function dynamoAccountEraser(client: DynamoDBDocumentClient, tableName: string): AccountEraser {
  return {
    async eraseAll(userId) {
      const PK = keys.userPk(userId);
      let erased = 0;
      const pages = queryPages(client, {
        TableName: tableName,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': PK },
        ProjectionExpression: 'PK, SK, keyHash, connectionId',
        ConsistentRead: true,
      });
      for await (const page of pages) {
        const rows = page.filter((r) => r.SK !== keys.sessionSk());
        const pointed = rows.flatMap((r) => [
          ...(typeof r.keyHash === 'string' ? [{ PK: keys.apiKeyLookupPk(r.keyHash), SK: keys.apiKeyLookupSk() }] : []),
          ...(typeof r.connectionId === 'string' ? [{ PK: keys.connectionPk(r.connectionId), SK: keys.connectionSk() }] : []),
        ]);
        // What the partition points at first: a failure leaves the pointers for the repeat to follow.
        await batchDelete(client, tableName, pointed);
        await batchDelete(client, tableName, rows.map(({ PK: pk, SK }) => ({ PK: pk, SK })));
        erased += rows.length + pointed.length;
      }
      return erased;
    },
  };
}
