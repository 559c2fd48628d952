// Tasks in DynamoDB, one store per principal: keys only ever in the principal's own partition.
// A per-user counter (`USER#<userId>` / `TASKCOUNT`) moves in the same transaction as every create and
// delete (and with the agent's staged writes), under a condition that keeps it at or below
// MAX_TASKS_PER_USER, so the cap holds when creates race. Creates and deletes are transactions, so
// the SDK retries them with one ClientRequestToken and a lost reply is answered with the first outcome.
// Titles are stored sealed under the owner's key, bound to the task's row (core/content-cipher.ts); a
// task whose title does not open there is treated as absent.
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../core/keys';
import type { Principal } from '../core/principal';
import { openField, type ContentCipher, type UserCipher } from '../core/content-cipher';
import { ContentUnreadableError, TaskLimitError } from '../core/errors';
import { byCreation, MAX_TASKS_PER_USER, type StagedWrite, type Task, type TaskChange, type TaskPatch, type TaskStore } from '../core/tasks/task';
import { queryAll } from './dynamo-reads';
import { isConditionFailed, TransactionCancelled, transactWrite, type TransactItem } from './dynamo-writes';
import { userPartition } from './tenant-clients';
import type { DynamoStoreProps } from './thread-store';

async function toTask(c: UserCipher, row: Record<string, unknown>): Promise<Task | null> {
  let title: string | undefined;
  try {
    title = await openField(c, String(row.SK), 'title', row.title);
  } catch (err) {
    if (err instanceof ContentUnreadableError) return null;
    throw err;
  }
  return {
    id: String(row.id),
    title: String(title),
    status: row.status === 'done' ? 'done' : 'open',
    dueDate: typeof row.dueDate === 'string' ? row.dueDate : null,
    createdAt: String(row.createdAt),
    updatedAt: String(row.updatedAt),
  };
}

/** The patch with its title sealed for the task's row. */
async function sealedPatch(c: UserCipher, taskId: string, patch: TaskPatch): Promise<Record<string, unknown>> {
  return patch.title === undefined ? { ...patch } : { ...patch, title: await c.seal(keys.taskSk(taskId), 'title', patch.title) };
}

function updateExpression(patch: Record<string, unknown>, updatedAt: string) {
  const names: Record<string, string> = { '#updatedAt': 'updatedAt' };
  const values: Record<string, unknown> = { ':updatedAt': updatedAt };
  const sets = ['#updatedAt = :updatedAt'];
  for (const field of ['title', 'status', 'dueDate'] as const) {
    if (patch[field] === undefined) continue;
    names[`#${field}`] = field;
    values[`:${field}`] = patch[field];
    sets.push(`#${field} = :${field}`);
  }
  return { UpdateExpression: `SET ${sets.join(', ')}`, ExpressionAttributeNames: names, ExpressionAttributeValues: values };
}

