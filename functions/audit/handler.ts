// Composition root for GET /admin/audit.
import { loadTableConfig } from '../shared/config';
import { createDocumentClient } from '../shared/adapters/dynamo-client';
import { secretSource } from '../shared/adapters/secret-source';
import { createAuditLog } from '../shared/lambda/audit-log';
import { edgeOptions } from '../shared/lambda/edge-options';
import { httpHandler } from '../shared/lambda/http-handler';
import { auditRoutes } from './controller';

const table = loadTableConfig(process.env);
const client = createDocumentClient(table);
const cursorSecret = secretSource({ name: 'CURSOR_SECRET', env: process.env });
const { store } = createAuditLog({ client, tableName: table.tableName });

export const handler = httpHandler(
  auditRoutes({ reader: store, cursorSecret: () => cursorSecret.get() }),
  edgeOptions(process.env, client),
);
