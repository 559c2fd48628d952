// Composition root for /threads (threads, items, messages and the TaskManager agent).
import { randomFillSync } from 'node:crypto';
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
import { threadsRoutes } from './controller';

const table = loadTableConfig(process.env);
const client = createDocumentClient(table);
const ids = ulidGenerator(systemClock, (b) => randomFillSync(b));
const stores = dynamoThreadStores({ client, tableName: table.tableName });
const cursors = cursorCodec(await secretSource({ name: 'CURSOR_SECRET', env: process.env }).get());
const audit = createAuditLog({ client, tableName: table.tableName }).log;

export const handler = httpHandler(
  threadsRoutes({
    threads: stores.threadStore,
    adminReader: stores.adminThreadReader,
    cursors,
    audit,
    clock: systemClock,
    ids,
  }),
  edgeOptions(process.env, client),
);
