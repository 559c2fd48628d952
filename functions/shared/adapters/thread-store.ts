// Threads and items in DynamoDB, one store per principal: every key is built from the principal's
// own userId (or, for the audited admin reader, from the owner it was authorized for). No Scan, no
// GSI, no lookup by thread id alone. Titles, metadata, the agent's memory and item content are stored
// sealed under the owner's key (core/content-cipher.ts), each bound to its row and attribute; a row
// whose content does not open there is treated as absent (and logged by the cipher's owner).
import {
  GetCommand,
  PutCommand,
  UpdateCommand,
  DeleteCommand,
} from '@aws-sdk/lib-dynamodb';
import { openField, type ContentCipher, type UserCipher } from '../core/content-cipher';
import { systemClock } from '../core/ports';
import { ConflictError, ContentUnreadableError, ValidationError } from '../core/errors';
import { keys } from '../core/keys';
import type { Clock } from '../core/ports';
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
  RETRY_MAX_REPLACED,
} from '../core/threads/thread';
import { queryPage, queryPages } from './dynamo-reads';
import { userPartition, type TenantClients } from './tenant-clients';
import { batchDelete, isConditionFailed, isOwnEarlierWrite, TransactionCancelled, transactWrite, type TransactItem } from './dynamo-writes';

export interface DynamoStoreProps {
  /** A user's partition is reached only with that user's scoped client (tenant-clients.ts). */
  readonly clients: TenantClients;
  readonly tableName: string;
}

const LIVE = 'attribute_exists(PK) AND attribute_not_exists(deleting)';
/** How often a retry's exchange reads the thread again when another write moved it meanwhile. */
const RETRY_ATTEMPTS = 3;
/** Not past its retention: DynamoDB's TTL deletes late (typically within days), so reads and writes check the time themselves. */
const UNEXPIRED = '(attribute_not_exists(expiresAt) OR expiresAt > :now)';

/**
 * THREAD_RETENTION_DAYS: a thread row carries `expiresAt` (the table's TTL attribute, epoch
 * seconds), its last write plus `days`, moved by every write of the thread; its items carry none and
 * are removed when the row expires (functions/thread-expiry). `days` null: no expiry (a write clears it).
 */
export interface ThreadRetention {
  readonly days: number | null;
  readonly clock: Clock;
}

const epochSeconds = (d: Date): number => Math.floor(d.getTime() / 1000);
/** A row's expiry as of a write at `at` (ISO). */
const expiryAfter = (retention: ThreadRetention, at: string): number | null =>
  retention.days === null ? null : epochSeconds(new Date(at)) + retention.days * 86_400;
const isExpired = (row: Row, retention: ThreadRetention): boolean => typeof row.expiresAt === 'number' && row.expiresAt <= epochSeconds(retention.clock.now());

type Row = Record<string, unknown>;

/** A row's content, opened; null when it does not open there (moved, copied, or its key destroyed). */
export async function opened<T>(read: () => Promise<T>): Promise<T | null> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof ContentUnreadableError) return null;
    throw err;
  }
}

function toThread(c: UserCipher, row: Row): Promise<ThreadRecord | null> {
  const SK = String(row.SK);
  return opened(async () => {
    const memory = await openField(c, SK, 'agentMemory', row.agentMemory);
    return {
      id: String(row.id),
      title: String(await openField(c, SK, 'title', row.title)),
      createdAt: String(row.createdAt),
      updatedAt: String(row.updatedAt),
      metadata: metadataFrom(await openField(c, SK, 'metadata', row.metadata) ?? row.metadata),
      // Sealed memory is JSON text; rows from before sealing hold it as a map.
      agentMemory: typeof memory === 'string' ? (JSON.parse(memory) as AgentMemory) : ((row.agentMemory as AgentMemory | undefined) ?? EMPTY_MEMORY),
    };
  });
}

/** The thread's sealed attributes, as stored. */
async function sealedThread(c: UserCipher, SK: string, fields: { title?: string; metadata?: Metadata; agentMemory?: AgentMemory }): Promise<Row> {
  const out: Row = {};
  if (fields.title !== undefined) out.title = await c.seal(SK, 'title', fields.title);
  if (fields.metadata !== undefined) out.metadata = await c.seal(SK, 'metadata', metadataText(fields.metadata));
  if (fields.agentMemory !== undefined) out.agentMemory = await c.seal(SK, 'agentMemory', JSON.stringify(fields.agentMemory));
  return out;
}

