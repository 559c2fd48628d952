// GET /me: the caller's profile, created in their own partition on first call, and their daily
// model-token budget.
import type { ProfileStore } from '../shared/adapters/profile-store';
import type { Principal } from '../shared/core/principal';
import type { TokenBudget } from '../shared/core/token-budget';
import { ok, type RouteControllers } from '../shared/lambda/http-handler';
import { requirePrincipal } from '../shared/lambda/http-request';

export interface MeDeps {
  readonly profiles: (p: Principal) => ProfileStore;
  readonly budget: TokenBudget;
}

export function meRoutes(deps: MeDeps): RouteControllers {
  return {
    'GET /me': async (req) => {
      const principal = requirePrincipal(req);
      const [profile, budget] = await Promise.all([deps.profiles(principal).getOrCreate(), deps.budget.status(principal)]);
      return ok({ ...profile, budget });
    },
  };
}
