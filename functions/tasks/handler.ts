// Composition root for /tasks.
import { httpHandler } from '../shared/lambda/http-handler';
import { wiring } from '../shared/lambda/wiring';
import { tasksRoutes } from './controller';

export const handler = httpHandler(
  tasksRoutes({ tasks: wiring.taskStores(), clock: wiring.clock, ids: wiring.ids(), cursors: await wiring.cursors() }),
  wiring.edge(),
);
