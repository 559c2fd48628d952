// /tasks routes: parse and validate, call one use case, shape the response.
import { createTask, deleteTask, listTasks, updateTask, type TaskListDeps } from '../shared/core/tasks/task-use-cases';
import { created, noContent, ok, type RouteControllers } from '../shared/lambda/http-handler';
import { jsonBody, requirePrincipal } from '../shared/lambda/http-request';
import { createTaskSchema, parse, pathParam, tasksQuerySchema, updateTaskSchema } from '../shared/lambda/validation';

export function tasksRoutes(deps: TaskListDeps): RouteControllers {
  return {
    'GET /tasks': async (req) => ok(await listTasks(deps, requirePrincipal(req), parse(tasksQuerySchema, req.query))),
    'POST /tasks': async (req) => created(await createTask(deps, requirePrincipal(req), parse(createTaskSchema, jsonBody(req)))),
    'PATCH /tasks/{taskId}': async (req) =>
      ok(await updateTask(deps, requirePrincipal(req), pathParam(req, 'taskId'), parse(updateTaskSchema, jsonBody(req)))),
    'DELETE /tasks/{taskId}': async (req) => {
      await deleteTask(deps, requirePrincipal(req), pathParam(req, 'taskId'));
      return noContent();
    },
  };
}
