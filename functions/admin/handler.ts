// Composition root for the admin thread reads.
import { randomFillSync, randomUUID } from 'node:crypto';
import { dynamoAdminApiKeyStore, dynamoApiKeyStore } from '../shared/adapters/api-key-store';
import { loadTableConfig } from '../shared/config';
import { createDocumentClient } from '../shared/adapters/dynamo-client';
import { secretSource } from '../shared/adapters/secret-source';
import { dynamoThreadStores } from '../shared/adapters/thread-store';
import { cursorCodec } from '../shared/core/cursor';
import { ulidGenerator } from '../shared/core/ids';
import { systemClock } from '../shared/core/ports';
import { edgeOptions } from '../shared/lambda/edge-options';
import { httpHandler } from '../shared/lambda/http-handler';
import { createAuditLog } from '../shared/lambda/audit-log';
import { adminRoutes } from './controller';

const table = loadTableConfig(process.env);
const client = createDocumentClient(table);
const ids = ulidGenerator(systemClock, (b) => randomFillSync(b));
const stores = dynamoThreadStores({ client, tableName: table.tableName });
const audit = createAuditLog({ client, tableName: table.tableName }).log;

export const handler = httpHandler(
  adminRoutes(
    {
      threads: stores.threadStore,
      adminReader: stores.adminThreadReader,
      cursors: cursorCodec(await secretSource({ name: 'CURSOR_SECRET', env: process.env }).get()),
      audit,
      clock: systemClock,
      ids,
    },
    {
      store: dynamoApiKeyStore(client, table.tableName),
      adminStore: dynamoAdminApiKeyStore(client, table.tableName),
      audit,
      clock: systemClock,
      ids,
      newKey: randomUUID,
    },
  ),
  edgeOptions(process.env, client),
);
