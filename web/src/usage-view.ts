// The account page (the caller's usage chart, days and budget) and, for admins, the usage page: the
// top users of a day, one user's history, and setting a user's budget. Numbers only: the API keeps
// no content in usage, and the page shows what it returns.
import type { Api } from './api';
import { formValue, h } from './dom';
import { clearNotice, showError, showInfo } from './notice';
import type { Budget, DayUsage, RankedUser } from './types';
import { tokensOf, usageChart } from './usage-chart';

const n = (v: number) => v.toLocaleString('en-US');
const at = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;
const source = (s: string) => (s === 'override' ? 'set by an admin' : 'default');

/** The budget in force, in sentences. */
function budgetBlock(budget: Budget, id: string): HTMLElement {
  const m = budget.monthly;
  return h(
    'div',
    { id, class: 'budget', 'data-source': budget.source },
    h('p', {}, `Today: ${n(budget.used)} of ${n(budget.limit)} tokens used, ${n(budget.remaining)} left (${source(budget.source)}); resets ${at(budget.resetsAt)}.`),
    m
      ? h('p', { class: 'monthly', 'data-source': m.source }, `This month: ${n(m.used)} of ${n(m.limit)} tokens used, ${n(m.remaining)} left (${source(m.source)}); resets ${at(m.resetsAt)}.`)
      : h('p', { class: 'monthly' }, 'No monthly cap.'),
  );
}

/** The days as a table (newest first): the chart's numbers, readable without it. */
function daysTable(days: readonly DayUsage[], id: string): HTMLElement {
  const cols = ['Day (UTC)', 'Tokens', 'Input', 'Output', 'Replies', 'Model calls', 'Tool calls', 'Requests'];
  return h(
    'div',
    { class: 'key-table' },
    h(
      'table',
      { id, class: 'key-list usage-days' },
      h('thead', {}, h('tr', {}, ...cols.map((c) => h('th', { scope: 'col' }, c)))),
      h(
        'tbody',
        {},
        ...days
          .filter((d) => d.requests > 0 || d.replies > 0)
          .map((d) =>
            h(
              'tr',
              { 'data-day': d.day },
              ...[d.day, n(tokensOf(d)), n(d.inputTokens), n(d.outputTokens), n(d.replies), n(d.modelCalls), n(d.toolCalls), n(d.requests)].map((v, i) => h('td', { 'data-label': cols[i] }, v)),
            ),
          ),
      ),
    ),
  );
}

function history(days: readonly DayUsage[], budget: Budget, prefix: string): Element[] {
  return [budgetBlock(budget, `${prefix}-budget`), usageChart(days, `${prefix}-chart`), h('p', { class: 'hint' }, 'Days with activity:'), daysTable(days, `${prefix}-days`)];
}

export function accountView(api: Api): HTMLElement {
  const body = h('div', { id: 'account-usage' }, h('p', { class: 'hint' }, 'Loading…'));
  api.myUsage(30).then((u) => body.replaceChildren(...history(u.days, u.budget, 'my')), showError);
  return h(
    'section',
    { class: 'keys account' },
    h('h2', {}, 'Account'),
    h('p', { class: 'hint' }, 'Your model tokens per UTC day over the last 30 days, and the budget in force. Usage keeps counts only, never what was said.'),
    body,
  );
}

const today = () => new Date().toISOString().slice(0, 10);

