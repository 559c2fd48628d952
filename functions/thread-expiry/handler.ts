// DynamoDB stream → the items of threads past their retention. The stream's filter
// (infra/constructs/thread-expiry.ts) delivers only REMOVE records of `THREAD#` rows made by the TTL
// service; the checks are repeated here, so a thread its owner deleted (its items already gone) or
// any other record is passed over. A failure throws: Lambda retries the batch, which is idempotent.
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/time-to-live-ttl-streams.html
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { expiredThreadItems } from '../shared/adapters/expired-thread-items';
import { TENANT_FAMILIES, unescapeKeyPart, type Tenant } from '../shared/core/keys';
import { logger } from '../shared/lambda/logger';
import { wiring } from '../shared/lambda/wiring';
import { TTL_PRINCIPAL } from './handler-constants';

const USER_PREFIX = `${TENANT_FAMILIES.user}#`;
const THREAD_PREFIX = 'THREAD#';

const purge = expiredThreadItems(wiring.clients(), wiring.table().tableName);

export async function handler(event: DynamoDBStreamEvent): Promise<void> {
  for (const record of event.Records) {
    if (record.eventName !== 'REMOVE' || record.userIdentity?.type !== 'Service' || record.userIdentity.principalId !== TTL_PRINCIPAL) continue;
    const pk = record.dynamodb?.Keys?.PK?.S;
    const sk = record.dynamodb?.Keys?.SK?.S;
    if (!pk?.startsWith(USER_PREFIX) || !sk?.startsWith(THREAD_PREFIX)) continue;
    const tenant = pk.slice(USER_PREFIX.length) as Tenant;
    const threadId = unescapeKeyPart(sk.slice(THREAD_PREFIX.length));
    const removed = await purge(tenant, threadId);
    logger.info('expired thread removed', { tenant, threadId, items: removed });
  }
}
