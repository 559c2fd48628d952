// Composition root for /tasks.
import { randomFillSync } from 'node:crypto';
import { loadTableConfig } from '../shared/config';
import { createDocumentClient } from '../shared/adapters/dynamo-client';
import { dynamoTaskStores } from '../shared/adapters/task-store';
import { ulidGenerator } from '../shared/core/ids';
import { systemClock } from '../shared/core/ports';
import { edgeOptions } from '../shared/lambda/edge-options';
import { httpHandler } from '../shared/lambda/http-handler';
import { tasksRoutes } from './controller';

const table = loadTableConfig(process.env);
const client = createDocumentClient(table);

export const handler = httpHandler(
  tasksRoutes({
    tasks: dynamoTaskStores({ client, tableName: table.tableName }),
    clock: systemClock,
    ids: ulidGenerator(systemClock, (b) => randomFillSync(b)),
  }),
  edgeOptions(),
);