/** Admins only (the API refuses anyone else with 403, whatever the page shows). */
export function adminUsageView(api: Api): HTMLElement {
  const rows = h('tbody', { id: 'ranking-rows' });
  const more = h('button', { type: 'button', id: 'ranking-more', hidden: true }, 'More');
  let cursor: string | null = null;
  const dayForm = h(
    'form',
    { id: 'ranking-form', class: 'new-key' },
    h('label', {}, 'Day (UTC) ', h('input', { type: 'date', name: 'day', value: today(), required: true })),
    h('button', { type: 'submit' }, 'Show top users'),
  );
  const userForm = h(
    'form',
    { id: 'user-usage-form', class: 'new-key' },
    h('input', { name: 'userId', required: true, maxlength: 512, placeholder: 'User id', 'aria-label': 'User id' }),
    h('button', { type: 'submit' }, 'Show history'),
  );
  const userBody = h('div', { id: 'user-usage' });

  const rank = (r: RankedUser) =>
    h(
      'tr',
      { 'data-user-id': r.userId },
      h('td', { 'data-label': 'Rank' }, String(r.rank)),
      h('td', { 'data-label': 'User' }, h('button', { type: 'button', class: 'link pick-user', onclick: () => showUser(r.userId) }, r.userId)),
      h('td', { 'data-label': 'Tokens' }, n(r.tokens)),
      h('td', { 'data-label': 'Replies' }, n(r.replies)),
    );
  const loadRanking = (day: string, after: string | null) =>
    api.adminUsage(day, after ?? undefined).then((page) => {
      if (!after) rows.replaceChildren();
      rows.append(...page.data.map(rank));
      if (!after && page.data.length === 0) rows.append(h('tr', {}, h('td', { colspan: 4, class: 'empty' }, 'No replies that day')));
      cursor = page.nextCursor;
      more.hidden = !cursor;
    }, showError);
  dayForm.addEventListener('submit', (e) => {
    e.preventDefault();
    clearNotice();
    void loadRanking(formValue(dayForm, 'day'), null);
  });
  more.addEventListener('click', () => void loadRanking(formValue(dayForm, 'day'), cursor));

  /** Empty: the default (null); otherwise a whole number of tokens (the API says 400 for anything else). */
  const tokens = (v: string): number | null => (v === '' ? null : Number(v));
  function showUser(userId: string): void {
    clearNotice();
    (userForm.elements.namedItem('userId') as HTMLInputElement).value = userId;
    api.adminUserUsage(userId, 30).then((u) => {
      const form = h(
        'form',
        { id: 'budget-form', class: 'new-key' },
        h('label', {}, 'Daily tokens ', h('input', { name: 'dailyTokens', inputmode: 'numeric', placeholder: 'default', value: u.budget.source === 'override' ? String(u.budget.limit) : '' })),
        h('label', {}, 'Monthly tokens ', h('input', { name: 'monthlyTokens', inputmode: 'numeric', placeholder: 'default', value: u.budget.monthly?.source === 'override' ? String(u.budget.monthly.limit) : '' })),
        h('button', { type: 'submit' }, 'Set budget'),
      );
      form.addEventListener('submit', (e) => {
        e.preventDefault();
        clearNotice();
        api.setBudget(userId, { dailyTokens: tokens(formValue(form, 'dailyTokens')), monthlyTokens: tokens(formValue(form, 'monthlyTokens')) }).then(() => {
          showInfo(`Budget of ${userId} set: it applies from their next reply.`);
          showUser(userId);
        }, showError);
      });
      userBody.replaceChildren(
        h('h3', {}, `History of ${u.userId}`),
        ...history(u.days, u.budget, 'user'),
        h('h3', {}, 'Budget'),
        h('p', { class: 'hint' }, 'Leave a field empty for the deployment default. Every change is audited.'),
        form,
      );
    }, showError);
  }
  userForm.addEventListener('submit', (e) => {
    e.preventDefault();
    showUser(formValue(userForm, 'userId'));
  });

  void loadRanking(today(), null);
  return h(
    'section',
    { class: 'keys admin-usage' },
    h('h2', {}, 'Usage'),
    h('p', { class: 'hint' }, 'Users ranked by the tokens of a day. Every view here is audited.'),
    dayForm,
    h(
      'div',
      { class: 'key-table' },
      h('table', { id: 'ranking', class: 'key-list' }, h('thead', {}, h('tr', {}, ...['Rank', 'User', 'Tokens', 'Replies'].map((c) => h('th', { scope: 'col' }, c)))), rows),
    ),
    more,
    h('h2', {}, 'One user'),
    userForm,
    userBody,
  );
}
