// Composition root for /me, /me/sign-out and DELETE /me.
import * as lib from '@aws-sdk/lib-dynamodb';
import { dynamoAccountEraser } from '../shared/adapters/account-eraser';
import { dynamoProfileStore } from '../shared/adapters/profile-store';
import { DynamoDbSessionStore } from '../shared/adapters/session-store';
import { httpHandler } from '../shared/lambda/http-handler';
import { wiring } from '../shared/lambda/wiring';
import { meRoutes } from './controller';

const client = wiring.client();
const tableName = wiring.table().tableName;
const sessions = new DynamoDbSessionStore(async () => ({ client, lib }), tableName);

export const handler = httpHandler(
  meRoutes({
    profiles: dynamoProfileStore(client, tableName, wiring.clock),
    budget: wiring.budget(),
    sessions,
    audit: wiring.audit(),
    clock: wiring.clock,
    account: { cipher: wiring.cipher(), sessions, eraser: dynamoAccountEraser(client, tableName), audit: wiring.audit(), clock: wiring.clock },
  }),
  wiring.edge(),
);
