// The items of a thread whose row DynamoDB's TTL removed (THREAD_RETENTION_DAYS): the row carries the
// expiry, its items none, so they go here, after it. Paged, batched, idempotent (a retried batch
// finds fewer rows), through the tenant's own credentials.
import { keys, type Tenant } from '../core/keys';
import { queryPages } from './dynamo-reads';
import { batchDelete } from './dynamo-writes';
import type { TenantClients } from './tenant-clients';

export type ExpiredThreadPurge = (tenant: Tenant, threadId: string) => Promise<number>;

export function expiredThreadItems(clients: TenantClients, tableName: string): ExpiredThreadPurge {
  return async (tenant, threadId) => {
    const client = clients.forTenant(tenant);
    let removed = 0;
    const pages = queryPages(client, {
      TableName: tableName,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.userPk(tenant), ':prefix': keys.itemSkPrefix(threadId) },
      ProjectionExpression: 'PK, SK',
      ConsistentRead: true,
    });
    for await (const page of pages) {
      await batchDelete(client, tableName, page);
      removed += page.length;
    }
    return removed;
  };
}
