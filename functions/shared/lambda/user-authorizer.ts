// The user authorizer both edges run (REST REQUEST authorizer and WebSocket $connect, functions/authorizer and functions/ws-authorizer): credentials → Allow policy plus a flat principal context, or `Unauthorized`.
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { asUnavailable } from '../adapters/dynamo-faults';
import { AuthFailure, authenticate, type AuthenticateDeps, type Credentials } from '../core/authenticate';
import { toAuthorizerContext } from '../core/principal';
import { logger } from './logger';

/** The exact message API Gateway turns into a 401 (any other error is its Authorizer Configuration Error). */
export const UNAUTHORIZED = 'Unauthorized';
/**
 * Thrown when a credential could not be checked: the key store unreadable (throttled, 5xx,
 * unreachable) or the issuer's JWKS unreadable. API Gateway answers its Authorizer Configuration
 * Error, which the REST API turns into `503 service_unavailable` with Retry-After
 * (infra/gateway-responses.ts), so a valid key or token is never told it is invalid.
 */
export const CHECK_UNAVAILABLE = 'Credential check unavailable';

/**
 * Allow exactly the method being called (REST: arn:...:{apiId}/{stage}/{METHOD}/{path}; WebSocket:
 * arn:...:{apiId}/{stage}/$connect), never the whole stage. Caching is off (TTL 0), so this is
 * defence in depth: a policy never outlives its request. Turning caching on would make a cached
 * policy deny the caller's other routes until it expires, and let an API key work up to the TTL past
 * its `expiresAt` (infra/stack.ts): revisit both together with the TTL.
 */
export function allowedResource(methodArn: string | undefined): string {
  // Without a method ARN there is nothing to scope to: a fault (logged, then `Unauthorized`), never a wider Allow.
  if (typeof methodArn !== 'string' || !methodArn.startsWith('arn:')) throw new Error('authorizer event without a method ARN');
  return methodArn;
}

function header(headers: Record<string, string | undefined> | null | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

/** REST: `X-API-Key` (checked first) or `Authorization: Bearer`. Query strings are never read here. */
export const fromHeaders = (event: APIGatewayRequestAuthorizerEvent): Credentials => ({
  apiKey: header(event.headers, 'x-api-key'),
  authorization: header(event.headers, 'authorization'),
});

/** WebSocket handshake: browsers cannot set headers there, so `?key=` (checked first) or `?token=`. */
export const fromQuery = (event: APIGatewayRequestAuthorizerEvent): Credentials => {
  const q = event.queryStringParameters ?? {};
  return { apiKey: q.key ?? undefined, authorization: q.token === undefined || q.token === null ? undefined : `Bearer ${q.token}` };
};

export function createAuthorizer(
  deps: AuthenticateDeps,
  credentials: (event: APIGatewayRequestAuthorizerEvent) => Credentials = fromHeaders,
) {
  return async (event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => {
    try {
      const principal = await authenticate(deps, credentials(event));
      return {
        principalId: principal.userId,
        policyDocument: {
          Version: '2012-10-17',
          Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: allowedResource(event.methodArn) }],
        },
        context: toAuthorizerContext(principal),
      };
    } catch (err) {
      const unavailable = asUnavailable(err) !== null;
      logger.warn('authorization failed', {
        reason: err instanceof AuthFailure ? err.reason : unavailable ? 'check_unavailable' : 'verifier_error',
        ip: event.requestContext?.identity?.sourceIp,
        requestId: event.requestContext?.requestId,
        path: event.path,
        method: event.httpMethod,
      });
      // An unavailable store or issuer is an outage, reported where it happens; only the unexpected is a fault here.
      if (!(err instanceof AuthFailure) && !unavailable) logger.error('authorizer fault', { error: err as Error });
      throw new Error(unavailable ? CHECK_UNAVAILABLE : UNAUTHORIZED);
    }
  };
}