/** Keeps the rows that opened. */
const readable = <T>(rows: (T | null)[]): T[] => rows.filter((r): r is T => r !== null);

/**
 * Metadata is stored as its JSON text: any JSON the API accepted round-trips exactly, including
 * what a DynamoDB map cannot hold (empty keys, numbers past DynamoDB's range, deep nesting).
 */
const metadataText = (m: Metadata): string => JSON.stringify(m);

export function metadataFrom(stored: unknown): Metadata {
  if (typeof stored === 'string') return JSON.parse(stored) as Metadata;
  return (stored as Metadata | undefined) ?? {}; // rows written before metadata was stored as text
}

export function toItem(c: UserCipher, row: Row): Promise<Item | null> {
  return opened(async () => ({
    id: String(row.id),
    threadId: String(row.threadId),
    type: row.itemType as Item['type'],
    content: String(await openField(c, String(row.SK), 'content', row.content)),
    createdAt: String(row.createdAt),
    // Replies stored before a reply could be stopped have no status: they were done.
    ...(row.itemType === 'assistant_message' ? { status: row.itemStatus === 'cancelled' ? ('cancelled' as const) : ('done' as const) } : {}),
  }));
}

/** A resume key from a (signed) cursor must still lie inside the list it was issued for. */
function startKey(pk: string, after: string | null, prefix: string): Record<string, string> | undefined {
  if (after === null) return undefined;
  if (!after.startsWith(prefix)) throw new ValidationError('Invalid cursor');
  return { PK: pk, SK: after };
}

/** A page from queryPage: resume after the last row shown, only when more rows exist. */
async function toPage<T>({ rows, more }: { rows: Row[]; more: boolean }, map: (r: Row) => Promise<T | null>): Promise<Page<T>> {
  const last = rows[rows.length - 1];
  return { data: readable(await Promise.all(rows.map(map))), lastKey: more && last ? String(last.SK) : null };
}

/** What an admin sees of a userId too long to exist (its key would exceed DynamoDB's limit). */
const EMPTY_PARTITION: ThreadReader = {
  list: async () => ({ data: [], lastKey: null }),
  get: async () => null,
  listItems: async () => ({ data: [], lastKey: null }),
};

function partitionReader({ clients, tableName }: DynamoStoreProps, c: UserCipher, userId: string, retention: ThreadRetention): ThreadReader {
  const { client, pk: PK } = userPartition(clients, userId);
  return {
    async list(limit, after) {
      const page = await queryPage(
        client,
        {
          TableName: tableName,
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
          FilterExpression: `attribute_not_exists(deleting) AND ${UNEXPIRED}`,
          ExpressionAttributeValues: { ':pk': PK, ':prefix': keys.threadSkPrefix(), ':now': epochSeconds(retention.clock.now()) },
          ScanIndexForward: false, // thread ids are ULIDs: key order is creation order
          ConsistentRead: true,
        },
        limit,
        startKey(PK, after, keys.threadSkPrefix()),
      );
      return toPage<Thread>(page, (row) => toThread(c, row));
    },
    async get(threadId) {
      const res = await client.send(new GetCommand({ TableName: tableName, Key: { PK, SK: keys.threadSk(threadId) }, ConsistentRead: true }));
      return res.Item && res.Item.deleting === undefined && !isExpired(res.Item, retention) ? toThread(c, res.Item) : null;
    },
    async listItems(threadId, query: ItemQuery) {
      const prefix = keys.itemSkPrefix(threadId);
      // With retention in force, a thread past its expiry, or whose row TTL removed before its items
      // went, shows no items (one key-only read more; without retention an item proves its thread).
      const expired =
        retention.days === null
          ? Promise.resolve(false)
          : client
              .send(new GetCommand({ TableName: tableName, Key: { PK, SK: keys.threadSk(threadId) }, ProjectionExpression: 'expiresAt', ConsistentRead: true }))
              .then((res) => res.Item === undefined || isExpired(res.Item, retention));
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
      if (await expired) return { data: [], lastKey: null };
      return toPage(page, (row) => toItem(c, row));
    },
  };
}

