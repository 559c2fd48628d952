// Composition root for /tools/available.
import { edgeOptions } from '../shared/lambda/edge-options';
import { httpHandler } from '../shared/lambda/http-handler';
import { toolsRoutes } from './controller';

export const handler = httpHandler(toolsRoutes, edgeOptions());
