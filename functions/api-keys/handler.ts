// Composition root for /api-keys.
import { randomUUID, getRandomValues } from 'node:crypto';
import { loadTableConfig } from '../shared/config';
import { dynamoApiKeyStore } from '../shared/adapters/api-key-store';
import { DynamoDbAuditLog } from '../shared/adapters/audit-log';
import { createDocumentClient } from '../shared/adapters/dynamo-client';
import { ulidGenerator } from '../shared/core/ids';
import { systemClock } from '../shared/core/ports';
import { edgeOptions } from '../shared/lambda/edge-options';
import { httpHandler } from '../shared/lambda/http-handler';
import { logger } from '../shared/lambda/logger';
import { apiKeysRoutes } from './controller';

const table = loadTableConfig(process.env);
const client = createDocumentClient(table);
const ids = ulidGenerator(systemClock, (b) => getRandomValues(b));

export const handler = httpHandler(
  apiKeysRoutes({
    store: dynamoApiKeyStore(client, table.tableName),
    audit: new DynamoDbAuditLog({
      client,
      tableName: table.tableName,
      clock: systemClock,
      ids,
      log: (event) => logger.info('audit', { audit: event }),
    }),
    clock: systemClock,
    ids,
    newKey: randomUUID,
  }),
  edgeOptions(),
);
