// Composition root for GET /me/export (Lambda response streaming).
import { accountExportSource } from '../shared/adapters/account-export-source';
import { dynamoApiKeyStore } from '../shared/adapters/api-key-store';
import { dynamoProfileStore } from '../shared/adapters/profile-store';
import { dynamoThreadExportReader } from '../shared/adapters/thread-export-reader';
import { streamingHttpHandler } from '../shared/lambda/streaming-handler';
import { contentWiring } from '../shared/lambda/content-wiring';
import { wiring } from '../shared/lambda/wiring';
import { exportRoutes } from './controller';

const clients = wiring.clients();
const tableName = wiring.table().tableName;

export const handler = streamingHttpHandler(
  exportRoutes({
    source: accountExportSource({
      profiles: dynamoProfileStore(clients, tableName, wiring.clock),
      threads: dynamoThreadExportReader({ clients, tableName }, contentWiring.cipher(), wiring.clock),
      tasks: contentWiring.taskStores(),
      apiKeys: dynamoApiKeyStore(clients, tableName),
      audit: wiring.auditStore(),
    }),
    audit: wiring.audit(),
    clock: wiring.clock,
  }),
  wiring.edge(),
);
