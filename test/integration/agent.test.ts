// The TaskManager agent over real HTTP: a scripted chat that creates, lists and completes tasks,
// with follow-ups resolved from the thread's history; its tool effects show up on /tasks.
import { describe, expect, it } from 'vitest';
import { call, newThread, testUser, type TestUser } from '../helpers/threads';

const say = async (user: TestUser, threadId: string, content: string) => {
  const res = await call(user, 'POST', `/threads/${threadId}/messages`, { content });
  expect(res.status, content).toBe(201);
  return res.body.assistantMessage.content as string;
};

const day = (offset: number) => {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + offset);
  return d.toISOString().slice(0, 10);
};

describe('TaskManager agent', () => {
  it('creates, lists and completes tasks in a conversation with follow-ups', async () => {
    const alice = testUser('alice');
    const thread = await newThread(alice, 'planning');

    expect(await say(alice, thread, 'Hi')).toMatch(/TaskManager/);
    expect(await say(alice, thread, 'Add a task to buy milk tomorrow')).toBe(`Added "buy milk" (due ${day(1)}) to your tasks.`);
    expect(await say(alice, thread, 'mark it done')).toBe('Nice work! I marked "buy milk" as done.');
    await say(alice, thread, 'remind me to call the plumber');
    await say(alice, thread, 'new task: renew passport');
    const open = await say(alice, thread, 'what are my open tasks?');
    expect(open).toBe('You have 2 open tasks:\n1. "call the plumber"\n2. "renew passport"');
    expect(await say(alice, thread, 'complete the second one')).toBe('Nice work! I marked "renew passport" as done.');
    expect(await say(alice, thread, 'rename call the plumber to Call Mario')).toBe('Renamed "call the plumber" to "Call Mario".');
    expect(await say(alice, thread, 'delete it')).toBe('Deleted "Call Mario".');

    const tasks = (await call(alice, 'GET', '/tasks')).body.data;
    expect(tasks.map((t: { title: string; status: string; dueDate: string | null }) => [t.title, t.status, t.dueDate])).toEqual([
      ['buy milk', 'done', day(1)],
      ['renew passport', 'done', null],
    ]);
    expect((await call(alice, 'GET', '/tasks?status=open')).body.data).toEqual([]);
  });

  it('remembers follow-ups per thread, not across threads', async () => {
    const alice = testUser('alice');
    const first = await newThread(alice);
    const second = await newThread(alice);
    await say(alice, first, 'add a task to water the plants');
    expect(await say(alice, second, 'mark it done')).toMatch(/not sure which task/);
    expect(await say(alice, first, 'mark it done')).toMatch(/"water the plants" as done/);
  });

  it('sees tasks made through /tasks and only the caller\'s own', async () => {
    const alice = testUser('alice');
    const bob = testUser('bob');
    await call(alice, 'POST', '/tasks', { title: 'alice errand', dueDate: '2030-01-31' });
    await call(bob, 'POST', '/tasks', { title: 'bob errand' });
    const thread = await newThread(alice);
    const reply = await say(alice, thread, 'list my tasks');
    expect(reply).toBe('You have 1 task:\n1. "alice errand" (due 2030-01-31)');
    expect(await say(alice, thread, 'complete bob errand')).toBe('I couldn\'t find a task matching "bob errand".');
  });
});

describe('/tasks', () => {
  it('creates, filters, updates and deletes tasks with validation', async () => {
    const alice = testUser('alice');
    const created = await call(alice, 'POST', '/tasks', { title: 'Write report', dueDate: '2030-02-28', userId: 'someone-else' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: expect.any(String), title: 'Write report', status: 'open', dueDate: '2030-02-28', createdAt: expect.any(String), updatedAt: expect.any(String) });
    const id = created.body.id;
    const patched = await call(alice, 'PATCH', `/tasks/${id}`, { status: 'done', dueDate: null });
    expect(patched.body).toMatchObject({ id, status: 'done', dueDate: null });
    expect((await call(alice, 'GET', '/tasks?status=done')).body.data.map((t: { id: string }) => t.id)).toEqual([id]);
    expect((await call(alice, 'GET', '/tasks?status=open')).body.data).toEqual([]);
    for (const body of [{}, { title: '' }, { title: 'x'.repeat(201) }, { title: 'x', dueDate: '2030-02-30' }, { title: 'x', dueDate: 'tomorrow' }]) {
      const res = await call(alice, 'POST', '/tasks', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    expect((await call(alice, 'PATCH', `/tasks/${id}`, { status: 'archived' })).status).toBe(400);
    expect((await call(alice, 'GET', '/tasks?status=archived')).status).toBe(400);
    expect((await call(alice, 'DELETE', `/tasks/${id}`)).status).toBe(204);
    expect((await call(alice, 'GET', '/tasks')).body.data).toEqual([]);
  });
});
