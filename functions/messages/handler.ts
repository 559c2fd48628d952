// Composition root for POST /threads/{threadId}/messages (Lambda response streaming).
import { loadTableConfig } from '../shared/config';
import { createDocumentClient } from '../shared/adapters/dynamo-client';
import { chatWiring } from '../shared/lambda/chat-wiring';
import { edgeOptions } from '../shared/lambda/edge-options';
import { streamingHttpHandler } from '../shared/lambda/streaming-handler';
import { messageRoutes } from './controller';

const table = loadTableConfig(process.env);
const client = createDocumentClient(table);

export const handler = streamingHttpHandler(messageRoutes(chatWiring(client, table.tableName).deps), edgeOptions(process.env, client));
