// The routes API.md documents as public, written out by hand: a route switched to `public` in the
// route table must fail the tests that read this list, not silently drop out of the protected set.
// Used by the template test (test/infra/stack.test.ts) and the T4 test over HTTP (test/integration/auth.test.ts).
import type { RouteDef } from '../../infra/routes';

export const PUBLIC_ROUTES: readonly string[] = ['GET /health', 'GET /openapi.json'];

export const routeKey = (r: Pick<RouteDef, 'method' | 'path'>): string => `${r.method} ${r.path}`;
