// Property (fast-check): random sequences of operations by several users, many of them aimed at
// other users' thread and task ids; no response to one user ever contains another user's thread id,
// title, message text or task, and every refusal of a thread is the one documented 403 body.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { call, testUser, THREAD_FORBIDDEN, type TestUser } from '../helpers/threads';

const KINDS = ['createThread', 'rename', 'post', 'agentTask', 'listThreads', 'listItems', 'get', 'delete', 'createTask', 'listTasks', 'patchTask', 'deleteTask'] as const;

const opArb = fc.record({
  actor: fc.integer({ min: 0, max: 2 }),
  kind: fc.constantFrom(...KINDS),
  target: fc.nat(),
  word: fc.stringMatching(/^[a-z]{3,8}$/),
});

let counter = 0;
const marker = (owner: number, word: string) => `${word}${owner}m${(counter++).toString(36)}${Math.random().toString(36).slice(2, 8)}`;

describe('cross-user leakage property', () => {
  it('never shows one user another user\'s threads, titles, messages or tasks', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 8, maxLength: 30 }), async (ops) => {
        const users: TestUser[] = [testUser('p0'), testUser('p1'), testUser('p2')];
        const owner = new Map<string, number>(); // secret text → owning user index
        const threads: Array<{ id: string; owner: number }> = [];
        const tasks: Array<{ id: string; owner: number }> = [];
        const own = (text: string, who: number) => owner.set(text, who);

        for (const op of ops) {
          const user = users[op.actor]!;
          const thread = threads.length > 0 ? threads[op.target % threads.length]! : null;
          const task = tasks.length > 0 ? tasks[op.target % tasks.length]! : null;
          const secret = marker(op.actor, op.word);
          let res;
          switch (op.kind) {
            case 'createThread':
              res = await call(user, 'POST', '/threads', { title: secret });
              own(secret, op.actor);
              if (res.status === 201) {
                threads.push({ id: res.body.id, owner: op.actor });
                own(res.body.id, op.actor);
              }
              break;
            case 'rename':
              if (!thread) continue;
              res = await call(user, 'PATCH', `/threads/${thread.id}`, { title: secret });
              if (res.status === 200) own(secret, op.actor);
              break;
            case 'post':
            case 'agentTask':
              if (!thread) continue;
              res = await call(user, 'POST', `/threads/${thread.id}/messages`, { content: op.kind === 'post' ? `note ${secret}` : `add a task to ${secret}` });
              if (res.status === 201) {
                own(secret, op.actor);
                const created = (await call(user, 'GET', '/tasks')).body.data.find((t: { title: string }) => t.title === secret);
                if (created) {
                  tasks.push({ id: created.id, owner: op.actor });
                  own(created.id, op.actor);
                }
              }
              break;
            case 'listThreads':
              res = await call(user, 'GET', '/threads?limit=5');
              break;
            case 'listItems':
              if (!thread) continue;
              res = await call(user, 'GET', `/threads/${thread.id}/items?order=desc`);
              break;
            case 'get':
              if (!thread) continue;
              res = await call(user, 'GET', `/threads/${thread.id}`);
              break;
            case 'delete':
              if (!thread) continue;
              res = await call(user, 'DELETE', `/threads/${thread.id}`);
              break;
            case 'createTask':
              res = await call(user, 'POST', '/tasks', { title: secret });
              own(secret, op.actor);
              if (res.status === 201) {
                tasks.push({ id: res.body.id, owner: op.actor });
                own(res.body.id, op.actor);
              }
              break;
            case 'listTasks':
              res = await call(user, 'GET', '/tasks');
              break;
            case 'patchTask':
              if (!task) continue;
              res = await call(user, 'PATCH', `/tasks/${task.id}`, { title: secret });
              if (res.status === 200) own(secret, op.actor);
              break;
            case 'deleteTask':
              if (!task) continue;
              res = await call(user, 'DELETE', `/tasks/${task.id}`);
              break;
          }
          expect(res.status).toBeLessThan(500);
          const targetsForeignThread = thread && thread.owner !== op.actor && ['rename', 'post', 'agentTask', 'listItems', 'get', 'delete'].includes(op.kind);
          if (targetsForeignThread) expect(res.body).toEqual(THREAD_FORBIDDEN);
          for (const [text, who] of owner) {
            if (who !== op.actor) expect(res.text.includes(text), `${op.kind} by user ${op.actor} leaked data of user ${who}`).toBe(false);
          }
        }
      }),
      { numRuns: 12 },
    );
  });
});
