// Composition root for /threads (threads and their items).
import { httpHandler } from '../shared/lambda/http-handler';
import { wiring } from '../shared/lambda/wiring';
import { threadsRoutes } from './controller';

export const handler = httpHandler(threadsRoutes(await wiring.threadDeps()), wiring.edge());
