// API key management. A new key's text is shown once, in this view only: it is never stored by the
// page, so leaving the view or reloading loses it for good (the API keeps only its hash).
import type { Api } from './api';
import { formValue, h } from './dom';
import { clearNotice, showError, showInfo } from './notice';
import type { ApiKey } from './types';

type Scope = ApiKey['scopes'][number];
/** Every scope, in the API's order, with what it lets a key do. */
const SCOPES: ReadonlyArray<readonly [Scope, string]> = [
  ['threads:read', 'read threads'],
  ['threads:write', 'create, rename, delete threads'],
  ['messages:write', 'send messages'],
  ['tasks:read', 'read tasks'],
  ['tasks:write', 'change tasks'],
];
const EXPIRY_DAYS = [7, 30, 90, 365];

const when = (iso: string | null | undefined) => (iso ? iso.slice(0, 16).replace('T', ' ') : 'never');
const expiry = (iso: string | null) => (iso === null ? 'never' : Date.parse(iso) <= Date.now() ? `expired ${when(iso)}` : when(iso));
const scopeText = (scopes: readonly Scope[]) => (scopes.length === SCOPES.length ? 'all' : scopes.join(', '));

export function keysView(api: Api): HTMLElement {
  const rows = h('tbody', { id: 'key-rows' });
  const onceValue = h('code', { id: 'new-key-value' });
  const copy = h('button', { type: 'button', id: 'copy-key' }, 'Copy');
  const once = h(
    'div',
    { id: 'new-key-once', class: 'once', hidden: true },
    h('p', {}, 'Copy this key now: it is shown only this once.'),
    onceValue,
    ' ',
    copy,
  );
  copy.addEventListener('click', () => {
    navigator.clipboard.writeText(onceValue.textContent ?? '').then(() => showInfo('Key copied to the clipboard.'), showError);
  });

  const act = (p: Promise<unknown>) => {
    clearNotice();
    p.then(load, showError);
  };
  const row = (k: ApiKey) =>
    h(
      'tr',
      { 'data-key-id': k.id },
      h('td', { class: 'key-name', 'data-label': 'Name' }, k.name),
      h('td', { class: 'key-scopes', 'data-label': 'Scopes' }, scopeText(k.scopes)),
      h('td', { class: 'key-state', 'data-label': 'State' }, k.enabled ? 'enabled' : 'disabled'),
      h('td', { 'data-label': 'Created (UTC)' }, when(k.createdAt)),
      h('td', { class: 'key-expires', 'data-label': 'Expires (UTC)' }, expiry(k.expiresAt)),
      h('td', { class: 'key-used', 'data-label': 'Last used' }, when(k.lastUsedAt)),
      h(
        'td',
        { 'data-label': 'Actions' },
        h('button', { type: 'button', class: 'toggle-key', 'aria-label': `${k.enabled ? 'Disable' : 'Enable'} key ${k.name}`, onclick: () => act(api.setApiKeyEnabled(k.id, !k.enabled)) }, k.enabled ? 'Disable' : 'Enable'),
        ' ',
        h(
          'button',
          {
            type: 'button',
            class: 'revoke-key',
            'aria-label': `Revoke key ${k.name}`,
            onclick: () => {
              if (confirm(`Revoke "${k.name}"? Anything using it stops working at once.`)) act(api.revokeApiKey(k.id));
            },
          },
          'Revoke',
        ),
      ),
    );
  const load = () =>
    api.listApiKeys().then((page) => {
      rows.replaceChildren(...page.data.map(row));
      if (page.data.length === 0) rows.append(h('tr', {}, h('td', { colspan: 7, class: 'empty' }, 'No keys yet')));
    }, showError);

  const form = h(
    'form',
    { id: 'new-key', class: 'new-key' },
    h('input', { name: 'name', required: true, maxlength: 100, placeholder: 'Key name', 'aria-label': 'Key name' }),
    h(
      'label',
      {},
      'Expires ',
      h('select', { name: 'expiresInDays' }, h('option', { value: '' }, 'never'), ...EXPIRY_DAYS.map((d) => h('option', { value: String(d) }, `in ${d} days`))),
    ),
    h(
      'fieldset',
      { class: 'key-scopes-choice' },
      h('legend', {}, 'Scopes'),
      ...SCOPES.map(([scope, what]) => h('label', { title: what }, h('input', { type: 'checkbox', name: 'scope', value: scope, checked: true }), ` ${scope}`)),
    ),
    h('button', { type: 'submit' }, 'Create key'),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    clearNotice();
    const data = new FormData(form);
    const scopes = data.getAll('scope').map(String) as Scope[];
    if (scopes.length === 0) {
      showInfo('Choose at least one scope: a key with none could do nothing.');
      return;
    }
    const days = formValue(form, 'expiresInDays');
    api.createApiKey(formValue(form, 'name'), { scopes, ...(days ? { expiresInDays: Number(days) } : {}) }).then((created) => {
      form.reset();
      onceValue.textContent = created.key;
      once.hidden = false;
      return load();
    }, showError);
  });

  void load();
  return h(
    'section',
    { class: 'keys' },
    h('h2', {}, 'API keys'),
    h('p', { class: 'hint' }, 'Keys call the API as you (X-API-Key), for scripts and integrations, limited to their scopes and until they expire. Give each one only what it needs.'),
    form,
    once,
    h(
      'div',
      { class: 'key-table' },
      h(
        'table',
        { class: 'key-list' },
        h('thead', {}, h('tr', {}, ...['Name', 'Scopes', 'State', 'Created (UTC)', 'Expires (UTC)', 'Last used', 'Actions'].map((c) => h('th', { scope: 'col' }, c)))),
        rows,
      ),
    ),
  );
}
