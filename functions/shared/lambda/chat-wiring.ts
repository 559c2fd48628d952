// The chat dependencies every transport wires the same way (REST, SSE, WebSocket, ChatKit), once per cold start.
import { randomFillSync } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dynamoTaskStores } from '../adapters/task-store';
import { dynamoThreadStores } from '../adapters/thread-store';
import type { PostMessageDeps } from '../core/agent/post-message';
import { taskManagerModel } from '../core/agent/task-manager-model';
import { ulidGenerator } from '../core/ids';
import { systemClock } from '../core/ports';
import { createAuditLog } from './audit-log';

export function chatWiring(client: DynamoDBDocumentClient, tableName: string) {
  const ids = ulidGenerator(systemClock, (b) => randomFillSync(b));
  const stores = dynamoThreadStores({ client, tableName });
  const deps: PostMessageDeps = {
    threads: stores.threadStore,
    tasks: dynamoTaskStores({ client, tableName }),
    model: taskManagerModel,
    audit: createAuditLog({ client, tableName }).log,
    clock: systemClock,
    ids,
  };
  return { deps, adminReader: stores.adminThreadReader };
}
