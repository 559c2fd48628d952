// Threads and items in DynamoDB, one store per principal: every key is built from the principal's
// own userId (or, for the audited admin reader, from the owner it was authorized for). No Scan, no
// GSI, no lookup by thread id alone.
import {
  GetCommand,
  PutCommand,
  UpdateCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { ConflictError, ValidationError } from '../core/errors';
import { keys } from '../core/keys';
import { authorize } from '../core/policy';
import { isPossibleUserId, type Principal } from '../core/principal';
import type { StagedWrite } from '../core/tasks/task';
import {
  EMPTY_MEMORY,
  type AgentMemory,
  type Item,
  type Metadata,
  type ItemQuery,
  type Page,
  type Thread,
  type ThreadReader,
  type ThreadRecord,
  type ThreadStore,
} from '../core/threads/thread';
import { queryPage, queryPages } from './dynamo-reads';
import { batchDelete, isConditionFailed, isOwnEarlierWrite, TransactionCancelled, transactWrite, type TransactItem } from './dynamo-writes';

export interface DynamoStoreProps {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
}

const LIVE = 'attribute_exists(PK) AND attribute_not_exists(deleting)';

function toThread(row: Record<string, unknown>): ThreadRecord {
  return {
    id: String(row.id),
    title: String(row.title),
    createdAt: String(row.createdAt),
    updatedAt: String(row.updatedAt),
    metadata: metadataFrom(row.metadata),
    agentMemory: (row.agentMemory as AgentMemory) ?? EMPTY_MEMORY,
  };
}

/**
 * Metadata is stored as its JSON text: any JSON the API accepted round-trips exactly, including
 * what a DynamoDB map cannot hold (empty keys, numbers past DynamoDB's range, deep nesting).
 */
const metadataText = (m: Metadata): string => JSON.stringify(m);

function metadataFrom(stored: unknown): Metadata {
  if (typeof stored === 'string') return JSON.parse(stored) as Metadata;
  return (stored as Metadata | undefined) ?? {}; // rows written before metadata was stored as text
}

function toItem(row: Record<string, unknown>): Item {
  return {
    id: String(row.id),
    threadId: String(row.threadId),
    type: row.itemType as Item['type'],
    content: String(row.content),
    createdAt: String(row.createdAt),
  };
}

/** A resume key from a (signed) cursor must still lie inside the list it was issued for. */
function startKey(pk: string, after: string | null, prefix: string): Record<string, string> | undefined {
  if (after === null) return undefined;
  if (!after.startsWith(prefix)) throw new ValidationError('Invalid cursor');
  return { PK: pk, SK: after };
}

/** A page from queryPage: resume after the last row shown, only when more rows exist. */
function toPage<T>({ rows, more }: { rows: Record<string, unknown>[]; more: boolean }, map: (r: Record<string, unknown>) => T): Page<T> {
  const last = rows[rows.length - 1];
  return { data: rows.map(map), lastKey: more && last ? String(last.SK) : null };
}

/** What an admin sees of a userId too long to exist (its key would exceed DynamoDB's limit). */
const EMPTY_PARTITION: ThreadReader = {
  list: async () => ({ data: [], lastKey: null }),
  get: async () => null,
  listItems: async () => ({ data: [], lastKey: null }),
};

function partitionReader({ client, tableName }: DynamoStoreProps, userId: string): ThreadReader {
  const PK = keys.userPk(userId);
  return {
    async list(limit, after) {
      const page = await queryPage(
        client,
        {
          TableName: tableName,
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
          FilterExpression: 'attribute_not_exists(deleting)',
          ExpressionAttributeValues: { ':pk': PK, ':prefix': keys.threadSkPrefix() },
          ScanIndexForward: false, // thread ids are ULIDs: key order is creation order
          ConsistentRead: true,
        },
        limit,
        startKey(PK, after, keys.threadSkPrefix()),
      );
      return toPage<Thread>(page, toThread);
    },
    async get(threadId) {
      const res = await client.send(new GetCommand({ TableName: tableName, Key: { PK, SK: keys.threadSk(threadId) }, ConsistentRead: true }));
      return res.Item && res.Item.deleting === undefined ? toThread(res.Item) : null;
    },
    async listItems(threadId, query: ItemQuery) {
      const prefix = keys.itemSkPrefix(threadId);
      const page = await queryPage(
        client,
        {
          TableName: tableName,
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
          ExpressionAttributeValues: { ':pk': PK, ':prefix': prefix },
          ScanIndexForward: query.order === 'asc',
          ConsistentRead: true,
        },
        query.limit,
        startKey(PK, query.after, prefix),
      );
      return toPage(page, toItem);
    },
  };
}

export function dynamoThreadStores(props: DynamoStoreProps) {
  const { client, tableName } = props;

  const threadStore = (principal: Principal): ThreadStore => {
    const PK = keys.userPk(principal.userId);
    const reader = partitionReader(props, principal.userId);
    const threadKey = (threadId: string) => ({ PK, SK: keys.threadSk(threadId) });
    return {
      ...reader,
      async create(thread) {
        const Item = { ...threadKey(thread.id), type: 'thread', ...thread, metadata: metadataText(thread.metadata) };
        try {
          await client.send(
            new PutCommand({ TableName: tableName, Item, ConditionExpression: 'attribute_not_exists(PK)', ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }),
          );
        } catch (err) {
          // The thread id is fresh: the only item it can find is this create's own first attempt,
          // stored before its reply was lost (the SDK retried). That is success, not a fault.
          if (isOwnEarlierWrite(err, Item, ['id', 'createdAt'])) return;
          throw err;
        }
      },
      async update(threadId, patch, updatedAt) {
        const names: Record<string, string> = { '#updatedAt': 'updatedAt' };
        const values: Record<string, unknown> = { ':updatedAt': updatedAt };
        const sets = ['#updatedAt = :updatedAt'];
        if (patch.title !== undefined) {
          names['#title'] = 'title';
          values[':title'] = patch.title;
          sets.push('#title = :title');
        }
        if (patch.metadata !== undefined) {
          names['#metadata'] = 'metadata';
          values[':metadata'] = metadataText(patch.metadata);
          sets.push('#metadata = :metadata');
        }
        try {
          const res = await client.send(
            new UpdateCommand({
              TableName: tableName,
              Key: threadKey(threadId),
              UpdateExpression: `SET ${sets.join(', ')}`,
              ConditionExpression: LIVE,
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: values,
              ReturnValues: 'ALL_NEW',
            }),
          );
          return toThread(res.Attributes ?? {});
        } catch (err) {
          if (isConditionFailed(err)) return null;
          throw err;
        }
      },
      async appendExchange(threadId, items, memory, staged: readonly StagedWrite[], updatedAt) {
        const writes: TransactItem[] = [
          {
            // The thread must exist and not be marked for deletion, so no item can outlive it.
            Update: {
              TableName: tableName,
              Key: threadKey(threadId),
              UpdateExpression: 'SET #updatedAt = :updatedAt, #memory = :memory',
              ConditionExpression: LIVE,
              ExpressionAttributeNames: { '#updatedAt': 'updatedAt', '#memory': 'agentMemory' },
              ExpressionAttributeValues: { ':updatedAt': updatedAt, ':memory': memory },
            },
          },
          ...items.map((item) => ({
            Put: {
              TableName: tableName,
              Item: {
                PK,
                SK: keys.itemSk(threadId, item.id),
                type: 'item',
                id: item.id,
                threadId,
                itemType: item.type,
                content: item.content,
                createdAt: item.createdAt,
              },
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          })),
          ...staged.map((s) => s.staged as TransactItem),
        ];
        try {
          await transactWrite(client, writes);
          return true;
        } catch (err) {
          if (err instanceof TransactionCancelled && err.failedCondition() === 0) return false;
          if (err instanceof TransactionCancelled && err.failedCondition() > 0) {
            throw new ConflictError('A task changed while the reply was being written; please try again');
          }
          throw err;
        }
      },
      async delete(threadId, opts = {}) {
        // 1. Mark: from here on no exchange can commit (its transaction requires the mark absent).
        const unchanged = opts.unchangedSince !== undefined;
        try {
          await client.send(
            new UpdateCommand({
              TableName: tableName,
              Key: threadKey(threadId),
              UpdateExpression: 'SET #deleting = :true',
              ConditionExpression: unchanged ? 'attribute_exists(PK) AND #updatedAt = :since' : 'attribute_exists(PK)',
              ExpressionAttributeNames: { '#deleting': 'deleting', ...(unchanged ? { '#updatedAt': 'updatedAt' } : {}) },
              ExpressionAttributeValues: { ':true': true, ...(unchanged ? { ':since': opts.unchangedSince } : {}) },
            }),
          );
        } catch (err) {
          if (isConditionFailed(err)) return false;
          throw err;
        }
        // 2. Every item, page by page (strongly consistent, so each committed exchange is seen).
        const prefix = keys.itemSkPrefix(threadId);
        const pages = queryPages(client, {
          TableName: tableName,
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
          ExpressionAttributeValues: { ':pk': PK, ':prefix': prefix },
          ProjectionExpression: 'PK, SK',
          ConsistentRead: true,
        });
        for await (const page of pages) await batchDelete(client, tableName, page);
        // 3. The thread last: a failure above leaves it marked, hidden, and a repeated DELETE finishes.
        await client.send(new DeleteCommand({ TableName: tableName, Key: threadKey(threadId) }));
        return true;
      },
    };
  };

  /** Admin support reads of `ownerId`'s partition: read-only, and only for an admin principal. */
  const adminThreadReader = (principal: Principal, ownerId: string): ThreadReader => {
    authorize(principal, 'admin.read');
    return isPossibleUserId(ownerId) ? partitionReader(props, ownerId) : EMPTY_PARTITION;
  };

  return { threadStore, adminThreadReader };
}
