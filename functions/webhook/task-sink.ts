// Where `tasks` webhook events land: a user's tasks. A small port so the effect can move onto the
// shared task store unchanged; the adapter below writes the same Task items (keys via core/keys.ts).
import { PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { keys } from '../shared/core/keys';
import type { Clock } from '../shared/core/ports';

export interface TaskSink {
  /** Creates the task unless one with this id exists; false when it already did. */
  created(userId: string, task: { taskId: string; title: string }): Promise<boolean>;
  /** Marks the task done; false when the user has no such task. */
  completed(userId: string, taskId: string): Promise<boolean>;
}

const failedCondition = (err: unknown) => (err as Error)?.name === 'ConditionalCheckFailedException';

export function dynamoTaskSink(client: DynamoDBDocumentClient, tableName: string, clock: Clock): TaskSink {
  return {
    async created(userId, { taskId, title }) {
      const now = clock.now().toISOString();
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              PK: keys.userPk(userId),
              SK: keys.taskSk(taskId),
              type: 'task',
              id: taskId,
              title,
              status: 'open',
              dueDate: null,
              createdAt: now,
              updatedAt: now,
            },
            ConditionExpression: 'attribute_not_exists(PK)',
          }),
        );
        return true;
      } catch (err) {
        if (failedCondition(err)) return false;
        throw err;
      }
    },
    async completed(userId, taskId) {
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { PK: keys.userPk(userId), SK: keys.taskSk(taskId) },
            UpdateExpression: 'SET #status = :done, updatedAt = :now',
            ConditionExpression: 'attribute_exists(PK) AND #type = :task',
            ExpressionAttributeNames: { '#status': 'status', '#type': 'type' },
            ExpressionAttributeValues: { ':done': 'done', ':now': clock.now().toISOString(), ':task': 'task' },
          }),
        );
        return true;
      } catch (err) {
        if (failedCondition(err)) return false;
        throw err;
      }
    },
  };
}
