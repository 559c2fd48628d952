// Composition root for the WebSocket $connect authorizer: same rules as REST, credentials from the query.
import { createAuthorizer, fromQuery } from '../authorizer/authorizer';
import { authorizerDeps } from '../authorizer/dependencies';

export const handler = createAuthorizer(authorizerDeps(process.env), fromQuery);
