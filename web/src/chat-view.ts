// Threads on the left, the conversation in the middle, the user's tasks on the right. Replies are
// drawn delta by delta as they stream in; the task list is re-read when a reply is done, since the
// agent may have created, completed, renamed or deleted tasks in that exchange.
import type { Api, Transport } from './api';
import { formValue, h } from './dom';
import { clearNotice, showError } from './notice';
import type { Item, PageContext, Task, Thread } from './types';

export interface ChatDeps {
  readonly api: Api;
  /** Guests and read-only sessions get no write controls (the API refuses their writes anyway). */
  readonly readOnly: boolean;
  readonly transport: () => Transport;
  readonly pageContext: PageContext;
  readonly openThread: (threadId: string) => void;
}

function messageEl(item: Pick<Item, 'id' | 'type' | 'content'>): HTMLLIElement {
  const who = item.type === 'user_message' ? 'You' : item.type === 'assistant_message' ? 'Assistant' : 'Note';
  return h('li', { class: `message ${item.type}`, 'data-item-id': item.id }, h('span', { class: 'who' }, who), h('span', { class: 'text' }, item.content));
}

export function chatView(deps: ChatDeps, threadId: string | null): HTMLElement {
  const { api } = deps;
  let threads: Thread[] = [];
  let sending = false;

  const threadList = h('ul', { id: 'thread-list', class: 'thread-list' });
  const taskList = h('ul', { id: 'task-list', class: 'task-list' });
  const messages = h('ol', { id: 'messages', class: 'messages', 'aria-live': 'polite' });
  const title = h('h2', { id: 'thread-title' }, threadId ? '' : 'Pick a thread or start a new one');

  const newThread = h(
    'form',
    { id: 'new-thread', class: 'new-thread', hidden: deps.readOnly },
    h('input', { name: 'title', maxlength: 200, placeholder: 'New thread title', 'aria-label': 'New thread title' }),
    h('button', { type: 'submit' }, 'New thread'),
  );
  const content = h('textarea', { name: 'content', rows: 2, required: true, placeholder: 'Ask the assistant, e.g. "add a task to buy milk tomorrow"', 'aria-label': 'Message' });
  const sendButton = h('button', { type: 'submit' }, 'Send');
  const composer = h('form', { id: 'composer', class: 'composer', hidden: deps.readOnly || !threadId }, content, sendButton);

  const renderThreads = () => {
    threadList.replaceChildren(
      ...threads.map((t) =>
        h('li', {}, h('a', { href: `#/chat/${encodeURIComponent(t.id)}`, 'aria-current': t.id === threadId ? 'page' : undefined, 'data-thread-id': t.id }, t.title)),
      ),
    );
    const current = threads.find((t) => t.id === threadId);
    if (current) {
      title.textContent = current.title;
      deps.pageContext.title = current.title;
    }
  };

  const renderTasks = (tasks: Task[]) => {
    taskList.replaceChildren(
      ...tasks.map((t) => {
        const selected = deps.pageContext.taskId === t.id;
        const button = h(
          'button',
          { type: 'button', class: `task ${t.status}`, 'aria-pressed': String(selected), 'data-task-id': t.id, title: 'Select: "this task" in a message means this one' },
          h('span', { class: 'task-title' }, t.title),
          t.dueDate ? h('span', { class: 'due' }, ` due ${t.dueDate}`) : null,
          h('span', { class: 'status' }, t.status === 'done' ? ' ✓ done' : ''),
        );
        button.addEventListener('click', () => {
          deps.pageContext.taskId = selected ? undefined : t.id;
          renderTasks(tasks);
        });
        return h('li', {}, button);
      }),
    );
    if (tasks.length === 0) taskList.append(h('li', { class: 'empty' }, 'No tasks yet'));
  };

  const loadThreads = () => api.listThreads().then((page) => ((threads = page.data), renderThreads()));
  const loadTasks = () => api.listTasks().then((page) => renderTasks(page.data));

  newThread.addEventListener('submit', (e) => {
    e.preventDefault();
    clearNotice();
    api.createThread(formValue(newThread, 'title')).then((thread) => {
      newThread.reset();
      threads = [thread, ...threads];
      deps.openThread(thread.id);
    }, showError);
  });

  composer.addEventListener('submit', (e) => {
    e.preventDefault();
    const text = content.value.trim();
    if (!threadId || !text || sending) return;
    sending = true;
    sendButton.disabled = true;
    clearNotice();
    content.value = '';
    const added: HTMLElement[] = [];
    api
      .sendMessage(deps.transport(), threadId, text, (event) => {
        if (event.type === 'item.added') {
          const el = messageEl(event.item);
          if (event.item.type === 'assistant_message') el.classList.add('streaming');
          added.push(el);
          messages.append(el);
        } else if (event.type === 'text.delta') {
          messages.querySelector(`[data-item-id="${CSS.escape(event.itemId)}"] .text`)?.append(event.delta);
        } else if (event.type === 'item.done') {
          const el = messages.querySelector<HTMLElement>(`[data-item-id="${CSS.escape(event.item.id)}"]`);
          if (el) {
            el.querySelector('.text')!.textContent = event.item.content;
            el.classList.remove('streaming');
          }
        }
        messages.lastElementChild?.scrollIntoView({ block: 'end' });
      })
      .then(
        () => Promise.all([loadTasks(), loadThreads()]),
        (err: unknown) => {
          // Nothing of a failed exchange is stored: take it off the page and give the text back.
          for (const el of added) el.remove();
          content.value = text;
          showError(err);
        },
      )
      .catch(showError)
      .finally(() => {
        sending = false;
        sendButton.disabled = false;
      });
  });

  if (threadId) {
    api.listItems(threadId).then((page) => messages.replaceChildren(...page.data.map(messageEl)), showError);
  }
  Promise.all([loadThreads(), loadTasks()]).catch(showError);

  return h(
    'div',
    { class: 'chat' },
    h('aside', { class: 'threads' }, h('h2', {}, 'Threads'), newThread, threadList),
    h('section', { class: 'conversation' }, title, messages, composer),
    h('aside', { class: 'tasks' }, h('h2', {}, 'Tasks'), taskList),
  );
}
