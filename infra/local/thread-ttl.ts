// DynamoDB's TTL for thread rows, emulated: DynamoDB Local keeps expired items, so the local stack
// sweeps them as the service would (a thread row whose `expiresAt` has passed is deleted, unless a
// write moved it meanwhile) and hands each removal to the thread-expiry function as the table's
// stream would deliver it deployed (a REMOVE record whose userIdentity is the TTL service). Only
// thread rows: other families' expiries (audit events, idempotency records, counters) are left to
// their own readers' checks, as before. The Scan is the emulated service's, never a function's.
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/time-to-live-ttl-streams.html
import { DeleteCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { isConditionFailed } from '../../functions/shared/adapters/dynamo-writes';
import { keys } from '../../functions/shared/core/keys';
import { TTL_PRINCIPAL } from '../../functions/thread-expiry/handler-constants';

export interface ThreadTtl {
  /** One sweep now; @returns the thread rows it removed. */
  sweep(): Promise<number>;
  stop(): void;
}

export function startThreadTtl(opts: {
  client: DynamoDBDocumentClient;
  tableName: string;
  /** The thread-expiry function (functions/thread-expiry). */
  expire: (event: DynamoDBStreamEvent) => Promise<unknown>;
  intervalMs: number;
  log: (line: string) => void;
}): ThreadTtl {
  let running: Promise<number> | null = null;
  const once = async (): Promise<number> => {
    const now = Math.floor(Date.now() / 1000);
    let removed = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const page = await opts.client.send(
        new ScanCommand({
          TableName: opts.tableName,
          FilterExpression: 'begins_with(SK, :thread) AND expiresAt <= :now',
          ExpressionAttributeValues: { ':thread': keys.threadSkPrefix(), ':now': now },
          ProjectionExpression: 'PK, SK',
          ExclusiveStartKey: start,
        }),
      );
      start = page.LastEvaluatedKey;
      for (const row of page.Items ?? []) {
        try {
          await opts.client.send(
            new DeleteCommand({ TableName: opts.tableName, Key: { PK: row.PK, SK: row.SK }, ConditionExpression: 'expiresAt <= :now', ExpressionAttributeValues: { ':now': now } }),
          );
        } catch (err) {
          if (isConditionFailed(err)) continue; // written since: its expiry moved
          throw err;
        }
        await opts.expire({
          Records: [
            {
              eventName: 'REMOVE',
              eventSource: 'aws:dynamodb',
              userIdentity: { type: 'Service', principalId: TTL_PRINCIPAL },
              dynamodb: { Keys: { PK: { S: String(row.PK) }, SK: { S: String(row.SK) } } },
            },
          ],
        });
        removed++;
      }
    } while (start);
    return removed;
  };
  const sweep = () => (running ??= once().finally(() => (running = null)));
  const timer = setInterval(() => {
    sweep().catch((err: unknown) => opts.log(`thread TTL sweep failed: ${String((err as Error)?.message ?? err)}`));
  }, opts.intervalMs);
  timer.unref();
  return { sweep, stop: () => clearInterval(timer) };
}
