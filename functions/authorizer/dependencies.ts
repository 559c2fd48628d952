// The adapters both edge authorizers (REST and WebSocket $connect) run on, built once per cold start.
// The AWS SDK loads only when an API key is presented, so the JWT path never pays for it.
import { loadAuthConfig, loadTableConfig } from '../shared/config';
import { DynamoDbApiKeyLookup, lazyDocumentClient } from '../shared/adapters/api-key-lookup';
import { DynamoDbApiKeyUsage } from '../shared/adapters/api-key-usage';
import { createTokenVerifier } from '../shared/adapters/jwt-token-verifier';
import { systemClock } from '../shared/core/ports';
import { logger } from '../shared/lambda/logger';
import type { AuthenticateDeps } from '../shared/core/authenticate';

export function authorizerDeps(env: NodeJS.ProcessEnv): AuthenticateDeps {
  const auth = loadAuthConfig(env);
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
  };
}
