// Direct reads of the running local stack's table, for asserting what a request stored
// (the API has no route that shows, e.g., stored webhook events). Built on local-db.ts.
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { localDb, rowsWithPrefix } from './local-db';

export async function getItem(PK: string, SK: string): Promise<Record<string, unknown> | undefined> {
  const { doc, tableName } = localDb();
  return (await doc.send(new GetCommand({ TableName: tableName, Key: { PK, SK }, ConsistentRead: true }))).Item;
}

/** Items of one partition, optionally only those whose sort key starts with `skPrefix`. */
export const queryPrefix = (PK: string, skPrefix = ''): Promise<Record<string, unknown>[]> => rowsWithPrefix(PK, skPrefix);
