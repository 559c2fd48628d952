// Threads on the left, the conversation in the middle, the user's tasks on the right (on a phone,
// one of the three at a time). Replies are drawn delta by delta as they stream in; the task list is
// re-read when a reply is done, since the agent may have changed tasks in that exchange. Tasks can
// also be completed, renamed and deleted here directly (REST). The selected task is what "this task"
// in a message means (X-Page-Context taskId). A running reply can be stopped (its partial text stays,
// marked "Stopped"), and one that was running when the page went away is followed again when its
// thread opens (reply-memory.ts).
import type { Api, ReplyListener, Transport } from './api';
import { formValue, h } from './dom';
import { clearNotice, showError } from './notice';
import { ApiError, ConnectionLostError } from './refusals';
import { forgetReply, rememberReply, repliesIn } from './reply-memory';
import type { Item, PageContext, Task, Thread } from './types';

export interface ChatDeps {
  readonly api: Api;
  /** Guests and read-only sessions get no write controls (the API refuses their writes anyway). */
  readonly readOnly: boolean;
  readonly transport: () => Transport;
  readonly pageContext: PageContext;
  readonly openThread: (threadId: string) => void;
}

type PanelName = 'threads' | 'conversation' | 'tasks';

/** Set by the tasks panel so a phone opens on the panel it left (a thread link re-renders the view). */
let lastPanel: PanelName | null = null;

/** Set while the page goes away: its streams end then, but their replies run on and are followed again after a reload. */
let leaving = false;
addEventListener('pagehide', () => (leaving = true));
addEventListener('pageshow', () => (leaving = false));

/** A reply this view follows (sent from here, or picked up again): what Stop, a resume and a failure need. */
interface Run {
  readonly threadId: string;
  replyId: string | null;
  /** The last event drawn (the SSE `id:`): a resume after a lost connection starts after it. */
  lastId: number;
  /** The user's message, given back when the reply fails (nothing of the exchange is stored then). */
  text: string;
  /** What this reply drew, taken off the page when it fails. */
  readonly added: HTMLElement[];
}

/** A stopped reply says so in words, not only by its look. */
const stoppedMark = (item: Pick<Item, 'status'>) => (item.status === 'cancelled' ? h('span', { class: 'stopped-mark' }, 'Stopped') : null);

function messageEl(item: Pick<Item, 'id' | 'type' | 'content' | 'status'>): HTMLLIElement {
  const who = item.type === 'user_message' ? 'You' : item.type === 'assistant_message' ? 'Assistant' : 'Note';
  return h('li', { class: `message ${item.type}`, 'data-item-id': item.id }, h('span', { class: 'who' }, who), h('span', { class: 'text' }, item.content), stoppedMark(item));
}

