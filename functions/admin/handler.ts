// Composition root for the admin thread reads, the admin key disable, and usage and budgets.
import { randomUUID } from 'node:crypto';
import { dynamoAdminApiKeyStore, dynamoApiKeyStore } from '../shared/adapters/api-key-store';
import { httpHandler } from '../shared/lambda/http-handler';
import { contentWiring } from '../shared/lambda/content-wiring';
import { wiring } from '../shared/lambda/wiring';
import { adminRoutes } from './controller';
import { nodeDigest } from '../shared/adapters/node-crypto';

const { clients, tableName } = { clients: wiring.clients(), tableName: wiring.table().tableName };

export const handler = httpHandler(
  adminRoutes(await contentWiring.threadDeps(), {
    store: dynamoApiKeyStore(clients, tableName),
    adminStore: dynamoAdminApiKeyStore(clients, tableName),
    audit: wiring.audit(),
    clock: wiring.clock,
    ids: wiring.ids(),
    digest: nodeDigest,
    newKey: randomUUID,
  }, {
    usage: wiring.usageStore(),
    index: wiring.usageIndex(),
    budget: wiring.budget(),
    audit: wiring.audit(),
    clock: wiring.clock,
    cursorSigner: wiring.cursorSigner,
  }),
  wiring.edge(),
);
