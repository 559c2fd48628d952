// Composition root for the REST authorizer: config and clients once per cold start.
import { createAuthorizer } from '../shared/lambda/user-authorizer';
import { authorizerDeps } from '../shared/lambda/authorizer-dependencies';

export const handler = createAuthorizer(authorizerDeps(process.env));
