// THE table definitions: read by the CDK stack and by the local stack's table bootstrap.

export interface TableDef {
  readonly partitionKey: string;
  readonly sortKey?: string;
  /** Attribute holding an epoch-seconds expiry; DynamoDB TTL deletes expired items. */
  readonly ttlAttribute: string;
  /** Environment variable through which functions receive the table name. */
  readonly envVar: string;
}

export const TABLES = {
  /** Single table for profiles, threads, items, tasks, keys, counters, audit, connections, webhooks. */
  main: { partitionKey: 'PK', sortKey: 'SK', ttlAttribute: 'expiresAt', envVar: 'TABLE_NAME' },
} as const satisfies Record<string, TableDef>;

export type TableName = keyof typeof TABLES;
