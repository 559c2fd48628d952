// GET /me: the caller's profile, created in their own partition on first call.
import type { ProfileStore } from '../shared/adapters/profile-store';
import type { Principal } from '../shared/core/principal';
import { ok, type RouteControllers } from '../shared/lambda/http-handler';
import { requirePrincipal } from '../shared/lambda/http-request';

export function meRoutes(profiles: (p: Principal) => ProfileStore): RouteControllers {
  return {
    'GET /me': async (req) => ok(await profiles(requirePrincipal(req)).getOrCreate()),
  };
}
