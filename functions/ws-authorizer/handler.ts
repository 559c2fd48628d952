// Composition root for the WebSocket $connect authorizer: same rules as REST, credentials from the query.
import { loadAuthConfig, loadTableConfig } from '../shared/config';
import { DynamoDbApiKeyLookup, lazyDocumentClient } from '../shared/adapters/api-key-lookup';
import { createTokenVerifier } from '../shared/adapters/jwt-token-verifier';
import { createAuthorizer, fromQuery } from '../authorizer/authorizer';

const auth = loadAuthConfig(process.env);
const table = loadTableConfig(process.env);

export const handler = createAuthorizer(
  {
    tokens: createTokenVerifier(auth),
    apiKeys: new DynamoDbApiKeyLookup(lazyDocumentClient(table), table.tableName),
    rolesClaim: auth.rolesClaim,
  },
  fromQuery,
);
