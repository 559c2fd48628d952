// GET /tools/available: the agent tools the caller may use, with each tool's JSON input schema,
// straight from the registry the agent loop dispatches through.
import { toolSpecsFor } from '../shared/core/agent/tool-registry';
import { ok, type RouteControllers } from '../shared/lambda/http-handler';
import { requirePrincipal } from '../shared/lambda/http-request';

export const toolsRoutes: RouteControllers = {
  'GET /tools/available': async (req) => ok({ tools: toolSpecsFor(requirePrincipal(req)) }),
};
