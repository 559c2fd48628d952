// Tasks at scale: GET /tasks pages with signed cursors; the per-user task cap is a clear 409 on
// every way a task is created; and the agent lists a large task list (it used to fail past ~1,800
// tasks, when every listed task went into the thread's stored memory).
import { BatchWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { keys } from '../../functions/shared/core/keys';
import { tenantIdOf } from '../../functions/shared/adapters/tenant-id';
import { MAX_TASKS_PER_USER } from '../../functions/shared/core/tasks/task';
import { localDb } from '../helpers/local-db';
import { call, newThread, testUser, type TestUser } from '../helpers/threads';

/** Writes tasks straight into the user's partition (as many creates would), in creation order. */
async function seedTasks(user: TestUser, n: number): Promise<void> {
  const { doc, tableName } = localDb();
  const base = Date.parse('2026-01-01T00:00:00Z');
  const rows = Array.from({ length: n }, (_, i) => {
    const at = new Date(base + i * 1000).toISOString();
    const id = `seed-${String(i).padStart(5, '0')}`;
    return { PK: keys.userPk(tenantIdOf(user.userId)), SK: keys.taskSk(id), type: 'task', id, title: `seeded task ${i}`, status: 'open', dueDate: null, createdAt: at, updatedAt: at };
  });
  for (let i = 0; i < rows.length; i += 25) {
    await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: rows.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
  }
}

async function setTaskCount(user: TestUser, count: number): Promise<void> {
  const { doc, tableName } = localDb();
  await doc.send(
    new UpdateCommand({
      TableName: tableName,
      Key: { PK: keys.userPk(tenantIdOf(user.userId)), SK: keys.taskCounterSk() },
      UpdateExpression: 'SET #count = :n',
      ExpressionAttributeNames: { '#count': 'count' },
      ExpressionAttributeValues: { ':n': count },
    }),
  );
}

describe('GET /tasks pagination', () => {
  it('pages in creation order with a cursor bound to the caller and the status filter', async () => {
    const alice = testUser('pages');
    const bob = testUser('pages-bob');
    for (let i = 0; i < 7; i++) expect((await call(alice, 'POST', '/tasks', { title: `t${i}` })).status).toBe(201);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await call(alice, 'GET', `/tasks?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(res.status).toBe(200);
      seen.push(...res.body.data.map((t: { title: string }) => t.title));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['t0', 't1', 't2', 't3', 't4', 't5', 't6']);
    const first = await call(alice, 'GET', '/tasks?limit=3');
    expect((await call(bob, 'GET', `/tasks?cursor=${encodeURIComponent(first.body.nextCursor)}`)).status).toBe(400);
    expect((await call(alice, 'GET', `/tasks?status=open&cursor=${encodeURIComponent(first.body.nextCursor)}`)).status).toBe(400);
    expect((await call(alice, 'GET', '/tasks?limit=0')).status).toBe(400);
    expect((await call(alice, 'GET', '/tasks?limit=101')).status).toBe(400);
  });
});

describe(`tasks per user: at most ${MAX_TASKS_PER_USER}`, () => {
  it('refuses the next create with 409 conflict on REST and through the agent, and frees a slot on delete', async () => {
    const alice = testUser('cap');
    await setTaskCount(alice, MAX_TASKS_PER_USER - 1);
    const last = await call(alice, 'POST', '/tasks', { title: 'the last one' });
    expect(last.status).toBe(201);
    const over = await call(alice, 'POST', '/tasks', { title: 'one too many' });
    expect(over.status).toBe(409);
    expect(over.body).toEqual({ error: { code: 'conflict', message: `You have reached the limit of ${MAX_TASKS_PER_USER} tasks; delete some first` } });

    const thread = await newThread(alice);
    const reply = await call(alice, 'POST', `/threads/${thread}/messages`, { content: 'add a task to sneak past the cap' });
    expect(reply.status).toBe(201);
    expect(reply.body.assistantMessage.content).toBe(`I couldn't add that task: You have reached the limit of ${MAX_TASKS_PER_USER} tasks; delete some first`);
    expect((await call(alice, 'GET', '/tasks')).body.data.map((t: { title: string }) => t.title)).toEqual(['the last one']);

    expect((await call(alice, 'DELETE', `/tasks/${last.body.id}`)).status).toBe(204);
    expect((await call(alice, 'POST', '/tasks', { title: 'room again' })).status).toBe(201);
  });
});

describe('the agent with many tasks', () => {
  it('lists 1,800 tasks: the reply shows the first 50 and the total, and the exchange is stored', async () => {
    const alice = testUser('many');
    await seedTasks(alice, 1800);
    const thread = await newThread(alice);
    const res = await call(alice, 'POST', `/threads/${thread}/messages`, { content: 'list my tasks' });
    expect(res.status).toBe(201);
    const text: string = res.body.assistantMessage.content;
    expect(text.startsWith('You have 1800 tasks:\n1. "seeded task 0"')).toBe(true);
    expect(text.endsWith('(showing the first 50)')).toBe(true);
    // Follow-ups still work from the bounded memory.
    const done = await call(alice, 'POST', `/threads/${thread}/messages`, { content: 'complete the second one' });
    expect(done.body.assistantMessage.content).toBe('Nice work! I marked "seeded task 1" as done.');
    const page = await call(alice, 'GET', '/tasks?status=done');
    expect(page.body.data.map((t: { title: string }) => t.title)).toEqual(['seeded task 1']);
  });
});
