// Read helper shared by the stores: a Query followed page by page to its end.
import { QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';

type Row = Record<string, unknown>;

/** Yields each page of a Query's items, following LastEvaluatedKey until there is none. */
export async function* queryPages(client: DynamoDBDocumentClient, input: Omit<QueryCommandInput, 'ExclusiveStartKey'>): AsyncGenerator<Row[]> {
  let start: Row | undefined;
  do {
    const res = await client.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
    yield res.Items ?? [];
    start = res.LastEvaluatedKey;
  } while (start);
}

/** Every item a Query matches, across all pages. */
export async function queryAll(client: DynamoDBDocumentClient, input: Omit<QueryCommandInput, 'ExclusiveStartKey'>): Promise<Row[]> {
  const rows: Row[] = [];
  for await (const page of queryPages(client, input)) rows.push(...page);
  return rows;
}

/**
 * One page of at most `limit` rows, and whether more follow. DynamoDB stops a Query at 1 MB, and a
 * FilterExpression removes rows after `Limit` counted them, so one Query can come back short with
 * a LastEvaluatedKey; this follows that continuation until it holds `limit + 1` rows (the extra one
 * proves that more exist) or the query ends, so a page is never short while more rows exist and
 * the last page never hands out a cursor.
 */
export async function queryPage(
  client: DynamoDBDocumentClient,
  input: Omit<QueryCommandInput, 'ExclusiveStartKey' | 'Limit'>,
  limit: number,
  start?: Row,
): Promise<{ rows: Row[]; more: boolean }> {
  const rows: Row[] = [];
  let next = start;
  do {
    const res = await client.send(new QueryCommand({ ...input, ExclusiveStartKey: next, Limit: limit + 1 - rows.length }));
    rows.push(...(res.Items ?? []));
    next = res.LastEvaluatedKey;
  } while (next && rows.length <= limit);
  return { rows: rows.slice(0, limit), more: rows.length > limit };
}
