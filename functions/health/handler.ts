// GET /health: public liveness probe; touches nothing.
import { httpHandler, ok } from '../shared/lambda/http-handler';
import { wiring } from '../shared/lambda/wiring';

export const handler = httpHandler({ 'GET /health': async () => ok({ status: 'ok' }) }, wiring.edge());
