// Composition root for /me.
import { dynamoProfileStore } from '../shared/adapters/profile-store';
import { httpHandler } from '../shared/lambda/http-handler';
import { wiring } from '../shared/lambda/wiring';
import { meRoutes } from './controller';

export const handler = httpHandler(
  meRoutes({ profiles: dynamoProfileStore(wiring.client(), wiring.table().tableName, wiring.clock), budget: wiring.budget() }),
  wiring.edge(),
);
