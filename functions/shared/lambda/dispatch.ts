// Route dispatch shared by the buffered and the streaming edge wrappers.
import { NotFoundError, PayloadTooLargeError } from '../core/errors';
import type { HttpHandlerOptions, HttpResult } from './http-handler';
import { MAX_BODY_BYTES, type HttpRequest } from './http-request';
import { logger } from './logger';
import { wireError } from './wire-error';

/**
 * Finds the route's controller, runs the guards, then the controller; any error becomes its mapped
 * response here, the one place refusals are logged. Shared by buffered and streaming functions.
 */
export async function dispatch<R>(
  routes: Readonly<Record<string, (req: HttpRequest) => Promise<R>>>,
  req: HttpRequest,
  extra: Record<string, string>,
  options: HttpHandlerOptions,
): Promise<R | HttpResult> {
  try {
    const controller = routes[`${req.method} ${req.resource}`];
    if (!controller) throw new NotFoundError();
    if (req.rawBody && Buffer.byteLength(req.rawBody, 'utf8') > (options.maxBodyBytes ?? MAX_BODY_BYTES)) throw new PayloadTooLargeError();
    for (const guard of options.guards ?? []) await guard(req, extra);
    return await controller(req);
  } catch (err) {
    const mapped = wireError(err, req.resource);
    if (mapped.statusCode < 500) logger.info('request refused', { status: mapped.statusCode, code: mapped.body.error.code, route: req.resource });
    return mapped;
  }
}
