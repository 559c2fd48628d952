// Route dispatch of the edge engine (edge.ts), for buffered and streamed routes alike.
import { NotFoundError, PayloadTooLargeError, ValidationError } from '../core/errors';
import { ILL_FORMED_MESSAGE, isWellFormed } from '../core/text';
import type { HttpHandlerOptions } from './edge-options';
import type { HttpResult } from './http-result';
import { MAX_BODY_BYTES, type HttpRequest } from './http-request';
import { logger } from './logger';
import { wireError } from './wire-error';

/** Path and query values become ids, filters and cursors: ill-formed Unicode is a 400 for all of them (THREATS T15). */
function assertWellFormedParameters(req: HttpRequest): void {
  for (const [where, values] of [['path', req.pathParameters], ['query', req.query]] as const) {
    for (const [name, value] of Object.entries(values)) {
      if (!isWellFormed(value) || !isWellFormed(name)) throw new ValidationError(`${where} parameter ${isWellFormed(name) ? name : ''}: ${ILL_FORMED_MESSAGE}`.replace(' :', ':'));
    }
  }
}

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
    const tooLarge = req.rawBody !== null && Buffer.byteLength(req.rawBody, 'utf8') > (options.maxBodyBytes ?? MAX_BODY_BYTES);
    // Guards (the rate limit) first, so an oversized request counts like any other (THREATS T17).
    for (const guard of options.guards ?? []) await guard(req, extra);
    if (tooLarge) throw new PayloadTooLargeError();
    assertWellFormedParameters(req);
    return await controller(req);
  } catch (err) {
    const mapped = wireError(err, req.resource);
    if (mapped.statusCode < 500) logger.info('request refused', { status: mapped.statusCode, code: mapped.body.error.code, route: req.resource });
    return mapped;
  }
}