export function dynamoThreadStores(props: DynamoStoreProps, cipher: ContentCipher, retention: ThreadRetention = { days: null, clock: systemClock }) {
  const { clients, tableName } = props;
  /** The SET or REMOVE of `expiresAt` for a write at `at`, and the values its condition needs. */
  const expiry = (at: string) => {
    const expiresAt = expiryAfter(retention, at);
    return {
      clause: expiresAt === null ? 'REMOVE #expiresAt' : '',
      set: expiresAt === null ? [] : ['#expiresAt = :expiresAt'],
      names: { '#expiresAt': 'expiresAt' },
      values: { ':now': epochSeconds(retention.clock.now()), ...(expiresAt === null ? {} : { ':expiresAt': expiresAt }) },
    };
  };

  const threadStore = (principal: Principal): ThreadStore => {
    const { client, pk: PK } = userPartition(clients, principal.userId);
    const c = cipher.forUser(principal.userId);
    const reader = partitionReader(props, c, principal.userId, retention);
    const threadKey = (threadId: string) => ({ PK, SK: keys.threadSk(threadId) });
    /** The new items of an exchange, content sealed, each written only once. */
    /**
     * The writes of one exchange: its items (sealed, each new), the staged task writes, and the
     * thread's update (`thread`, first in the transaction, so a failed condition 0 is the thread's):
     * the thread must exist, not be marked for deletion nor expired (so no item outlives it), and
     * with `seen`, still be at that updatedAt; it moves the thread's updatedAt, memory and expiry (its
     * items carry none, they live as long as it does).
     */
    const exchangeWrites = async (threadId: string, items: readonly Item[], memory: AgentMemory, staged: readonly StagedWrite[], updatedAt: string) => {
      const sealedMemory = await c.seal(keys.threadSk(threadId), 'agentMemory', JSON.stringify(memory));
      const puts = await Promise.all(
        items.map(
          async (item): Promise<TransactItem> => ({
            Put: {
              TableName: tableName,
              Item: {
                PK,
                SK: keys.itemSk(threadId, item.id),
                type: 'item',
                id: item.id,
                threadId,
                itemType: item.type,
                ...(item.status === 'cancelled' ? { itemStatus: item.status } : {}),
                content: await c.seal(keys.itemSk(threadId, item.id), 'content', item.content),
                createdAt: item.createdAt,
              },
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          }),
        ),
      );
      const stagedItems = await Promise.all(staged.map((s) => s.staged as TransactItem | Promise<TransactItem>)); // task-store.ts stages promises
      const ttl = expiry(updatedAt);
      const thread = (seen?: unknown): TransactItem => ({
        Update: {
          TableName: tableName,
          Key: threadKey(threadId),
          UpdateExpression: `SET ${['#updatedAt = :updatedAt', '#memory = :memory', ...ttl.set].join(', ')} ${ttl.clause}`,
          ConditionExpression: `${LIVE} AND ${UNEXPIRED}${seen === undefined ? '' : ' AND #updatedAt = :seen'}`,
          ExpressionAttributeNames: { '#updatedAt': 'updatedAt', '#memory': 'agentMemory', ...ttl.names },
          ExpressionAttributeValues: { ':updatedAt': updatedAt, ':memory': sealedMemory, ...(seen === undefined ? {} : { ':seen': seen }), ...ttl.values },
        },
      });
      return { thread, rest: [...puts, ...stagedItems] };
    };
    /** The keys of the thread's items after `after` (item ids sort by time), at most `limit`. */
    const laterItems = async (threadId: string, after: Row, limit: number): Promise<Row[]> =>
      (
        await queryPage(
          client,
          {
            TableName: tableName,
            KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
            ExpressionAttributeValues: { ':pk': PK, ':prefix': keys.itemSkPrefix(threadId) },
            ProjectionExpression: 'PK, SK',
            ConsistentRead: true,
          },
          limit,
          after,
        )
      ).rows;
    return {
      ...reader,
      async create(thread) {
        const key = threadKey(thread.id);
        const expiresAt = expiryAfter(retention, thread.updatedAt);
        const Item = { ...key, type: 'thread', ...thread, ...(await sealedThread(c, key.SK, thread)), ...(expiresAt === null ? {} : { expiresAt }) };
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
        const ttl = expiry(updatedAt);
        const names: Record<string, string> = { '#updatedAt': 'updatedAt', ...ttl.names };
        const values: Record<string, unknown> = { ':updatedAt': updatedAt, ...ttl.values };
        const sets = ['#updatedAt = :updatedAt', ...ttl.set];
        for (const [field, sealed] of Object.entries(await sealedThread(c, keys.threadSk(threadId), patch))) {
          names[`#${field}`] = field;
          values[`:${field}`] = sealed;
          sets.push(`#${field} = :${field}`);
        }
        try {
          const res = await client.send(
            new UpdateCommand({
              TableName: tableName,
              Key: threadKey(threadId),
              UpdateExpression: `SET ${sets.join(', ')} ${ttl.clause}`,
              ConditionExpression: `${LIVE} AND ${UNEXPIRED}`,
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: values,
              ReturnValues: 'ALL_NEW',
            }),
          );
          return toThread(c, res.Attributes ?? {});
        } catch (err) {
          if (isConditionFailed(err)) return null;
          throw err;
        }
      },
      async appendExchange(threadId, items, memory, staged: readonly StagedWrite[], updatedAt) {
        const { thread, rest } = await exchangeWrites(threadId, items, memory, staged, updatedAt);
        const writes: TransactItem[] = [thread(), ...rest];
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
      async findItem(threadId, itemId, countUpTo) {
        const key = { PK, SK: keys.itemSk(threadId, itemId) };
        const [found, later] = await Promise.all([
          client.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true })),
          laterItems(threadId, key, countUpTo),
        ]);
        const item = found.Item ? await toItem(c, found.Item) : null;
        return item ? { item, following: later.length } : null;
      },
      async replaceAfter(threadId, messageId, items, memory, staged: readonly StagedWrite[], updatedAt) {
        const messageKey = { PK, SK: keys.itemSk(threadId, messageId) };
        const { thread, rest } = await exchangeWrites(threadId, items, memory, staged, updatedAt);
        // The message and the items after it are read, then the items deleted in the transaction on
        // condition that the thread has not been written since: every exchange, retry and rename moves
        // its updatedAt, and a delete marks it. An exchange stored meanwhile is seen on the next
        // attempt and replaced too.
        for (let attempt = 1; ; attempt++) {
          const [current, message, later] = await Promise.all([
            client.send(
              new GetCommand({
                TableName: tableName,
                Key: threadKey(threadId),
                ProjectionExpression: '#u, #d, #e',
                ExpressionAttributeNames: { '#u': 'updatedAt', '#d': 'deleting', '#e': 'expiresAt' },
                ConsistentRead: true,
              }),
            ),
            client.send(new GetCommand({ TableName: tableName, Key: messageKey, ProjectionExpression: 'PK', ConsistentRead: true })),
            laterItems(threadId, messageKey, RETRY_MAX_REPLACED + 1),
          ]);
          if (!current.Item || current.Item.deleting !== undefined || isExpired(current.Item, retention) || !message.Item) return false;
          if (later.length > RETRY_MAX_REPLACED) throw new ConflictError(`A retry replaces at most ${RETRY_MAX_REPLACED} later items`);
          const writes: TransactItem[] = [thread(current.Item.updatedAt), ...later.map((Key) => ({ Delete: { TableName: tableName, Key } })), ...rest];
          try {
            await transactWrite(client, writes);
            return true;
          } catch (err) {
            if (!(err instanceof TransactionCancelled) || err.failedCondition() < 0) throw err;
            if (err.failedCondition() > 0) throw new ConflictError('A task changed while the reply was being written; please try again');
            // Written meanwhile (or deleted: the next read tells).
            if (attempt >= RETRY_ATTEMPTS) throw new ConflictError('The thread kept changing while the reply was being written; please try again');
          }
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
        // The thread's reply logs (reply-log-store.ts) hold its content too.
        for await (const page of queryPages(client, {
          TableName: tableName,
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
          ExpressionAttributeValues: { ':pk': PK, ':prefix': keys.replyLogSkPrefix(threadId) },
          ProjectionExpression: 'PK, SK',
          ConsistentRead: true,
        })) await batchDelete(client, tableName, page);
        // 3. The thread last: a failure above leaves it marked, hidden, and a repeated DELETE finishes.
        await client.send(new DeleteCommand({ TableName: tableName, Key: threadKey(threadId) }));
        return true;
      },
    };
  };

  /** Admin support reads of `ownerId`'s partition: read-only, for an admin the use case has authorized. */
  const adminThreadReader = (ownerId: string): ThreadReader =>
    isPossibleUserId(ownerId) ? partitionReader(props, cipher.forUser(ownerId), ownerId, retention) : EMPTY_PARTITION;

  return { threadStore, adminThreadReader };
}
