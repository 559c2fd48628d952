// GET /tools/available: the agent tools the caller may use.
import { toolsFor } from '../shared/core/agent/tool-catalogue';
import { ok, type RouteControllers } from '../shared/lambda/http-handler';
import { requirePrincipal } from '../shared/lambda/http-request';

export const toolsRoutes: RouteControllers = {
  'GET /tools/available': async (req) =>
    ok({ tools: toolsFor(requirePrincipal(req)).map(({ name, description }) => ({ name, description })) }),
};
