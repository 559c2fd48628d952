// Composition root for /me and /me/sign-out.
import * as lib from '@aws-sdk/lib-dynamodb';
import { loadTableConfig } from '../shared/config';
import { edgeOptions } from '../shared/lambda/edge-options';
import { createDocumentClient } from '../shared/adapters/dynamo-client';
import { dynamoProfileStore } from '../shared/adapters/profile-store';
import { DynamoDbSessionStore } from '../shared/adapters/session-store';
import { systemClock } from '../shared/core/ports';
import { createAuditLog } from '../shared/lambda/audit-log';
import { httpHandler } from '../shared/lambda/http-handler';
import { meRoutes } from './controller';

const table = loadTableConfig(process.env);
const client = createDocumentClient(table);

export const handler = httpHandler(
  meRoutes({
    profiles: dynamoProfileStore(client, table.tableName, systemClock),
    sessions: new DynamoDbSessionStore(async () => ({ client, lib }), table.tableName),
    audit: createAuditLog({ client, tableName: table.tableName }).log,
    clock: systemClock,
  }),
  edgeOptions(process.env, client),
);
