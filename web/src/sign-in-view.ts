// The sign-in screen: a name and a role for the local dev issuer, or one button for OIDC.
import { beginOidcSignIn, devSignIn, type DevRole } from './auth';
import type { AuthConfig } from './config';
import { formValue, h } from './dom';
import { showError } from './notice';

export function signInView(auth: AuthConfig, onSignedIn: () => void): HTMLElement {
  if (auth.mode === 'oidc') {
    const issuerHost = new URL(auth.issuer).host;
    return h(
      'section',
      { class: 'sign-in' },
      h('h1', {}, 'Sign in'),
      h('button', { id: 'oidc-sign-in', type: 'button', onclick: () => void beginOidcSignIn(auth).catch(showError) }, `Sign in with ${issuerHost}`),
    );
  }
  const form = h(
    'form',
    { id: 'dev-sign-in', class: 'sign-in' },
    h('h1', {}, 'Sign in'),
    h('p', { class: 'hint' }, 'Local dev issuer: any name signs in. Deployed, sign-in goes through your identity provider.'),
    h('label', {}, 'User name ', h('input', { name: 'user', required: true, maxlength: 64, autocomplete: 'username', pattern: '[A-Za-z0-9._@\\-]+' })),
    h(
      'label',
      {},
      'Role ',
      h('select', { name: 'role' }, h('option', { value: 'user' }, 'user'), h('option', { value: 'guest' }, 'guest (read-only)'), h('option', { value: 'admin' }, 'admin')),
    ),
    h('button', { type: 'submit' }, 'Sign in'),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    devSignIn(auth.signInUrl, formValue(form, 'user'), formValue(form, 'role') as DevRole).then(onSignedIn, showError);
  });
  return form;
}
