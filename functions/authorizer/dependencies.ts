// The adapters both edge authorizers (REST and WebSocket $connect) run on, built once per cold start.
// The AWS SDK loads on the first request that needs DynamoDB (an API key, or a user's session item
// once per SESSION_CACHE_SECONDS), not at import, so the cold start's module load stays small.
import { loadAuthConfig, loadTableConfig } from '../shared/config';
import { DynamoDbApiKeyLookup, lazyDocumentClient } from '../shared/adapters/api-key-lookup';
import { DynamoDbApiKeyUsage } from '../shared/adapters/api-key-usage';
import { createTokenVerifier, LoopbackAwareFetcher } from '../shared/adapters/jwt-token-verifier';
import { checkingIssuersOnFirstUse, issuerMismatchWarning } from '../shared/adapters/oidc-discovery';
import { DynamoDbSessionStore } from '../shared/adapters/session-store';
import { systemClock } from '../shared/core/ports';
import { cachedSessionStore } from '../shared/core/sessions';
import { logger } from '../shared/lambda/logger';
import type { AuthenticateDeps } from '../shared/core/authenticate';

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
    rolesClaim: auth.rolesClaim,
    rolesClaimByIssuer: Object.fromEntries(auth.issuers.map((i) => [i.issuer, i.rolesClaim])),
    sessions: cachedSessionStore(new DynamoDbSessionStore(sdk, table.tableName), Date.now, undefined, (err) =>
      logger.warn('session state unavailable; sign-out and key role not applied to this request', { error: (err as Error)?.name }),
    ),
  };
}
