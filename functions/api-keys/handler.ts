// Composition root for /api-keys.
import { randomUUID } from 'node:crypto';
import { dynamoApiKeyStore } from '../shared/adapters/api-key-store';
import { loadApiKeyMaxDays } from '../shared/config';
import { httpHandler } from '../shared/lambda/http-handler';
import { wiring } from '../shared/lambda/wiring';
import { apiKeysRoutes } from './controller';
import { nodeDigest } from '../shared/adapters/node-crypto';

export const handler = httpHandler(
  apiKeysRoutes({
    store: dynamoApiKeyStore(wiring.clients(), wiring.table().tableName),
    audit: wiring.audit(),
    clock: wiring.clock,
    ids: wiring.ids(),
    digest: nodeDigest,
    newKey: randomUUID,
    maxDays: loadApiKeyMaxDays(process.env),
  }),
  wiring.edge(),
);
