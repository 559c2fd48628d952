// The adapters both edge authorizers (REST and WebSocket $connect) run on, built once per cold start.
// The AWS SDK loads on the first request that needs DynamoDB (an API key, or a user's session item
// once per SESSION_CACHE_SECONDS), not at import, so the cold start's module load stays small.
import { loadAuthConfig, loadTableConfig } from '../shared/config';
import { DynamoDbApiKeyLookup, lazyDocumentClient } from '../shared/adapters/api-key-lookup';
import { DynamoDbApiKeyUsage } from '../shared/adapters/api-key-usage';
import { createTokenVerifier, LoopbackAwareFetcher } from '../shared/adapters/jwt-token-verifier';
import { issuerMismatches, issuerMismatchWarning } from '../shared/adapters/oidc-discovery';
import { DynamoDbSessionStore } from '../shared/adapters/session-store';
import { systemClock } from '../shared/core/ports';
import { cachedSessionStore } from '../shared/core/sessions';
import { logger } from '../shared/lambda/logger';
import type { AuthenticateDeps } from '../shared/core/authenticate';

/**
 * Once per cold start, without holding it up: a configured issuer that differs from its discovery
 * document's `issuer` (say, by a trailing slash) would have every token refused as `wrong_issuer`.
 */
function warnOnIssuerMismatch(issuers: readonly string[]): void {
  void issuerMismatches(issuers, new LoopbackAwareFetcher()).then((found) => {
    for (const m of found) logger.warn(issuerMismatchWarning(m));
  });
}

export function authorizerDeps(env: NodeJS.ProcessEnv): AuthenticateDeps {
  const auth = loadAuthConfig(env);
  warnOnIssuerMismatch(auth.issuers.map((i) => i.issuer));
  const table = loadTableConfig(env);
  const sdk = lazyDocumentClient(table);
  return {
    tokens: createTokenVerifier(auth),
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
