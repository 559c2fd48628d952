// Direct reads of the running local stack's table, for asserting what a request stored
// (the API has no route that shows, e.g., stored webhook events).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';

let cached: { client: DynamoDBDocumentClient; tableName: string } | undefined;

function table() {
  if (!cached) {
    const info = JSON.parse(readFileSync(join(inject('dataDir'), 'local-stack.json'), 'utf8')) as {
      dynamoDbEndpoint: string;
      tables: { main: string };
    };
    const client = new DynamoDBClient({
      endpoint: info.dynamoDbEndpoint,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    cached = { client: DynamoDBDocumentClient.from(client), tableName: info.tables.main };
  }
  return cached;
}

export async function getItem(PK: string, SK: string): Promise<Record<string, unknown> | undefined> {
  const { client, tableName } = table();
  return (await client.send(new GetCommand({ TableName: tableName, Key: { PK, SK }, ConsistentRead: true }))).Item;
}

/** Items of one partition, optionally only those whose sort key starts with `skPrefix`. */
export async function queryPrefix(PK: string, skPrefix = ''): Promise<Record<string, unknown>[]> {
  const { client, tableName } = table();
  const res = await client.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: skPrefix ? 'PK = :pk AND begins_with(SK, :p)' : 'PK = :pk',
      ExpressionAttributeValues: skPrefix ? { ':pk': PK, ':p': skPrefix } : { ':pk': PK },
      ConsistentRead: true,
    }),
  );
  return res.Items ?? [];
}
