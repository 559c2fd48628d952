// Write helpers shared by the stores: transactions retried on transaction conflicts (concurrent
// posts to one thread), and batch deletes retried until no UnprocessedItems remain.
import {
  BatchWriteCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];
export type { TransactItem };

/** A single write's condition did not hold (an answer, not a fault). */
export const isConditionFailed = (err: unknown): boolean => (err as Error)?.name === 'ConditionalCheckFailedException';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const jitter = (attempt: number) => Math.random() * Math.min(1000, 25 * 2 ** attempt);

export interface CancellationReason {
  readonly Code?: string;
}

export class TransactionCancelled extends Error {
  constructor(readonly reasons: readonly CancellationReason[]) {
    super('transaction cancelled');
    this.name = 'TransactionCancelled';
  }
  /** Index of the first item whose condition failed, or -1. */
  failedCondition(): number {
    return this.reasons.findIndex((r) => r.Code === 'ConditionalCheckFailed');
  }
}

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

/** Deletes the keys in batches of 25, retrying UnprocessedItems with backoff. */
export async function batchDelete(
  client: DynamoDBDocumentClient,
  tableName: string,
  keys: ReadonlyArray<Record<string, unknown>>,
  maxAttempts = 8,
): Promise<void> {
  for (let i = 0; i < keys.length; i += 25) {
    let pending = keys.slice(i, i + 25).map((Key) => ({ DeleteRequest: { Key } }));
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > maxAttempts) throw new Error('batch delete: items left unprocessed after retries');
      if (attempt > 1) await sleep(jitter(attempt));
      const res = await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
      pending = (res.UnprocessedItems?.[tableName] ?? []) as typeof pending;
    }
  }
}
