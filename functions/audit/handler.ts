// Composition root for GET /admin/audit.
import { httpHandler } from '../shared/lambda/http-handler';
import { wiring } from '../shared/lambda/wiring';
import { auditRoutes } from './controller';

const cursorSecret = wiring.cursorSecret();

export const handler = httpHandler(auditRoutes({ reader: wiring.auditStore(), cursorSecret: () => cursorSecret.get() }), wiring.edge());
