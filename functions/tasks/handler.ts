// Composition root for /tasks.
import { httpHandler } from '../shared/lambda/http-handler';
import { contentWiring } from '../shared/lambda/content-wiring';
import { wiring } from '../shared/lambda/wiring';
import { tasksRoutes } from './controller';

export const handler = httpHandler(
  tasksRoutes({ tasks: contentWiring.taskStores(), clock: wiring.clock, ids: wiring.ids(), cursors: await wiring.cursors() }),
  contentWiring.edge(),
);
