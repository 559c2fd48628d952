// The `rules` provider through the whole reply pipeline (agent loop, tool registry, in-memory
// stores, a fixed clock): intents, follow-ups from the thread's memory, and word-count usage.
import { describe, expect, it } from 'vitest';
import { countWords, parseIntent, rulesModel } from '../../../functions/shared/core/agent/rules-model';
import { user, replyHarness } from '../../helpers/reply-harness';

const alice = user('u1');

/** A conversation in one thread of alice's. */
function conversation() {
  const h = replyHarness(rulesModel);
  h.threadsOf(alice.userId).addThread('t1');
  return {
    h,
    store: h.tasksOf(alice.userId),
    async say(content: string, pageContext: unknown = null, thread = 't1') {
      const r = await h.say(alice, thread, content, { pageContext });
      if (r.error) throw r.error;
      return { text: r.text! };
    },
  };
}

describe('parseIntent', () => {
  it.each([
    ['Add a task to buy milk tomorrow', { kind: 'create', text: 'buy milk tomorrow' }],
    ['remind me to call mom next friday', { kind: 'create', text: 'call mom next friday' }],
    ['new task: water plants', { kind: 'create', text: 'water plants' }],
    ['What are my tasks?', { kind: 'list' }],
    ['show my done tasks', { kind: 'list', status: 'done' }],
    ['list open tasks', { kind: 'list', status: 'open' }],
    ['mark it done', { kind: 'complete', ref: 'it' }],
    ['Mark buy milk as done', { kind: 'complete', ref: 'buy milk' }],
    ['complete the second one', { kind: 'complete', ref: 'the second one' }],
    ['done', { kind: 'complete', ref: 'it' }],
    ['rename it to Buy oat milk', { kind: 'rename', ref: 'it', title: 'Buy oat milk' }],
    ['delete water plants', { kind: 'delete', ref: 'water plants' }],
    ['hello', { kind: 'help' }],
    ['what is the weather', { kind: 'unknown' }],
  ])('reads "%s"', (text, intent) => {
    expect(parseIntent(text)).toEqual(intent);
  });
});

describe('rulesModel', () => {
  it('creates, lists, completes by pronoun and ordinal, renames and deletes', async () => {
    const chat = conversation();
    expect((await chat.say('add a task to buy milk tomorrow')).text).toBe('Added "buy milk" (due 2025-01-02) to your tasks.');
    expect((await chat.say('mark it done')).text).toContain('marked "buy milk" as done');
    expect([...chat.store.tasks.values()][0]).toMatchObject({ title: 'buy milk', status: 'done', dueDate: '2025-01-02' });

    await chat.say('remind me to call mom next friday');
    await chat.say('new task: water plants');
    const list = await chat.say('list my open tasks');
    expect(list.text).toBe('You have 2 open tasks:\n1. "call mom" (due 2025-01-03)\n2. "water plants"');
    expect((await chat.say('complete the second one')).text).toContain('"water plants" as done');
    expect((await chat.say('rename call mom to Call mum')).text).toBe('Renamed "call mom" to "Call mum".');
    expect((await chat.say('delete it')).text).toBe('Deleted "Call mum".');
    expect([...chat.store.tasks.values()].map((t) => [t.title, t.status])).toEqual([
      ['buy milk', 'done'],
      ['water plants', 'done'],
    ]);
  });

  it('asks when a reference is ambiguous or unknown, and changes nothing', async () => {
    const chat = conversation();
    await chat.say('add task pay rent');
    await chat.say('add task pay gas bill');
    await chat.say('list my tasks');
    expect((await chat.say('mark it done')).text).toMatch(/^Which one do you mean\? 1\. "pay rent", 2\. "pay gas bill"\.$/);
    expect((await chat.say('complete pay')).text).toMatch(/I found 2 tasks matching "pay"/);
    expect((await chat.say('complete dentist')).text).toBe('I couldn\'t find a task matching "dentist".');
    expect([...chat.store.tasks.values()].every((t) => t.status === 'open')).toBe(true);
  });

  it('uses the page context for "this task" and to shape the greeting', async () => {
    const chat = conversation();
    await chat.say('add task read a book');
    const id = [...chat.store.tasks.keys()][0]!;
    chat.h.threadsOf(alice.userId).addThread('t2');
    expect((await chat.say('hi', JSON.stringify({ page: 'tasks' }), 't2')).text).toContain('on the tasks page');
    expect((await chat.say('mark it done', { taskId: id }, 't2')).text).toContain('"read a book" as done');
  });

  it('takes "this task" from the page and "it" from the task just named, and asks before deleting when they differ', async () => {
    const chat = conversation();
    await chat.say('add task buy milk');
    await chat.say('add task pay rent'); // the agent just named "pay rent"
    const idOf = (title: string) => [...chat.store.tasks.values()].find((t) => t.title === title)!.id;
    const statusOf = (title: string) => [...chat.store.tasks.values()].find((t) => t.title === title)?.status;
    const onMilk = { taskId: idOf('buy milk') };

    expect((await chat.say('mark this task done', onMilk)).text).toBe('Nice work! I marked "buy milk" as done.');
    expect(statusOf('pay rent')).toBe('open');
    await chat.say('add task call mum'); // now "call mum" was named last
    expect((await chat.say('rename it to Call mum on Sunday', onMilk)).text).toBe('Renamed "call mum" to "Call mum on Sunday".');
    expect((await chat.say('rename the selected task to buy oat milk', onMilk)).text).toBe('Renamed "buy milk" to "buy oat milk".');

    await chat.say('add task water plants');
    for (const ask of ['delete this task', 'delete it', 'remove this one']) {
      expect((await chat.say(ask, onMilk)).text, ask).toBe('Do you mean the task selected on your page, or "water plants" that I just mentioned? Tell me its name.');
    }
    expect(chat.store.tasks.size).toBe(4);
    // When both point at the same task there is nothing to ask.
    expect((await chat.say('delete this task', { taskId: idOf('water plants') })).text).toBe('Deleted "water plants".');
    // With nothing just named (after a list of several), "this task" is the page's task.
    await chat.say('list my tasks');
    expect((await chat.say('delete this task', onMilk)).text).toBe('Deleted "buy oat milk".');
    expect([...chat.store.tasks.values()].map((t) => t.title)).toEqual(['pay rent', 'Call mum on Sunday']);
  });

  it('shows at most 50 tasks of a long list and says how many there are', async () => {
    const chat = conversation();
    for (let i = 0; i < 60; i++) await chat.store.create({ id: `t${String(i).padStart(3, '0')}`, title: `task ${i}`, status: 'open', dueDate: null, createdAt: `2024-01-01T00:00:${String(i).padStart(2, '0')}Z`, updatedAt: '' });
    const { text } = await chat.say('list my tasks');
    expect(text.startsWith('You have 60 tasks:')).toBe(true);
    expect(text.split('\n').filter((l) => /^\d+\. /.test(l))).toHaveLength(50);
    expect(text.endsWith('(showing the first 50)')).toBe(true);
  });

  it('reports words as tokens, so the daily budget applies to it', async () => {
    const chat = conversation();
    await chat.say('add a task to buy milk');
    const used = await chat.h.tokens.used(alice.userId, '2025-01-01');
    expect(used).toBeGreaterThan(countWords('add a task to buy milk') + countWords('Added "buy milk" to your tasks.'));
  });
});
