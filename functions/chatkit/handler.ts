// Composition root for POST /chatkit (Lambda response streaming).
import { loadTableConfig } from '../shared/config';
import { createDocumentClient } from '../shared/adapters/dynamo-client';
import { secretSource } from '../shared/adapters/secret-source';
import { cursorCodec } from '../shared/core/cursor';
import { chatWiring } from '../shared/lambda/chat-wiring';
import { edgeOptions, rateLimiterFromEnv } from '../shared/lambda/edge-options';
import { streamingHttpHandler } from '../shared/lambda/streaming-handler';
import { chatKitRoutes } from './controller';

const table = loadTableConfig(process.env);
const client = createDocumentClient(table);
const { deps, adminReader } = chatWiring(client, table.tableName);
const cursors = cursorCodec(await secretSource({ name: 'CURSOR_SECRET', env: process.env }).get());

export const handler = streamingHttpHandler(
  chatKitRoutes({
    threadDeps: { threads: deps.threads, adminReader, cursors, audit: deps.audit, clock: deps.clock, ids: deps.ids },
    chat: deps,
    limiter: rateLimiterFromEnv(process.env, client),
  }),
  edgeOptions(process.env, client),
);
