// Composition root for the WebSocket $connect authorizer: same rules as REST, credentials from the query.
import { createAuthorizer, fromQuery } from '../shared/lambda/user-authorizer';
import { authorizerDeps } from '../shared/lambda/authorizer-dependencies';

export const handler = createAuthorizer(authorizerDeps(process.env), fromQuery);
