// Composition root for the REST authorizer: config and clients once per cold start.
import { createAuthorizer } from './authorizer';
import { authorizerDeps } from './dependencies';

export const handler = createAuthorizer(authorizerDeps(process.env));
