// Composition root for the admin thread reads.
import { randomFillSync } from 'node:crypto';
import { loadTableConfig } from '../shared/config';
import { DynamoDbAuditLog } from '../shared/adapters/audit-log';
import { createDocumentClient } from '../shared/adapters/dynamo-client';
import { secretSource } from '../shared/adapters/secret-source';
import { dynamoThreadStores } from '../shared/adapters/thread-store';
import { cursorCodec } from '../shared/core/cursor';
import { ulidGenerator } from '../shared/core/ids';
import { systemClock } from '../shared/core/ports';
import { edgeOptions } from '../shared/lambda/edge-options';
import { httpHandler } from '../shared/lambda/http-handler';
import { logger } from '../shared/lambda/logger';
import { adminRoutes } from './controller';

const table = loadTableConfig(process.env);
const client = createDocumentClient(table);
const ids = ulidGenerator(systemClock, (b) => randomFillSync(b));
const stores = dynamoThreadStores({ client, tableName: table.tableName });

export const handler = httpHandler(
  adminRoutes({
    threads: stores.threadStore,
    adminReader: stores.adminThreadReader,
    cursors: cursorCodec(await secretSource({ name: 'CURSOR_SECRET', env: process.env }).get()),
    audit: new DynamoDbAuditLog({ client, tableName: table.tableName, clock: systemClock, ids, log: (e) => logger.info('audit', { audit: e }) }),
    clock: systemClock,
    ids,
  }),
  edgeOptions(),
);
