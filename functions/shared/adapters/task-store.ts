// Tasks in DynamoDB, one store per principal: keys only ever in the principal's own partition.
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../core/keys';
import type { Principal } from '../core/principal';
import type { StagedWrite, Task, TaskChange, TaskPatch, TaskStore } from '../core/tasks/task';
import { queryAll } from './dynamo-reads';
import { isConditionFailed, type TransactItem } from './dynamo-writes';
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
        try {
          await client.send(new PutCommand({ TableName: tableName, Item: row(task), ConditionExpression: 'attribute_not_exists(PK)' }));
          return true;
        } catch (err) {
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
        try {
          await client.send(new DeleteCommand({ TableName: tableName, Key: Key(taskId), ConditionExpression: 'attribute_exists(PK)' }));
          return true;
        } catch (err) {
          if (isConditionFailed(err)) return false;
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
