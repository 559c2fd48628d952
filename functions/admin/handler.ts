// Composition root for the admin thread reads.
import { httpHandler } from '../shared/lambda/http-handler';
import { wiring } from '../shared/lambda/wiring';
import { adminRoutes } from './controller';

export const handler = httpHandler(adminRoutes(await wiring.threadDeps()), wiring.edge());
