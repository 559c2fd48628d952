// Erases a user's rows: their whole partition (profile, threads, items, tasks, counters, key
// references, the content key if still there) except the session record, the budget override and
// this month's token counts (keptThroughDeletion), its connection slots, plus
// the rows of theirs in other key families that the partition points at (API key lookups,
// WebSocket connection records, the user's Idempotency-Key records through their index and the
// threads' record lists). Paged and batched; safe to repeat. Rate counters and audit events expire by TTL.
import type { AccountEraser } from '../core/account';
import { keys } from '../core/keys';
import { queryAll, queryPages } from './dynamo-reads';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchDelete } from './dynamo-writes';
import { tenantIdOf } from './tenant-id';

/** Batches of 25 keys, this many in flight: a 1,000-thread account is some 120 batches. */
const CONCURRENT_BATCHES = 8;

/** Deletes `keys` in batches, several in flight, starting no batch after `until`; @returns whether all went. */
async function inParallel(client: DynamoDBDocumentClient, tableName: string, keys: Record<string, unknown>[], until: Date): Promise<boolean> {
  const chunks: Record<string, unknown>[][] = [];
  for (let i = 0; i < keys.length; i += 25) chunks.push(keys.slice(i, i + 25));
  let next = 0;
  const worker = async () => {
    while (next < chunks.length && Date.now() < until.getTime()) await batchDelete(client, tableName, chunks[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENT_BATCHES, chunks.length) }, worker));
  return next >= chunks.length;
}

/**
 * Rows that outlive the account: the session record (it refuses tokens issued before the deletion),
 * the budget an admin set and this month's token counts (counts only, no content; they expire by
 * TTL). Without them a deletion and a new sign-in with the same `sub` would reset the daily budget,
 * the monthly cap and an admin's override.
 */
function keptThroughDeletion(now: Date): (sk: string) => boolean {
  const thisMonth = keys.tokensSk(now.toISOString().slice(0, 7));
  return (sk) => sk === keys.sessionSk() || sk === keys.budgetSk() || sk.startsWith(thisMonth);
}

/**
 * `userClient` reaches the user's own partition (with tenant-scoped credentials: the user's scoped
 * client); `client` the other key families (API key lookups, connection records).
 */
export function dynamoAccountEraser(client: DynamoDBDocumentClient, tableName: string, userClient: (userId: string) => DynamoDBDocumentClient = () => client): AccountEraser {
  return {
    async eraseAll(userId, until) {
      const tenant = tenantIdOf(userId);
      // The connection slots (their own family) and the connection records they name, first.
      const slots = await queryAll(client, {
        TableName: tableName,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': keys.connectionSlotPk(tenant) },
        ProjectionExpression: 'PK, SK, connectionId',
        ConsistentRead: true,
      });
      const connections = slots.flatMap((r) => (typeof r.connectionId === 'string' ? [{ PK: keys.connectionPk(r.connectionId), SK: keys.connectionSk() }] : []));
      if (!(await inParallel(client, tableName, connections, until))) return false;
      if (!(await inParallel(client, tableName, slots.map(({ PK: pk, SK }) => ({ PK: pk, SK })), until))) return false;
      // The user's Idempotency-Key records (remembered responses, sealed) through their index, the
      // record first and its index row after, so a failure leaves the index for the repeat.
      for await (const page of queryPages(client, {
        TableName: tableName,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': keys.userRecordsPk(userId) },
        ProjectionExpression: 'PK, SK',
        ConsistentRead: true,
      })) {
        if (!(await inParallel(client, tableName, page.map((r) => ({ PK: keys.idempotencyPk(String(r.SK)), SK: keys.idempotencySk() })), until))) return false;
        if (!(await inParallel(client, tableName, page.map(({ PK: pk, SK }) => ({ PK: pk, SK })), until))) return false;
      }
      const PK = keys.userPk(tenant);
      const own = userClient(userId);
      const pages = queryPages(own, {
        TableName: tableName,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': PK },
        ProjectionExpression: 'PK, SK, id, keyHash, connectionId',
        ConsistentRead: true,
      });
      const kept = keptThroughDeletion(new Date());
      for await (const page of pages) {
        const rows = page.filter((r) => !kept(String(r.SK)));
        // A thread's list of the records holding its content (the records themselves went above).
        const threadRefs = rows.flatMap((r) => (String(r.SK).startsWith(keys.threadSkPrefix()) && typeof r.id === 'string' ? [{ PK: keys.replayRefPk(userId, r.id), SK: keys.idempotencySk() }] : []));
        if (!(await inParallel(client, tableName, threadRefs, until))) return false;
        const pointed = rows.flatMap((r) => [
          ...(typeof r.keyHash === 'string' ? [{ PK: keys.apiKeyLookupPk(r.keyHash), SK: keys.apiKeyLookupSk() }] : []),
          ...(typeof r.connectionId === 'string' ? [{ PK: keys.connectionPk(r.connectionId), SK: keys.connectionSk() }] : []),
        ]);
        // What the partition points at first: a failure leaves the pointers for the repeat to follow.
        // Out of time: a repeated DELETE /me goes on from what is left.
        if (!(await inParallel(client, tableName, pointed, until))) return false;
        if (!(await inParallel(own, tableName, rows.map(({ PK: pk, SK }) => ({ PK: pk, SK })), until))) return false;
      }
      return true;
    },
  };
}
