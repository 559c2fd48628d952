// Write helpers shared by the stores: transactions retried on transaction conflicts (concurrent
// posts to one thread), and batch writes retried until no UnprocessedItems remain.
import {
  BatchWriteCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { isConditionFailed, TransactionCancelled, UnprocessedItemsError, type CancellationReason } from './dynamo-errors';

// The errors live in an SDK-free module (the authorizer imports them); stores keep importing them from here.
export { isConditionFailed, TransactionCancelled, UnprocessedItemsError, type CancellationReason } from './dynamo-errors';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];
export type { TransactItem };

type WireItem = Record<string, { S?: string; N?: string } | undefined>;

/**
 * The item a failed condition found, when the write asked for it with
 * `ReturnValuesOnConditionCheckFailure: 'ALL_OLD'` (in DynamoDB's wire shape: the document client
 * does not convert errors).
 */
export const conditionFailedItem = (err: unknown): WireItem | undefined => (err as { Item?: WireItem })?.Item;

/**
 * Whether a conditional put failed only because this very write had landed before: the SDK retries
 * a request whose reply was lost, and the retry finds the item its first attempt stored. True when
 * the stored item holds the same values for `fields` (values unique to this write, such as a fresh
 * id and its creation time).
 */
export function isOwnEarlierWrite(err: unknown, item: Record<string, unknown>, fields: readonly string[]): boolean {
  if (!isConditionFailed(err)) return false;
  const stored = conditionFailedItem(err);
  return stored !== undefined && fields.every((f) => typeof item[f] === 'string' && stored[f]?.S === item[f]);
}

/** Awaits one conditional write; false when its condition did not hold (nothing was changed). */
export async function writeIf(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (err) {
    if (isConditionFailed(err)) return false;
    throw err;
  }
}

/** A token for one logical write, stored with it so a retry of that write can recognise itself. */
export const writeToken = (): string => Buffer.from(crypto.getRandomValues(new Uint8Array(9))).toString('base64url');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const jitter = (attempt: number) => Math.random() * Math.min(1000, 25 * 2 ** attempt);

/**
 * One TransactWriteItems; retried (with jitter) while DynamoDB cancels it only for conflicts with
 * other in-flight transactions. A failed condition is a TransactionCancelled with its reasons.
 */
export async function transactWrite(client: DynamoDBDocumentClient, items: TransactItem[], maxAttempts = 8): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await client.send(new TransactWriteCommand({ TransactItems: items }));
      return;
    } catch (err) {
      if ((err as Error).name !== 'TransactionCanceledException') throw err;
      const reasons = ((err as { CancellationReasons?: CancellationReason[] }).CancellationReasons ?? []) as CancellationReason[];
      const conflictOnly = reasons.some((r) => r.Code === 'TransactionConflict') && !reasons.some((r) => r.Code === 'ConditionalCheckFailed');
      if (!conflictOnly || attempt >= maxAttempts) throw new TransactionCancelled(reasons);
      await sleep(jitter(attempt));
    }
  }
}

type WriteRequest = { PutRequest: { Item: Record<string, unknown> } } | { DeleteRequest: { Key: Record<string, unknown> } };

/**
 * BatchWriteItem in chunks of 25, retrying UnprocessedItems with backoff until every request landed.
 * Only for idempotent puts and deletes (a retried put of the same item writes the same item).
 */
export async function batchWrite(
  client: DynamoDBDocumentClient,
  tableName: string,
  requests: readonly WriteRequest[],
  maxAttempts = 8,
): Promise<void> {
  for (let i = 0; i < requests.length; i += 25) {
    let pending = requests.slice(i, i + 25);
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > maxAttempts) throw new UnprocessedItemsError();
      if (attempt > 1) await sleep(jitter(attempt));
      const res = await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: [...pending] } }));
      pending = (res.UnprocessedItems?.[tableName] ?? []) as WriteRequest[];
    }
  }
}

/** Deletes the keys in batches of 25, retrying UnprocessedItems with backoff. */
export async function batchDelete(
  client: DynamoDBDocumentClient,
  tableName: string,
  keys: ReadonlyArray<Record<string, unknown>>,
  maxAttempts = 8,
): Promise<void> {
  await batchWrite(client, tableName, keys.map((Key) => ({ DeleteRequest: { Key } })), maxAttempts);
}
