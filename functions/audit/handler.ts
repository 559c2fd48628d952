// Composition root for GET /admin/audit.
import { httpHandler } from '../shared/lambda/http-handler';
import { wiring } from '../shared/lambda/wiring';
import { auditRoutes } from './controller';

export const handler = httpHandler(auditRoutes({ reader: wiring.auditStore(), cursorSigner: wiring.cursorSigner }), wiring.edge());
