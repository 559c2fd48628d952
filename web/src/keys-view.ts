// API key management. A new key's text is shown once, in this view only: it is never stored by the
// page, so leaving the view or reloading loses it for good (the API keeps only its hash).
import type { Api } from './api';
import { formValue, h } from './dom';
import { clearNotice, showError, showInfo } from './notice';
import type { ApiKey } from './types';

const when = (iso: string | null | undefined) => (iso ? iso.slice(0, 16).replace('T', ' ') : 'never');

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
      h('td', { 'data-label': 'Access' }, k.readOnly ? 'read-only' : 'full'),
      h('td', { class: 'key-state', 'data-label': 'State' }, k.enabled ? 'enabled' : 'disabled'),
      h('td', { 'data-label': 'Created (UTC)' }, when(k.createdAt)),
      h('td', { 'data-label': 'Last used' }, when(k.lastUsedAt)),
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
      if (page.data.length === 0) rows.append(h('tr', {}, h('td', { colspan: 6, class: 'empty' }, 'No keys yet')));
    }, showError);

  const form = h(
    'form',
    { id: 'new-key', class: 'new-key' },
    h('input', { name: 'name', required: true, maxlength: 100, placeholder: 'Key name', 'aria-label': 'Key name' }),
    h('label', {}, h('input', { type: 'checkbox', name: 'readOnly' }), ' read-only'),
    h('button', { type: 'submit' }, 'Create key'),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    clearNotice();
    api.createApiKey(formValue(form, 'name'), new FormData(form).has('readOnly')).then((created) => {
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
    h('p', { class: 'hint' }, 'Keys call the API as you (X-API-Key), for scripts and integrations. Read-only keys cannot change anything.'),
    form,
    once,
    h(
      'div',
      { class: 'key-table' },
      h(
        'table',
        { class: 'key-list' },
        h('thead', {}, h('tr', {}, ...['Name', 'Access', 'State', 'Created (UTC)', 'Last used', 'Actions'].map((c) => h('th', { scope: 'col' }, c)))),
        rows,
      ),
    ),
  );
}
