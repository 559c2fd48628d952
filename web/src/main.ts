// The page's entry: reads config.json, signs in, then routes by the URL hash between the chat
// (`#/chat/<threadId>`), API keys (`#/keys`), the account page (`#/account`) and, for admins, usage
// (`#/usage`).
import { createApi, type Transport } from './api';
import { completeOidcSignIn, currentSession, currentToken, signOut } from './auth';
import { chatView } from './chat-view';
import { loadConfig, type ClientConfig } from './config';
import { byId, h } from './dom';
import { keysView } from './keys-view';
import { clearNotice, showError, showInfo } from './notice';
import { jwtClaims } from './pkce';
import { forgetAllReplies } from './reply-memory';
import { signInView } from './sign-in-view';
import type { Me, PageContext } from './types';
import { accountView, adminUsageView } from './usage-view';

const pageContext: PageContext = {};

type View = 'chat' | 'keys' | 'account' | 'usage';
const TITLES: Record<View, string> = { chat: 'Chat', keys: 'API keys', account: 'Account', usage: 'Usage' };

function route(): { view: View; threadId: string | null } {
  const [, view, id] = location.hash.split('/');
  if (view === 'keys' || view === 'account' || view === 'usage') return { view, threadId: null };
  return { view: 'chat', threadId: id ? decodeURIComponent(id) : null };
}

/** What the agent is told about the page (X-Page-Context); the chat view adds the thread's title. */
function describePage(view: View): void {
  pageContext.page = TITLES[view];
  pageContext.title = view === 'chat' ? undefined : TITLES[view];
  if (view !== 'chat') pageContext.taskId = undefined;
}

/** The token's `name`, else the profile's email, else the subject part of the user id (never the issuer hash). */
function displayName(me: Me): string {
  const token = currentToken();
  const name = token ? jwtClaims(token).name : undefined;
  if (typeof name === 'string' && name.trim()) return name.trim();
  return me.email ?? me.userId.slice(me.userId.indexOf(':') + 1);
}

async function start(config: ClientConfig): Promise<void> {
  const api = createApi({ apiUrl: config.apiUrl, wsUrl: config.wsUrl, token: currentToken, pageContext: () => pageContext });
  const view = byId('view');
  const transport = byId<HTMLSelectElement>('transport');
  let me: Me | null = null;

  const setSignedIn = (signedIn: boolean) => {
    for (const id of ['nav', 'settings', 'sign-out', 'sign-out-everywhere']) byId(id).hidden = !signedIn;
    const who = byId('who');
    who.textContent = signedIn && me ? `${displayName(me)}${me.roles.includes('guest') ? ' (read-only)' : me.roles.includes('admin') ? ' (admin)' : ''}` : '';
    who.title = signedIn && me ? me.userId : '';
  };

  const showSignIn = () => {
    me = null;
    setSignedIn(false);
    view.replaceChildren(signInView(config.auth, () => void afterSignIn()));
  };

  const render = () => {
    if (!me || !currentToken()) return showSignIn();
    const readOnly = me.roles.includes('guest');
    const admin = me.roles.includes('admin');
    byId('nav-keys').hidden = readOnly; // guests cannot hold API keys
    byId('nav-usage').hidden = !admin;
    const { view: name, threadId } = route();
    describePage(name);
    for (const v of ['chat', 'keys', 'account', 'usage'] as const) {
      if (name === v) byId(`nav-${v}`).setAttribute('aria-current', 'page');
      else byId(`nav-${v}`).removeAttribute('aria-current');
    }
    view.replaceChildren(
      name === 'keys' && !readOnly
        ? keysView(api)
        : name === 'account'
          ? accountView(api)
          : name === 'usage' && admin
            ? adminUsageView(api)
            : chatView(
            { api, readOnly, transport: () => transport.value as Transport, pageContext, openThread: (id) => (location.hash = `#/chat/${encodeURIComponent(id)}`) },
            threadId,
          ),
    );
  };

  async function afterSignIn(): Promise<void> {
    clearNotice();
    describePage(route().view);
    try {
      me = await api.me();
    } catch (err) {
      signOut();
      showError(err);
      return showSignIn();
    }
    setSignedIn(true);
    render();
  }

  const leave = (text: string) => {
    signOut();
    forgetAllReplies(); // whoever signs in next in this tab does not follow this user's replies
    api.close();
    clearNotice();
    showSignIn();
    showInfo(text);
  };
  byId('sign-out').addEventListener('click', () => leave('Signed out of this browser. Your other sessions are still signed in.'));
  // The API refuses every token issued until now, this one included, and closes the user's WebSockets.
  byId('sign-out-everywhere').addEventListener('click', () => {
    api.signOutEverywhere().then(() => leave('Signed out everywhere: every session you had, on any device, has ended.'), showError);
  });
  window.addEventListener('hashchange', () => {
    clearNotice();
    render();
  });
  // An expired token: back to sign-in with a readable reason.
  setInterval(() => {
    const session = currentSession();
    if (me && session && session.expiresAt <= Date.now()) {
      signOut();
      api.close();
      showSignIn();
      showError(new Error('Your sign-in has expired. Please sign in again.'));
    }
  }, 10_000);

  if (config.auth.mode === 'oidc' && (await completeOidcSignIn(config.auth).catch((err: unknown) => (showError(err), null)))) {
    return afterSignIn();
  }
  showSignIn();
}

loadConfig().then(start, (err: unknown) => {
  byId('view').replaceChildren(h('p', { class: 'fatal' }, `This page is not configured: ${(err as Error).message}`));
});
