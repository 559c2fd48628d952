// Composition root for /webhooks/{source}.
import { getRandomValues } from 'node:crypto';
import { loadTableConfig, loadWebhookConfig } from '../shared/config';
import { createDocumentClient } from '../shared/adapters/dynamo-client';
import { dynamoTaskStores } from '../shared/adapters/task-store';
import { DynamoDbWebhookEventStore } from '../shared/adapters/webhook-event-store';
import { ulidGenerator } from '../shared/core/ids';
import { WEBHOOK_MAX_BODY_BYTES } from '../shared/core/webhooks';
import { systemClock } from '../shared/core/ports';
import { edgeOptions } from '../shared/lambda/edge-options';
import { httpHandler } from '../shared/lambda/http-handler';
import { webhookRoutes } from './controller';

const table = loadTableConfig(process.env);
const { sources } = loadWebhookConfig(process.env);
const client = createDocumentClient(table);

export const handler = httpHandler(
  webhookRoutes({
    sources,
    events: new DynamoDbWebhookEventStore(client, table.tableName),
    tasks: dynamoTaskStores({ client, tableName: table.tableName }),
    clock: systemClock,
    ids: ulidGenerator(systemClock, (b) => getRandomValues(b)),
  }),
  { ...edgeOptions(), maxBodyBytes: WEBHOOK_MAX_BODY_BYTES },
);
