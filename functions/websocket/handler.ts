// Composition root for the WebSocket API ($connect, $disconnect, ping, sendMessage, resume, cancel, $default).
import * as lib from '@aws-sdk/lib-dynamodb';
import { loadWebSocketConfig } from '../shared/config';
import { managementApiSender, managementEndpoint } from '../shared/adapters/connection-sender';
import { dynamoConnectionStore } from '../shared/adapters/connection-store';
import { dynamoApiKeyStore } from '../shared/adapters/api-key-store';
import { lambdaEventInvoker } from '../shared/adapters/lambda-invoker';
import { DynamoDbSessionStore } from '../shared/adapters/session-store';
import { cancelReply } from '../shared/core/agent/reply-control';
import { credentialStillValid } from '../shared/core/session-validity';
import { cachedSessionStore } from '../shared/core/sessions';
import { replyWiring } from '../shared/lambda/reply-wiring';
import { traced } from '../shared/lambda/tracing';
import { wiring } from '../shared/lambda/wiring';
import { websocketHandler } from './controller';

const config = loadWebSocketConfig(process.env);
const { tableName } = wiring.table();
const clients = wiring.clients();
const client = clients.shared;
const sessionDeps = {
  apiKeys: dynamoApiKeyStore(clients, tableName),
  clock: wiring.clock,
  sessions: cachedSessionStore(new DynamoDbSessionStore(async () => ({ client, lib }), tableName, clients.forUser)),
};
const senders = new Map<string, ReturnType<typeof managementApiSender>>();
const replyControl = replyWiring.replyControl();

export const handler = websocketHandler({
  connections: dynamoConnectionStore(client, tableName, wiring.clock),
  sender: (domainName, stage) => {
    const endpoint = managementEndpoint(domainName, stage);
    let s = senders.get(endpoint);
    if (!s) senders.set(endpoint, (s = managementApiSender(endpoint)));
    return s;
  },
  handOff: lambdaEventInvoker(config.replyFunction, traced),
  cancel: (access, ref) => cancelReply(replyControl, access, ref),
  stillValid: (principal) => credentialStillValid(sessionDeps, principal),
  meter: (principal) => wiring.limiter().consume(principal, 'requests'),
  maxConnectionsPerUser: config.maxConnectionsPerUser,
});
