// The TaskManager model with an in-memory task store and an injected clock: intents, follow-ups
// from memory, and that write tools refuse a read-only principal whatever the model asks.
import { describe, expect, it } from 'vitest';
import { bindAgentTools } from '../../../functions/shared/core/agent/agent-tools';
import type { PageContext } from '../../../functions/shared/core/agent/chat-model';
import { parseIntent, taskManagerModel } from '../../../functions/shared/core/agent/task-manager-model';
import { ReadOnlyError } from '../../../functions/shared/core/errors';
import { ulidGenerator } from '../../../functions/shared/core/ids';
import type { Principal } from '../../../functions/shared/core/principal';
import { EMPTY_MEMORY, type AgentMemory } from '../../../functions/shared/core/threads/thread';
import { InMemoryTaskStore } from '../../fakes/in-memory-task-store';

const user: Principal = { userId: 'u1', roles: ['user'], authMethod: 'jwt', keyId: null, readOnly: false, email: null };
const clock = { now: () => new Date('2025-01-01T10:00:00Z') };
let seed = 0;
const ids = ulidGenerator(clock, (b) => b.fill(seed++ % 7));

/** A conversation: each turn runs the model, commits its staged writes and carries memory forward. */
function conversation(principal = user, store = new InMemoryTaskStore()) {
  let memory: AgentMemory = EMPTY_MEMORY;
  return {
    store,
    async say(content: string, pageContext: PageContext | null = null) {
      const tools = bindAgentTools(principal, store, ids, () => clock.now().toISOString());
      let text = '';
      const toolCalls: string[] = [];
      for await (const e of taskManagerModel.reply({ content, memory, pageContext, today: '2025-01-01', tools })) {
        if (e.type === 'text.delta') text += e.delta;
        else toolCalls.push(e.name);
      }
      store.commit(tools.staged);
      const remembered = tools.remembered();
      if (remembered) memory = { recentTasks: remembered.map(({ id, title }) => ({ id, title })) };
      return { text, toolCalls };
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

describe('taskManagerModel', () => {
  it('creates, lists, completes by pronoun and ordinal, renames and deletes', async () => {
    const chat = conversation();
    const created = await chat.say('add a task to buy milk tomorrow');
    expect(created.text).toBe('Added "buy milk" (due 2025-01-02) to your tasks.');
    expect(created.toolCalls).toEqual(['create_task']);
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
    const fresh = conversation(user, chat.store);
    expect((await fresh.say('hi', { page: 'tasks' })).text).toContain("on the tasks page");
    expect((await fresh.say('mark it done', { taskId: id })).text).toContain('"read a book" as done');
  });

  it('refuses write tools for a read-only principal', async () => {
    const guest: Principal = { ...user, roles: ['guest'], readOnly: true };
    const chat = conversation(guest);
    await expect(chat.say('add a task to sneak in')).rejects.toBeInstanceOf(ReadOnlyError);
    expect(chat.store.tasks.size).toBe(0);
  });
});
