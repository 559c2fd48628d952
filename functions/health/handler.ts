// GET /health: public liveness probe; touches nothing.
import { edgeOptions } from '../shared/lambda/edge-options';
import { httpHandler, ok } from '../shared/lambda/http-handler';

export const handler = httpHandler(
  { 'GET /health': async () => ok({ status: 'ok' }) },
  edgeOptions(),
);
