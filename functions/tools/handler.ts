// Composition root for /tools/available.
import { httpHandler } from '../shared/lambda/http-handler';
import { wiring } from '../shared/lambda/wiring';
import { toolsRoutes } from './controller';

export const handler = httpHandler(toolsRoutes, wiring.edge());
