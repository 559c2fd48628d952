// Composition root for /me, /me/usage, /me/sign-out and DELETE /me.
import * as lib from '@aws-sdk/lib-dynamodb';
import { loadThreadRetentionDays, loadWebSocketManagementEndpoint } from '../shared/config';
import { dynamoApiKeyStore } from '../shared/adapters/api-key-store';
import { managementApiSender } from '../shared/adapters/connection-sender';
import { dynamoConnectionStore } from '../shared/adapters/connection-store';
import { dynamoAccountEraser } from '../shared/adapters/account-eraser';
import { dynamoProfileStore } from '../shared/adapters/profile-store';
import { DynamoDbSessionStore } from '../shared/adapters/session-store';
import { userConnections } from '../shared/adapters/user-connections';
import { httpHandler } from '../shared/lambda/http-handler';
import { contentWiring } from '../shared/lambda/content-wiring';
import { wiring } from '../shared/lambda/wiring';
import { meRoutes } from './controller';

const clients = wiring.clients();
const client = clients.shared;
const tableName = wiring.table().tableName;
// Sign-out and account deletion write the session item with the user's scoped client.
const sessions = new DynamoDbSessionStore(async () => ({ client, lib }), tableName, clients.forUser);

// Sign-out and account deletion close the user's open WebSocket connections the same way.
const connections = userConnections(dynamoConnectionStore(client, tableName, wiring.clock), managementApiSender(loadWebSocketManagementEndpoint(wiring.env)));

export const handler = httpHandler(
  meRoutes({
    profiles: dynamoProfileStore(clients, tableName, wiring.clock),
    budget: wiring.budget(),
    usage: wiring.usageStore(),
    sessions,
    apiKeys: dynamoApiKeyStore(clients, tableName),
    connections,
    audit: wiring.audit(),
    clock: wiring.clock,
    retentionDays: loadThreadRetentionDays(wiring.env),
    account: { cipher: contentWiring.cipher(), sessions, connections, eraser: dynamoAccountEraser(client, tableName, clients.forUser), audit: wiring.audit(), clock: wiring.clock },
  }),
  wiring.edge(),
);
