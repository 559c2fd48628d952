// Composition root for the WebSocket API ($connect, $disconnect, ping, sendMessage, $default).
import { loadTableConfig, loadWebSocketConfig } from '../shared/config';
import { managementApiSender, managementEndpoint } from '../shared/adapters/connection-sender';
import { dynamoConnectionStore } from '../shared/adapters/connection-store';
import { createDocumentClient } from '../shared/adapters/dynamo-client';
import { dynamoApiKeyStore } from '../shared/adapters/api-key-store';
import { startExchange } from '../shared/core/agent/post-message';
import { credentialStillValid } from '../shared/core/session-validity';
import { systemClock } from '../shared/core/ports';
import * as lib from '@aws-sdk/lib-dynamodb';
import { DynamoDbSessionStore } from '../shared/adapters/session-store';
import { cachedSessionStore } from '../shared/core/sessions';
import { chatWiring } from '../shared/lambda/chat-wiring';
import { rateLimiterFromEnv } from '../shared/lambda/edge-options';
import { websocketHandler, type ChatTurn } from './controller';

const table = loadTableConfig(process.env);
const client = createDocumentClient(table);
const { deps } = chatWiring(client, table.tableName);
const limiter = rateLimiterFromEnv(process.env, client);
const sessionDeps = {
  apiKeys: dynamoApiKeyStore(client, table.tableName),
  clock: systemClock,
  sessions: cachedSessionStore(new DynamoDbSessionStore(async () => ({ client, lib }), table.tableName)),
};
const senders = new Map<string, ReturnType<typeof managementApiSender>>();

/** Every send is an agent reply: its frame already counted in `requests`; it counts in `respond` too, as on REST. */
const chat: ChatTurn = async (principal, origin, { threadId, content }, emit) => {
  await limiter.consume(principal, 'respond');
  const exchange = await startExchange(deps, { principal, origin }, threadId);
  await exchange.complete(content, null, async (e) => {
    if (e.type !== 'tool_call') await emit(e as unknown as Record<string, unknown> & { type: string });
  });
};

export const handler = websocketHandler({
  connections: dynamoConnectionStore(client, table.tableName, systemClock),
  sender: (domainName, stage) => {
    const endpoint = managementEndpoint(domainName, stage);
    let s = senders.get(endpoint);
    if (!s) senders.set(endpoint, (s = managementApiSender(endpoint)));
    return s;
  },
  chat,
  stillValid: (principal) => credentialStillValid(sessionDeps, principal),
  meter: async (principal) => void (await limiter.consume(principal, 'requests')),
  maxConnectionsPerUser: loadWebSocketConfig(process.env).maxConnectionsPerUser,
});
