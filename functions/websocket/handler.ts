// Composition root for the WebSocket API ($connect, $disconnect, ping, sendMessage, $default).
import * as lib from '@aws-sdk/lib-dynamodb';
import { loadWebSocketConfig } from '../shared/config';
import { managementApiSender, managementEndpoint } from '../shared/adapters/connection-sender';
import { dynamoConnectionStore } from '../shared/adapters/connection-store';
import { dynamoApiKeyStore } from '../shared/adapters/api-key-store';
import { DynamoDbSessionStore } from '../shared/adapters/session-store';
import { openReply } from '../shared/core/agent/reply';
import { credentialStillValid } from '../shared/core/session-validity';
import { cachedSessionStore } from '../shared/core/sessions';
import { replyModel } from '../shared/lambda/reply-model';
import { contentWiring } from '../shared/lambda/content-wiring';
import { wiring } from '../shared/lambda/wiring';
import { websocketHandler, type ChatTurn } from './controller';

const { tableName } = wiring.table();
const clients = wiring.clients();
const client = clients.shared;
const replyDeps = contentWiring.reply(replyModel());
const sessionDeps = {
  apiKeys: dynamoApiKeyStore(clients, tableName),
  clock: wiring.clock,
  sessions: cachedSessionStore(new DynamoDbSessionStore(async () => ({ client, lib }), tableName, clients.forUser)),
};
const senders = new Map<string, ReturnType<typeof managementApiSender>>();

/** Every send is an agent reply: the frame was counted in `requests` already; the use case counts `respond`. */
const chat: ChatTurn = async (principal, origin, { threadId, content, pageContext }, requestsDecision, emit) => {
  const reply = await openReply(replyDeps, { access: { principal, origin }, target: { threadId }, content, pageContext, requestsDecision });
  for await (const e of reply.events) await emit({ ...e });
};

export const handler = websocketHandler({
  connections: dynamoConnectionStore(client, tableName, wiring.clock),
  sender: (domainName, stage) => {
    const endpoint = managementEndpoint(domainName, stage);
    let s = senders.get(endpoint);
    if (!s) senders.set(endpoint, (s = managementApiSender(endpoint)));
    return s;
  },
  chat,
  stillValid: (principal) => credentialStillValid(sessionDeps, principal),
  meter: (principal) => wiring.limiter().consume(principal, 'requests'),
  maxConnectionsPerUser: loadWebSocketConfig(process.env).maxConnectionsPerUser,
});
