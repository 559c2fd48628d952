// Tasks in DynamoDB, one store per principal: keys only ever in the principal's own partition.
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../core/keys';
import type { Principal } from '../core/principal';
import type { StagedWrite, Task, TaskChange, TaskPatch, TaskStore } from '../core/tasks/task';
import { queryAll } from './dynamo-reads';
import { isConditionFailed, isOwnEarlierWrite, TransactionCancelled, transactWrite, type TransactItem } from './dynamo-writes';
import type { DynamoStoreProps } from './thread-store';

function toTask(row: Record<string, unknown>): Task {
  return {
    id: String(row.id),
    title: String(row.title),
    status: row.status === 'done' ? 'done' : 'open',
    dueDate: typeof row.dueDate === 'string' ? row.dueDate : null,
    createdAt: String(row.createdAt),
    updatedAt: String(row.updatedAt),
  };
}

const byCreation = (a: Task, b: Task) => (a.createdAt === b.createdAt ? (a.id < b.id ? -1 : 1) : a.createdAt < b.createdAt ? -1 : 1);

function updateExpression(patch: TaskPatch, updatedAt: string) {
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

export function dynamoTaskStores({ client, tableName }: DynamoStoreProps) {
  return (principal: Principal): TaskStore => {
    const PK = keys.userPk(principal.userId);
    const Key = (taskId: string) => ({ PK, SK: keys.taskSk(taskId) });
    const row = (task: Task) => ({ ...Key(task.id), type: 'task', ...task });
    return {
      async list(status) {
        const rows = await queryAll(client, {
          TableName: tableName,
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
          ...(status ? { FilterExpression: '#status = :status', ExpressionAttributeNames: { '#status': 'status' } } : {}),
          ExpressionAttributeValues: { ':pk': PK, ':prefix': keys.taskSkPrefix(), ...(status ? { ':status': status } : {}) },
          ConsistentRead: true,
        });
        return rows.map(toTask).sort(byCreation);
      },
      async get(taskId) {
        const res = await client.send(new GetCommand({ TableName: tableName, Key: Key(taskId), ConsistentRead: true }));
        return res.Item ? toTask(res.Item) : null;
      },
      async create(task) {
        const Item = row(task);
        try {
          await client.send(new PutCommand({ TableName: tableName, Item, ConditionExpression: 'attribute_not_exists(PK)', ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }));
          return true;
        } catch (err) {
          // This create's own first attempt, stored before its reply was lost (the SDK retried).
          if (isOwnEarlierWrite(err, Item, ['id', 'title', 'createdAt'])) return true;
          if (isConditionFailed(err)) return false;
          throw err;
        }
      },
      async update(taskId, patch, updatedAt) {
        try {
          const res = await client.send(
            new UpdateCommand({
              TableName: tableName,
              Key: Key(taskId),
              ...updateExpression(patch, updatedAt),
              ConditionExpression: 'attribute_exists(PK)',
              ReturnValues: 'ALL_NEW',
            }),
          );
          return toTask(res.Attributes ?? {});
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
          await transactWrite(client, [{ Delete: { TableName: tableName, Key: Key(taskId), ConditionExpression: 'attribute_exists(PK)' } }]);
          return true;
        } catch (err) {
          if (err instanceof TransactionCancelled && err.failedCondition() === 0) return false;
          throw err;
        }
      },
      stage(change: TaskChange): StagedWrite {
        let staged: TransactItem;
        switch (change.kind) {
          case 'create':
            staged = { Put: { TableName: tableName, Item: row(change.task), ConditionExpression: 'attribute_not_exists(PK)' } };
            break;
          case 'update':
            staged = { Update: { TableName: tableName, Key: Key(change.taskId), ...updateExpression(change.patch, change.updatedAt), ConditionExpression: 'attribute_exists(PK)' } };
            break;
          case 'delete':
            staged = { Delete: { TableName: tableName, Key: Key(change.taskId), ConditionExpression: 'attribute_exists(PK)' } };
            break;
        }
        return { staged };
      },
    };
  };
}
