// Composition root for /webhooks/{source}.
import { loadWebhookConfig } from '../shared/config';
import { nodeDigest } from '../shared/adapters/node-crypto';
import { DynamoDbWebhookEventStore } from '../shared/adapters/webhook-event-store';
import { WEBHOOK_MAX_BODY_BYTES } from '../shared/core/webhooks';
import { httpHandler } from '../shared/lambda/http-handler';
import { contentWiring } from '../shared/lambda/content-wiring';
import { wiring } from '../shared/lambda/wiring';
import { webhookRoutes } from './controller';

const { sources } = loadWebhookConfig(process.env);

export const handler = httpHandler(
  webhookRoutes({
    sources,
    digest: nodeDigest,
    events: new DynamoDbWebhookEventStore(wiring.client(), wiring.table().tableName),
    tasks: contentWiring.taskStores(),
    clock: wiring.clock,
    ids: wiring.ids(),
  }),
  { ...wiring.edge(), maxBodyBytes: WEBHOOK_MAX_BODY_BYTES },
);
