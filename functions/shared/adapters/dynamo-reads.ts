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
