// Composition root for /me.
import { loadTableConfig } from '../shared/config';
import { edgeOptions } from '../shared/lambda/edge-options';
import { createDocumentClient } from '../shared/adapters/dynamo-client';
import { dynamoProfileStore } from '../shared/adapters/profile-store';
import { systemClock } from '../shared/core/ports';
import { httpHandler } from '../shared/lambda/http-handler';
import { meRoutes } from './controller';

const table = loadTableConfig(process.env);
const client = createDocumentClient(table);

export const handler = httpHandler(meRoutes(dynamoProfileStore(client, table.tableName, systemClock)), edgeOptions(process.env, client));
