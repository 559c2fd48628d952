// POST /webhooks/{source}: known source, JSON object (size-capped at 256 KB by dispatch), idempotency key, one delivery.
// The static-token check already happened in the webhook authorizer.
import { NotFoundError, ValidationError } from '../shared/core/errors';
import type { Digest } from '../shared/core/ports';
import { deliverWebhook, idempotencyKeyOf, type DeliverDeps } from '../shared/core/webhooks';
import { ok, type RouteControllers } from '../shared/lambda/http-handler';
import { logger } from '../shared/lambda/logger';
import { jsonBody } from '../shared/lambda/http-request';
import { pathParam } from '../shared/lambda/validation';
import { effectFor, type SourceDeps } from './sources';

export interface WebhookDeps extends DeliverDeps, SourceDeps {
  readonly sources: readonly string[];
  /** Derives an event id from the body when the sender gives none. */
  readonly digest: Digest;
}

export function webhookRoutes(deps: WebhookDeps): RouteControllers {
  return {
    'POST /webhooks/{source}': async (req) => {
      const source = pathParam(req, 'source');
      if (!deps.sources.includes(source)) throw new NotFoundError();
      const body = jsonBody(req);
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw new ValidationError('Webhook body must be a JSON object');
      }
      const payload = body as Record<string, unknown>;
      const key = idempotencyKeyOf(deps.digest, req.headers['idempotency-key'], payload, source, req.rawBody ?? '');
      const effect = effectFor(deps, source, payload);
      const result = await deliverWebhook(deps, { source, key, body: req.rawBody ?? '' }, effect);
      // Accepted but without effect (no such task for that user, or the user's task cap): the sender
      // learns it from `outcome`, the operator from this line. Ids only, never the body.
      if (result.outcome === 'task_not_found' || result.outcome === 'task_limit_reached') {
        logger.warn('webhook delivery had no effect', { source, eventId: result.id, outcome: result.outcome });
      }
      return result.duplicate ? ok(result) : { statusCode: 202, body: result };
    },
  };
}
