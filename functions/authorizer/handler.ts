// Composition root for the REST authorizer: config and clients once per cold start.
import { loadAuthConfig, loadTableConfig } from '../shared/config';
import { DynamoDbApiKeyLookup, lazyDocumentClient } from '../shared/adapters/api-key-lookup';
import { DynamoDbApiKeyUsage } from '../shared/adapters/api-key-usage';
import { createTokenVerifier } from '../shared/adapters/jwt-token-verifier';
import { systemClock } from '../shared/core/ports';
import { logger } from '../shared/lambda/logger';
import { createAuthorizer } from './authorizer';

const auth = loadAuthConfig(process.env);
const table = loadTableConfig(process.env);
const sdk = lazyDocumentClient(table);

export const handler = createAuthorizer({
  tokens: createTokenVerifier(auth),
  apiKeys: new DynamoDbApiKeyLookup(sdk, table.tableName),
  apiKeyUsage: new DynamoDbApiKeyUsage({
    sdk,
    tableName: table.tableName,
    clock: systemClock,
    onError: (err) => logger.warn('lastUsedAt update failed', { error: (err as Error)?.name }),
  }),
  rolesClaim: auth.rolesClaim,
});