export function dynamoTaskStores({ clients, tableName }: DynamoStoreProps, cipher: ContentCipher) {
  return (principal: Principal): TaskStore => {
    const { client, pk: PK } = userPartition(clients, principal.userId);
    const c = cipher.forUser(principal.userId);
    const Key = (taskId: string) => ({ PK, SK: keys.taskSk(taskId) });
    const row = async (task: Task) => ({ ...Key(task.id), type: 'task', ...task, title: await c.seal(keys.taskSk(task.id), 'title', task.title) });
    const readable = async (rows: Record<string, unknown>[]) => (await Promise.all(rows.map((r) => toTask(c, r)))).filter((t): t is Task => t !== null);
    const counterKey = { PK, SK: keys.taskCounterSk() };
    /** The counter moves by `delta`; a rise is refused past the cap (a missing counter counts as 0). */
    const counter = (delta: number): TransactItem => ({
      Update: {
        TableName: tableName,
        Key: counterKey,
        UpdateExpression: 'ADD #count :delta SET #type = :type',
        ...(delta > 0 ? { ConditionExpression: 'attribute_not_exists(#count) OR #count <= :room' } : {}),
        ExpressionAttributeNames: { '#count': 'count', '#type': 'type' },
        ExpressionAttributeValues: { ':delta': delta, ':type': 'taskcount', ...(delta > 0 ? { ':room': MAX_TASKS_PER_USER - delta } : {}) },
      },
    });
    return {
      async list(status) {
        const rows = await queryAll(client, {
          TableName: tableName,
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
          ...(status ? { FilterExpression: '#status = :status', ExpressionAttributeNames: { '#status': 'status' } } : {}),
          ExpressionAttributeValues: { ':pk': PK, ':prefix': keys.taskSkPrefix(), ...(status ? { ':status': status } : {}) },
          ConsistentRead: true,
        });
        return (await readable(rows)).sort(byCreation);
      },
      async get(taskId) {
        const res = await client.send(new GetCommand({ TableName: tableName, Key: Key(taskId), ConsistentRead: true }));
        return res.Item ? toTask(c, res.Item) : null;
      },
      async count() {
        const res = await client.send(new GetCommand({ TableName: tableName, Key: counterKey, ConsistentRead: true }));
        return Number(res.Item?.count ?? 0);
      },
      async create(task) {
        try {
          await transactWrite(client, [{ Put: { TableName: tableName, Item: await row(task), ConditionExpression: 'attribute_not_exists(PK)' } }, counter(1)]);
          return true;
        } catch (err) {
          if (err instanceof TransactionCancelled && err.failedCondition() === 0) return false;
          if (err instanceof TransactionCancelled && err.failedCondition() === 1) throw new TaskLimitError(MAX_TASKS_PER_USER);
          throw err;
        }
      },
      async update(taskId, patch, updatedAt) {
        try {
          const res = await client.send(
            new UpdateCommand({
              TableName: tableName,
              Key: Key(taskId),
              ...updateExpression(await sealedPatch(c, taskId, patch), updatedAt),
              ConditionExpression: 'attribute_exists(PK)',
              ReturnValues: 'ALL_NEW',
            }),
          );
          return toTask(c, res.Attributes ?? {});
        } catch (err) {
          if (isConditionFailed(err)) return null;
          throw err;
        }
      },
      async delete(taskId) {
        // A one-item transaction, not a DeleteItem: the SDK sends every retry of it with the same
        // ClientRequestToken, and DynamoDB answers a repeat within 10 minutes with the first
        // outcome, so a delete whose reply was lost is not retried into "not found".
        try {
          await transactWrite(client, [{ Delete: { TableName: tableName, Key: Key(taskId), ConditionExpression: 'attribute_exists(PK)' } }, counter(-1)]);
          return true;
        } catch (err) {
          if (err instanceof TransactionCancelled && err.failedCondition() === 0) return false;
          throw err;
        }
      },
      stage(change: TaskChange): StagedWrite {
        // Sealing is asynchronous and staging is not: the staged write is a promise of the
        // transaction item, awaited by the thread store when it commits the exchange.
        const build = async (): Promise<TransactItem> => {
          switch (change.kind) {
            case 'create':
              return { Put: { TableName: tableName, Item: await row(change.task), ConditionExpression: 'attribute_not_exists(PK)' } };
            case 'update':
              return {
                Update: { TableName: tableName, Key: Key(change.taskId), ...updateExpression(await sealedPatch(c, change.taskId, change.patch), change.updatedAt), ConditionExpression: 'attribute_exists(PK)' },
              };
            case 'delete':
              return { Delete: { TableName: tableName, Key: Key(change.taskId), ConditionExpression: 'attribute_exists(PK)' } };
            case 'count':
              return counter(change.delta);
          }
        };
        const staged = build();
        staged.catch(() => undefined); // surfaced where it is awaited (appendExchange), not as an unhandled rejection
        return { staged };
      },
    };
  };
}
