// Webhook REQUEST authorizer: `Authorization: Bearer <WEBHOOK_TOKEN>` compared in constant time, or
// `Unauthorized`. User JWTs and API keys mean nothing here; the Allow covers only the webhook routes.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import type { SecretSource } from '../shared/adapters/secret-source';
import { logger } from '../shared/lambda/logger';

export const UNAUTHORIZED = 'Unauthorized';
const MAX_TOKEN_LENGTH = 4096;

/** Allow POST on the webhook routes of this stage only; caching is off, so nothing outlives the request. */
export function webhookResource(methodArn: string): string {
  const [apiArn, stage] = methodArn.split('/');
  return `${apiArn}/${stage}/POST/webhooks/*`;
}

function bearer(headers: Record<string, string | undefined> | null | undefined): string | null {
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (k.toLowerCase() !== 'authorization' || v === undefined) continue;
    const m = /^Bearer +(\S+)\s*$/i.exec(v);
    return m?.[1] ?? null;
  }
  return null;
}

// Digests have one length whatever was sent, so neither the compare nor its length check leaks.
const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

export function createWebhookAuthorizer(deps: { readonly secret: SecretSource }) {
  const matches = async (presented: string): Promise<boolean> => {
    const mine = digest(presented);
    if (timingSafeEqual(mine, digest(await deps.secret.get()))) return true;
    // The secret may have been rotated since this instance read it (re-reads are rate-bounded).
    return timingSafeEqual(mine, digest(await deps.secret.refresh()));
  };

  return async (event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => {
    const presented = bearer(event.headers);
    let reason = 'missing_token';
    try {
      if (presented !== null) {
        reason = 'wrong_token';
        if (presented.length <= MAX_TOKEN_LENGTH && (await matches(presented))) {
          return {
            principalId: 'webhook',
            policyDocument: {
              Version: '2012-10-17',
              Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: webhookResource(event.methodArn) }],
            },
            context: { authMethod: 'webhook' },
          };
        }
      }
    } catch (err) {
      reason = 'secret_unavailable';
      logger.error('webhook authorizer fault', { error: (err as Error)?.name });
    }
    logger.warn('webhook authorization failed', {
      reason,
      ip: event.requestContext?.identity?.sourceIp,
      path: event.path,
    });
    throw new Error(UNAUTHORIZED);
  };
}
