// GET /health: public liveness probe; touches nothing.
import { loadHttpConfig } from '../shared/config';
import { httpHandler, ok } from '../shared/lambda/http-handler';

export const handler = httpHandler(
  { 'GET /health': async () => ok({ status: 'ok' }) },
  { corsOrigins: loadHttpConfig(process.env).corsOrigins },
);
