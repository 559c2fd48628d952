// Creates the tables from the shared definition (infra/table.ts), as CDK does when deployed.
import {
  CreateTableCommand,
  DescribeTableCommand,
  UpdateTimeToLiveCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { TABLES, type TableName } from '../table';

export const localTableName = (name: TableName): string => `threadguard-${name}`;

export async function ensureTables(client: DynamoDBClient): Promise<Record<TableName, string>> {
  const names = {} as Record<TableName, string>;
  for (const [name, def] of Object.entries(TABLES) as [TableName, (typeof TABLES)[TableName]][]) {
    const TableName = localTableName(name);
    names[name] = TableName;
    try {
      await client.send(new DescribeTableCommand({ TableName }));
      continue;
    } catch (err) {
      if ((err as Error).name !== 'ResourceNotFoundException') throw err;
    }
    const sortKey = 'sortKey' in def ? (def.sortKey as string) : undefined;
    await client.send(
      new CreateTableCommand({
        TableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: def.partitionKey, AttributeType: 'S' },
          ...(sortKey ? [{ AttributeName: sortKey, AttributeType: 'S' as const }] : []),
        ],
        KeySchema: [
          { AttributeName: def.partitionKey, KeyType: 'HASH' },
          ...(sortKey ? [{ AttributeName: sortKey, KeyType: 'RANGE' as const }] : []),
        ],
      }),
    );
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName,
        TimeToLiveSpecification: { AttributeName: def.ttlAttribute, Enabled: true },
      }),
    );
  }
  return names;
}