export function chatView(deps: ChatDeps, threadId: string | null): HTMLElement {
  const { api } = deps;
  let threads: Thread[] = [];
  let tasks: Task[] = [];
  /** The reply the composer waits for (null: free to send). */
  let active: Run | null = null;
  let renaming: string | null = null;

  const threadList = h('ul', { id: 'thread-list', class: 'thread-list' });
  const taskList = h('ul', { id: 'task-list', class: 'task-list' });
  // Focusable, so the conversation scrolls from the keyboard too.
  const messages = h('ol', { id: 'messages', class: 'messages', 'aria-label': 'Messages', tabindex: 0 });
  // Screen readers hear each reply once, complete, not every streamed word.
  const announcer = h('div', { id: 'reply-status', class: 'visually-hidden', role: 'status', 'aria-live': 'polite' });
  const title = h('h2', { id: 'thread-title' }, threadId ? 'Conversation' : 'Pick a thread or start a new one');

  const newThread = h(
    'form',
    { id: 'new-thread', class: 'new-thread', hidden: deps.readOnly },
    h('input', { name: 'title', maxlength: 200, placeholder: 'New thread title', 'aria-label': 'New thread title' }),
    h('button', { type: 'submit' }, 'New thread'),
  );
  const content = h('textarea', { name: 'content', rows: 2, required: true, placeholder: 'Ask the assistant, e.g. "add a task to buy milk tomorrow"', 'aria-label': 'Message' });
  const sendButton = h('button', { type: 'submit' }, 'Send');
  const stopButton = h('button', { type: 'button', id: 'stop-reply', class: 'stop', 'aria-label': 'Stop the reply', hidden: true }, 'Stop');
  const composer = h('form', { id: 'composer', class: 'composer', hidden: deps.readOnly || !threadId }, content, sendButton, stopButton);
  const readOnlyNote = h(
    'p',
    { id: 'read-only-note', class: 'read-only-note', hidden: !deps.readOnly },
    'You have read-only access: you can read your threads and tasks, but not send messages, start threads or change tasks.',
  );
  const selectedLine = h('p', { id: 'selected-task', class: 'selected-task', hidden: true });

  // Phones: a switch shows one panel at a time; on wider screens the switch is hidden by CSS.
  const panels: Record<PanelName, HTMLElement> = {
    threads: h('aside', { id: 'threads-panel', class: 'panel threads', 'aria-labelledby': 'threads-heading' }),
    conversation: h('section', { id: 'conversation-panel', class: 'panel conversation', 'aria-labelledby': 'thread-title' }),
    tasks: h('aside', { id: 'tasks-panel', class: 'panel tasks', 'aria-labelledby': 'tasks-heading' }),
  };
  const switchButtons = (Object.keys(panels) as PanelName[]).map((name) =>
    h('button', { type: 'button', 'data-panel': name, 'aria-controls': panels[name].id }, name[0]!.toUpperCase() + name.slice(1)),
  );
  const show = (name: PanelName) => {
    lastPanel = name;
    for (const [n, el] of Object.entries(panels)) el.classList.toggle('active', n === name);
    for (const b of switchButtons) b.setAttribute('aria-pressed', String(b.dataset.panel === name));
  };
  for (const b of switchButtons) b.addEventListener('click', () => show(b.dataset.panel as PanelName));
  show(threadId ? (lastPanel === 'tasks' ? 'tasks' : 'conversation') : (lastPanel ?? 'threads'));

  const nearBottom = () => messages.scrollHeight - messages.scrollTop - messages.clientHeight < 48;
  const toBottom = () => (messages.scrollTop = messages.scrollHeight);

  const renderThreads = () => {
    threadList.replaceChildren(
      ...threads.map((t) =>
        h(
          'li',
          {},
          h('a', { href: `#/chat/${encodeURIComponent(t.id)}`, 'aria-current': t.id === threadId ? 'page' : undefined, 'data-thread-id': t.id, onclick: () => (lastPanel = 'conversation') }, t.title),
        ),
      ),
    );
    if (threads.length === 0) threadList.append(h('li', { class: 'empty' }, deps.readOnly ? 'No threads' : 'No threads yet: start one above'));
    const current = threads.find((t) => t.id === threadId);
    if (current) {
      title.textContent = current.title;
      deps.pageContext.title = current.title;
    }
  };

  const renderSelected = () => {
    const task = tasks.find((t) => t.id === deps.pageContext.taskId);
    selectedLine.hidden = !task || !threadId || deps.readOnly;
    if (!task) return;
    const clear = h('button', { type: 'button', class: 'clear-selection' }, 'Clear');
    clear.addEventListener('click', () => select(undefined));
    selectedLine.replaceChildren(h('span', {}, `Selected task: "${task.title}". "This task" in a message means it.`), clear);
  };

  const select = (taskId: string | undefined) => {
    deps.pageContext.taskId = taskId;
    renderTasks();
  };

  /** A task change through REST, then the list again. */
  const change = (p: Promise<unknown>) => {
    clearNotice();
    p.then(loadTasks, showError);
  };

  const taskItem = (t: Task): HTMLLIElement => {
    const selected = deps.pageContext.taskId === t.id;
    const item = h('li', { class: `task-item${selected ? ' selected' : ''}`, 'data-task-id': t.id });
    if (renaming === t.id) {
      const form = h(
        'form',
        { class: 'rename-task' },
        h('input', { name: 'title', required: true, maxlength: 200, value: t.title, 'aria-label': `New title for "${t.title}"` }),
        h('button', { type: 'submit' }, 'Save'),
        h('button', { type: 'button', class: 'cancel-rename', onclick: () => ((renaming = null), renderTasks()) }, 'Cancel'),
      );
      form.addEventListener('submit', (e) => {
        e.preventDefault();
        renaming = null;
        change(api.updateTask(t.id, { title: formValue(form, 'title') }));
      });
      item.append(form);
      queueMicrotask(() => form.querySelector('input')?.focus());
      return item;
    }
    const button = h(
      'button',
      { type: 'button', class: `task ${t.status}`, 'aria-pressed': String(selected), 'data-task-id': t.id, title: 'Select: "this task" in a message means this one' },
      h('span', { class: 'task-title' }, t.title),
      t.dueDate ? h('span', { class: 'due' }, ` due ${t.dueDate}`) : null,
      h('span', { class: 'status' }, t.status === 'done' ? ' ✓ done' : ''),
      selected ? h('span', { class: 'badge' }, 'selected') : null,
    );
    button.addEventListener('click', () => select(selected ? undefined : t.id));
    item.append(button);
    if (!deps.readOnly) {
      const done = t.status === 'done';
      item.append(
        h(
          'div',
          { class: 'task-actions' },
          h('button', { type: 'button', class: 'task-done', 'aria-label': `${done ? 'Reopen' : 'Done'}: ${t.title}`, onclick: () => change(api.updateTask(t.id, { status: done ? 'open' : 'done' })) }, done ? 'Reopen' : 'Done'),
          h('button', { type: 'button', class: 'task-rename', 'aria-label': `Rename: ${t.title}`, onclick: () => ((renaming = t.id), renderTasks()) }, 'Rename'),
          h(
            'button',
            {
              type: 'button',
              class: 'task-delete',
              'aria-label': `Delete: ${t.title}`,
              onclick: () => {
                if (!confirm(`Delete "${t.title}"?`)) return;
                if (deps.pageContext.taskId === t.id) deps.pageContext.taskId = undefined;
                change(api.deleteTask(t.id));
              },
            },
            'Delete',
          ),
        ),
      );
    }
    return item;
  };

  function renderTasks(): void {
    if (deps.pageContext.taskId && !tasks.some((t) => t.id === deps.pageContext.taskId)) deps.pageContext.taskId = undefined;
    taskList.replaceChildren(...tasks.map(taskItem));
    if (tasks.length === 0) taskList.append(h('li', { class: 'empty' }, 'No tasks yet'));
    renderSelected();
  }

  const loadThreads = () => api.listThreads().then((page) => ((threads = page.data), renderThreads()));
  const loadTasks = () => api.listTasks().then((page) => ((tasks = page.data), renderTasks()));

  newThread.addEventListener('submit', (e) => {
    e.preventDefault();
    clearNotice();
    api.createThread(formValue(newThread, 'title')).then((thread) => {
      newThread.reset();
      threads = [thread, ...threads];
      lastPanel = 'conversation';
      deps.openThread(thread.id);
    }, showError);
  });

  // Enter sends, Shift+Enter starts a new line.
  content.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      composer.requestSubmit();
    }
  });

  /** Send is off and Stop on while the composer waits for `run`; Stop acts once the reply's id is known. */
  const waitFor = (run: Run | null) => {
    active = run;
    sendButton.disabled = run !== null;
    stopButton.hidden = run === null;
    stopButton.disabled = !run?.replyId;
  };

  const itemEl = (id: string) => messages.querySelector<HTMLElement>(`[data-item-id="${CSS.escape(id)}"]`);

  const draw = (run: Run): ReplyListener => (event, id) => {
    run.lastId = id;
    // Follow the reply while the user is at the newest message; leave them be if they scrolled up.
    const stick = nearBottom() || (event.type === 'item.added' && event.item.type === 'user_message');
    if (event.type === 'item.added') {
      const el = messageEl(event.item);
      run.added.push(el);
      messages.append(el);
      if (event.item.type === 'user_message') run.text = event.item.content;
      if (event.item.type === 'assistant_message') {
        el.classList.add('streaming');
        run.replyId = event.item.id;
        rememberReply({ threadId: run.threadId, replyId: run.replyId });
        if (active === run) waitFor(run);
      }
    } else if (event.type === 'text.delta') {
      itemEl(event.itemId)?.querySelector('.text')?.append(event.delta);
    } else if (event.type === 'item.done') {
      const el = itemEl(event.item.id);
      if (el) {
        el.querySelector('.text')!.textContent = event.item.content;
        el.classList.remove('streaming');
        el.append(stoppedMark(event.item) ?? '');
      }
      if (event.item.type === 'assistant_message') {
        // The reply is over (its stream closes just after): the next message may go.
        if (active === run) waitFor(null);
        forgetReply(event.item.id);
        announcer.textContent = event.item.status === 'cancelled' ? `Stopped: ${event.item.content}` : event.item.content;
      }
    }
    if (stick) toBottom();
  };

  /** The reply did not end well. Nothing of a failed exchange is stored: take it off the page and give the text back. */
  const failed = (run: Run, err: unknown) => {
    // Its `error` event: the reply failed. Anything else once it has started (a lost connection, a
    // refused resume) leaves it running at the API, and remembered: a reload follows it, while
    // sending again would start a second reply.
    const replyFailed = err instanceof ApiError && err.status === 0;
    if (run.replyId && !replyFailed) {
      for (const el of run.added) el.classList.remove('streaming');
    } else {
      if (run.replyId) forgetReply(run.replyId);
      for (const el of run.added) el.remove();
      if (!content.value) content.value = run.text;
    }
    showError(err);
  };

  /** Follows a reply's stream to its end; a lost connection is picked up once after the last event drawn. */
  const follow = (run: Run, stream: Promise<void>) => {
    waitFor(run);
    stream
      .catch((err: unknown) => {
        if (err instanceof ConnectionLostError && run.replyId && !leaving) return api.resumeReply(run.threadId, run.replyId, run.lastId, draw(run));
        throw err;
      })
      .finally(() => {
        // The reply has ended: the next message may go while the lists below are re-read.
        if (active === run) waitFor(null);
      })
      .then(
        () => Promise.all([loadTasks(), loadThreads()]),
        (err: unknown) => {
          if (!leaving) failed(run, err);
        },
      )
      .catch(showError);
  };

  const newRun = (threadId: string, text: string, replyId: string | null = null): Run => ({ threadId, replyId, lastId: 0, text, added: [] });

  composer.addEventListener('submit', (e) => {
    e.preventDefault();
    const text = content.value.trim();
    if (!threadId || !text || active) return;
    clearNotice();
    content.value = '';
    const run = newRun(threadId, text);
    follow(run, api.sendMessage(deps.transport(), threadId, text, draw(run)));
  });

  stopButton.addEventListener('click', () => {
    const run = active;
    if (!run?.replyId) return;
    clearNotice();
    // The composer is free at once; the reply's stream still ends with its item.done, marked stopped.
    const focused = document.activeElement === stopButton;
    waitFor(null);
    if (focused) content.focus();
    api.cancelReply(run.threadId, run.replyId).catch((err: unknown) => {
      // 409: it finished meanwhile, and its stream shows it whole.
      if (!(err instanceof ApiError && err.status === 409)) showError(err);
    });
  });

  /** A reply that was running when the page went away: drawn again from its first event (none of it is on the page). */
  const resume = (threadId: string, replyId: string) => {
    const run = newRun(threadId, '', replyId);
    const stream = api.resumeReply(threadId, replyId, 0, draw(run)).catch((err: unknown) => {
      // Not this user's reply, or its log has expired: there is nothing to follow.
      if (err instanceof ApiError && (err.status === 403 || err.status === 404)) return forgetReply(replyId);
      throw err;
    });
    follow(run, stream);
  };

  if (threadId) {
    api.listItems(threadId).then((page) => {
      messages.replaceChildren(...page.data.map(messageEl));
      toBottom();
      for (const { replyId } of repliesIn(threadId)) {
        // Stored already: the list shows it whole.
        if (page.data.some((item) => item.id === replyId)) forgetReply(replyId);
        else resume(threadId, replyId);
      }
    }, (err: unknown) => {
      // The thread is gone or not this user's: so are its replies.
      if (err instanceof ApiError && err.status === 403) for (const { replyId } of repliesIn(threadId)) forgetReply(replyId);
      showError(err);
    });
  }
  Promise.all([loadThreads(), loadTasks()]).catch(showError);

  panels.threads.append(h('h2', { id: 'threads-heading' }, 'Threads'), newThread, threadList);
  panels.conversation.append(title, messages, announcer, selectedLine, composer, readOnlyNote);
  panels.tasks.append(h('h2', { id: 'tasks-heading' }, 'Tasks'), taskList);
  return h(
    'div',
    { class: 'chat' },
    h('nav', { class: 'panel-switch', 'aria-label': 'Panels' }, ...switchButtons),
    panels.threads,
    panels.conversation,
    panels.tasks,
  );
}
