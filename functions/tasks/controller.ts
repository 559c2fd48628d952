// /tasks routes: parse and validate, call one use case, shape the response.
import { createTask, deleteTask, listTasks, updateTask, type TaskDeps } from '../shared/core/tasks/task-use-cases';
import { created, noContent, ok, type RouteControllers } from '../shared/lambda/http-handler';
import { jsonBody, requirePrincipal } from '../shared/lambda/http-request';
import { createTaskSchema, parse, pathParam, taskStatusSchema, updateTaskSchema } from '../shared/lambda/validation';

export function tasksRoutes(deps: TaskDeps): RouteControllers {
  return {
    'GET /tasks': async (req) => {
      const status = req.query.status === undefined ? undefined : parse(taskStatusSchema, req.query.status);
      return ok({ data: await listTasks(deps, requirePrincipal(req), status) });
    },
    'POST /tasks': async (req) => created(await createTask(deps, requirePrincipal(req), parse(createTaskSchema, jsonBody(req)))),
    'PATCH /tasks/{taskId}': async (req) =>
      ok(await updateTask(deps, requirePrincipal(req), pathParam(req, 'taskId'), parse(updateTaskSchema, jsonBody(req)))),
    'DELETE /tasks/{taskId}': async (req) => {
      await deleteTask(deps, requirePrincipal(req), pathParam(req, 'taskId'));
      return noContent();
    },
  };
}
