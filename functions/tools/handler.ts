// Composition root for /tools/available.
import { loadHttpConfig } from '../shared/config';
import { httpHandler } from '../shared/lambda/http-handler';
import { toolsRoutes } from './controller';

export const handler = httpHandler(toolsRoutes, { corsOrigins: loadHttpConfig(process.env).corsOrigins });
