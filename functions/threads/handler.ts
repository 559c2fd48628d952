// Composition root for /threads (threads and their items).
import { httpHandler } from '../shared/lambda/http-handler';
import { contentWiring } from '../shared/lambda/content-wiring';
import { threadsRoutes } from './controller';

export const handler = httpHandler(threadsRoutes(await contentWiring.threadDeps()), contentWiring.edge());
