// GET /openapi.json: the API's OpenAPI 3.1 document (docs/openapi.json, bundled), public. The same
// document for everyone, so unlike every other answer it may be cached, by browsers and proxies alike.
import openapiDocument from '../../docs/openapi.json';
import { httpHandler, ok } from '../shared/lambda/http-handler';
import { wiring } from '../shared/lambda/wiring';

const CACHEABLE = { 'Cache-Control': 'public, max-age=300' };

export const handler = httpHandler({ 'GET /openapi.json': async () => ok(openapiDocument, CACHEABLE) }, wiring.edge());
