// /threads routes: parse and validate, call one use case, shape the response.
import {
  createThread,
  deleteThread,
  getThread,
  listItems,
  listThreads,
  updateThread,
  type ThreadDeps,
} from '../shared/core/threads/thread-use-cases';
import { created, noContent, ok, type RouteControllers } from '../shared/lambda/http-handler';
import { jsonBody } from '../shared/lambda/http-request';
import {
  itemsQuerySchema,
  pageQuerySchema,
  parse,
  pathParam,
  threadAccessOf,
  threadBodySchema,
} from '../shared/lambda/validation';

export type ThreadsDeps = ThreadDeps;

export function threadsRoutes(deps: ThreadsDeps): RouteControllers {
  return {
    'POST /threads': async (req) => {
      const thread = await createThread(deps, threadAccessOf(req), parse(threadBodySchema, jsonBody(req)));
      return { ...created(thread), thread: thread.id };
    },
    'GET /threads': async (req) => ok(await listThreads(deps, threadAccessOf(req), parse(pageQuerySchema, req.query))),
    'GET /threads/{threadId}': async (req) => ok(await getThread(deps, threadAccessOf(req), pathParam(req, 'threadId'))),
    'PATCH /threads/{threadId}': async (req) =>
      ok(await updateThread(deps, threadAccessOf(req), pathParam(req, 'threadId'), parse(threadBodySchema, jsonBody(req)))),
    'DELETE /threads/{threadId}': async (req) => {
      await deleteThread(deps, threadAccessOf(req), pathParam(req, 'threadId'));
      return noContent();
    },
    'GET /threads/{threadId}/items': async (req) =>
      ok(await listItems(deps, threadAccessOf(req), pathParam(req, 'threadId'), parse(itemsQuerySchema, req.query))),
  };
}
