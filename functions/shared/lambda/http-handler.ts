// The buffered front end of the edge engine (edge.ts), for REST functions answering JSON: every
// route's controller runs inside the client `Idempotency-Key` handling (after the guards, so a replay
// still counts against the rate limit), and the answer is one API Gateway proxy result.
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { edge } from './edge';
import type { HttpHandlerOptions } from './edge-options';
import type { HttpRequest } from './http-request';
import type { RouteControllers } from './http-result';

export { DEADLINE_MARGIN_MS } from './edge';
export type { HttpHandlerOptions, RequestGuard } from './edge-options';
export { created, noContent, ok, type Controller, type HttpResult, type RouteControllers } from './http-result';

export function httpHandler(routes: RouteControllers, options: HttpHandlerOptions): (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult> {
  const idempotency = options.idempotency;
  const controllers: RouteControllers = idempotency
    ? Object.fromEntries(Object.entries(routes).map(([route, controller]) => [route, (req: HttpRequest) => idempotency(req, () => controller(req))]))
    : routes;
  return edge(controllers, options, false) as unknown as (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
}
