// Composition root for the webhook authorizer: the secret is read once per cold start.
import { secretSource } from '../shared/adapters/secret-source';
import { webhookTokenFrom } from '../shared/core/webhooks';
import { createWebhookAuthorizer } from './authorizer';

export const handler = createWebhookAuthorizer({
  secret: secretSource({ name: 'WEBHOOK_TOKEN', env: process.env, normalize: (value, variable) => webhookTokenFrom(variable, value) }),
});
