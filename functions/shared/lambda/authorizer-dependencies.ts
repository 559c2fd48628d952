// The adapters both edge authorizers (REST and WebSocket $connect) run on, built once per cold start.
// The AWS SDK loads on the first request that needs DynamoDB (an API key, or a user's session item
// once per SESSION_CACHE_SECONDS), not at import, so the cold start's module load stays small.
import { loadAuthConfig, loadTableConfig } from '../config';
import { DynamoDbApiKeyLookup, lazyDocumentClient } from '../adapters/api-key-lookup';
import { DynamoDbApiKeyUsage } from '../adapters/api-key-usage';
import { createTokenVerifier, LoopbackAwareFetcher } from '../adapters/jwt-token-verifier';
import { checkingIssuersOnFirstUse, issuerMismatchWarning } from '../adapters/oidc-discovery';
import { DynamoDbSessionStore } from '../adapters/session-store';
import { systemClock } from '../core/ports';
import { cachedSessionStore } from '../core/sessions';
import { logger } from './logger';
import type { AuthenticateDeps } from '../core/authenticate';
import { nodeDigest } from '../adapters/node-crypto';

export function authorizerDeps(env: NodeJS.ProcessEnv): AuthenticateDeps {
  const auth = loadAuthConfig(env);
  const table = loadTableConfig(env);
  const sdk = lazyDocumentClient(table);
  const fetcher = new LoopbackAwareFetcher();
  return {
    // A configured issuer that differs from its discovery document's `issuer` (a trailing slash) would
    // have every token refused as wrong_issuer: said once per cold start, at its first token.
    tokens: checkingIssuersOnFirstUse(
      createTokenVerifier(auth, fetcher),
      auth.issuers.map((i) => i.issuer),
      fetcher,
      (m) => logger.warn(issuerMismatchWarning(m)),
    ),
    apiKeys: new DynamoDbApiKeyLookup(sdk, table.tableName),
    apiKeyUsage: new DynamoDbApiKeyUsage({
      sdk,
      tableName: table.tableName,
      clock: systemClock,
      onError: (err) => logger.warn('lastUsedAt update failed', { error: (err as Error)?.name }),
    }),
    digest: nodeDigest,
    rolesClaim: auth.rolesClaim,
    rolesClaimByIssuer: Object.fromEntries(auth.issuers.map((i) => [i.issuer, i.rolesClaim])),
    sessions: cachedSessionStore(new DynamoDbSessionStore(sdk, table.tableName), Date.now, undefined, (err) =>
      logger.warn('session state unavailable; sign-out and key role not applied to this request', { error: (err as Error)?.name }),
    ),
  };
}
