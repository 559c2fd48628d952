// Direct access to the test stack's DynamoDB Local (its endpoint is written into DATA_DIR by the
// local stack; it is never reachable through the API), for checks such as "no orphan items".
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { keys } from '../../functions/shared/core/keys';
import { tenantIdOf } from '../../functions/shared/adapters/tenant-id';

export interface LocalDb {
  readonly doc: DynamoDBDocumentClient;
  /** The same document client (name used by the audit tests). */
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
}

const cache = new Map<string, LocalDb>();

export function localDb(dataDir: string = inject('dataDir')): LocalDb {
  const hit = cache.get(dataDir);
  if (hit) return hit;
  const info = JSON.parse(readFileSync(join(dataDir, 'local-stack.json'), 'utf8')) as {
    dynamodbEndpoint: string;
    tables: { main: string };
  };
  const client = new DynamoDBClient({
    endpoint: info.dynamodbEndpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const db = { doc, client: doc, tableName: info.tables.main };
  cache.set(dataDir, db);
  return db;
}

/** Every row under a partition key whose sort key starts with `prefix`. */
export async function rowsWithPrefix(pk: string, prefix: string): Promise<Record<string, unknown>[]> {
  const { doc, tableName } = localDb();
  const rows: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const res = await doc.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: prefix ? 'PK = :pk AND begins_with(SK, :p)' : 'PK = :pk',
        ExpressionAttributeValues: prefix ? { ':pk': pk, ':p': prefix } : { ':pk': pk },
        ExclusiveStartKey: start,
        ConsistentRead: true,
      }),
    );
    rows.push(...(res.Items ?? []));
    start = res.LastEvaluatedKey;
  } while (start);
  return rows;
}

export const itemRows = (userId: string, threadId: string) => rowsWithPrefix(keys.userPk(tenantIdOf(userId)), keys.itemSkPrefix(threadId));
export const auditRows = (userId: string) => rowsWithPrefix(keys.auditPk(userId), '');
