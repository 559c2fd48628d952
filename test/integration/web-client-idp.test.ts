/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The web client with a certified OpenID Provider (`oidc-provider` on loopback), in headless Chromium:
// code + PKCE, then chat, then "Sign out everywhere", in both deployment modes: the ID token as the
// credential, and a JWT access token asked for with an RFC 8707 resource indicator. Also what the page
// says when the provider or a crafted link misbehaves: an opaque access token, an `iss` from another
// provider (RFC 9207), and error text in the URL (never shown: the words are the link author's).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { freePort } from '../../infra/local/stack';
import { launchChromium, openRecordedPage, poll, type RecordedPage } from '../helpers/browser';
import { recordCredential } from '../helpers/credentials';
import { API_AUDIENCE, API_RESOURCE, startCertifiedProvider, WEB_CLIENT_ID, type CertifiedProvider } from '../helpers/oidc-provider';
import { startStackProcess, type StackProcess } from '../helpers/stack-process';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/** A provider and a stack that trusts only it, the web client registered at the provider as a public client. */
function deployment(mode: Record<string, string>) {
  const env = { idp: null as unknown as CertifiedProvider, stack: null as unknown as StackProcess };
  beforeAll(async () => {
    const webPort = await freePort();
    env.idp = await startCertifiedProvider(`http://127.0.0.1:${webPort}/`);
    env.stack = await startStackProcess({
      JWT_ISSUER: env.idp.issuer,
      JWT_AUDIENCE: `${API_AUDIENCE},${WEB_CLIENT_ID}`,
      ROLES_CLAIM: 'realm_access.roles',
      WEB_PORT: String(webPort),
      WEB_OIDC_CLIENT_ID: WEB_CLIENT_ID,
      WEB_OIDC_SCOPE: 'openid email',
      ...mode,
    });
  });
  afterAll(async () => {
    await env.stack?.stop();
    await env.idp?.close();
    for (const t of env.idp?.issued ?? []) recordCredential(t);
  });
  return env;
}

/** The bearer token the page sent to the API (the one it signed in with). */
const sentToken = (rec: RecordedPage, apiUrl: string): string =>
  rec.network.find((n) => n.url.startsWith(apiUrl) && n.requestHeaders.authorization)!.requestHeaders.authorization!.replace(/^Bearer /, '');

async function signIn(page: Page, webUrl: string): Promise<void> {
  await page.goto(webUrl);
  await page.click('#oidc-sign-in');
  await page.waitForSelector('#sign-out-everywhere:visible');
}

async function chat(page: Page): Promise<void> {
  await page.fill('#new-thread input[name=title]', 'through the provider');
  await page.click('#new-thread button[type=submit]');
  await page.waitForSelector('#composer:visible');
  await page.fill('#composer textarea', 'add a task to renew the certificate');
  await page.click('#composer button[type=submit]');
  await poll(() => page.locator('.assistant_message:not(.streaming)').count()).toBeGreaterThan(0);
}

describe.each([
  ['the ID token', { WEB_OIDC_TOKEN: 'id_token' }, WEB_CLIENT_ID],
  ['a JWT access token for the API resource (RFC 8707)', { WEB_OIDC_RESOURCE: API_RESOURCE }, API_AUDIENCE],
])('web client signing in through oidc-provider with %s', (_name, mode, audience) => {
  const env = deployment(mode);

  it('signs in with code + PKCE, chats, and "Sign out everywhere" ends the token at the API', async () => {
    env.idp.user = { sub: `idp-${audience}`, roles: [] };
    const rec = await openRecordedPage(browser);
    const { page, context } = rec;
    await signIn(page, env.stack.webUrl);
    expect(await page.textContent('#who')).toContain(`idp-${audience}`);
    // The authorization request carried the PKCE challenge (and the resource, in that mode); the
    // provider's answer carried `iss` (RFC 9207), which the page checked before redeeming the code.
    const authorize = new URL(rec.network.find((n) => n.url.startsWith(`${env.idp.issuer}/auth?`))!.url);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('resource')).toBe('WEB_OIDC_RESOURCE' in mode ? API_RESOURCE : null);
    const token = sentToken(rec, env.stack.baseUrl);
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { aud: string | string[]; iss: string };
    expect([claims.iss, [claims.aud].flat()]).toEqual([env.idp.issuer, [audience]]);

    await chat(page);

    // "Sign out" and "Sign out everywhere" say which is which.
    expect(await page.getAttribute('#sign-out', 'title')).toMatch(/this browser only/);
    expect(await page.getAttribute('#sign-out-everywhere', 'title')).toMatch(/every session/);
    await page.click('#sign-out-everywhere');
    await page.waitForSelector('#oidc-sign-in');
    expect(await page.textContent('#notice')).toMatch(/^Signed out everywhere/);
    expect(rec.network.some((n) => n.method === 'POST' && n.url === `${env.stack.baseUrl}/me/sign-out` && n.status === 200)).toBe(true);
    // The token the page held is refused from now on, wherever a copy of it is.
    await poll(async () => (await fetch(`${env.stack.baseUrl}/me`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(401);
    await rec.settle();
    expect(rec.consoleErrors.filter((e) => !/status of 401/.test(e))).toEqual([]);
    expect(await rec.cspViolations()).toEqual([]);
    await context.close();
  });

  it('"Sign out" forgets the token in this browser only, and says so', async () => {
    env.idp.user = { sub: `idp-local-${audience}`, roles: [] };
    const rec = await openRecordedPage(browser);
    const { page, context } = rec;
    await signIn(page, env.stack.webUrl);
    await poll(() => page.locator('#thread-list').count()).toBe(1);
    const token = sentToken(rec, env.stack.baseUrl);
    await page.click('#sign-out');
    await page.waitForSelector('#oidc-sign-in');
    expect(await page.textContent('#notice')).toMatch(/^Signed out of this browser\. Your other sessions are still signed in\.$/);
    expect(rec.network.some((n) => n.url.endsWith('/me/sign-out'))).toBe(false);
    expect((await fetch(`${env.stack.baseUrl}/me`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
    await context.close();
  });
});

describe('web client sign-in failures, against oidc-provider', () => {
  const env = deployment({ WEB_OIDC_RESOURCE: API_RESOURCE });

  it('names an opaque access token and what to configure, instead of failing to parse it', async () => {
    const rec = await openRecordedPage(browser);
    const { page, context } = rec;
    // A deployment that forgot WEB_OIDC_RESOURCE: the provider then issues its default, opaque access token.
    await page.route(`${env.stack.webUrl}/config.json`, async (route) => {
      const config = (await (await route.fetch()).json()) as { auth: Record<string, unknown> };
      delete config.auth.resource;
      await route.fulfill({ json: config });
    });
    await page.goto(env.stack.webUrl);
    await page.click('#oidc-sign-in');
    const notice = page.locator('#notice');
    await poll(() => notice.getAttribute('data-code')).toBe('opaque_token');
    expect(await notice.textContent()).toMatch(/opaque access token.*WEB_OIDC_RESOURCE.*WEB_OIDC_TOKEN=id_token/);
    expect(rec.network.some((n) => n.url.startsWith(env.stack.baseUrl))).toBe(false);
    await rec.settle();
    expect(rec.consoleErrors).toEqual([]);
    await context.close();
  });

  it('refuses an authorization response whose iss is another provider (RFC 9207), without a token request', async () => {
    const rec = await openRecordedPage(browser);
    const { page, context } = rec;
    // A mix-up: the response to this browser's request comes back naming another issuer.
    await page.route(`${env.idp.issuer}/auth?*`, (route) => {
      const state = new URL(route.request().url()).searchParams.get('state')!;
      return route.fulfill({ status: 302, headers: { Location: `${env.stack.webUrl}/?code=from-elsewhere&state=${state}&iss=${encodeURIComponent('https://idp.attacker.example')}` } });
    });
    await page.goto(env.stack.webUrl);
    await page.click('#oidc-sign-in');
    const notice = page.locator('#notice');
    await poll(() => notice.textContent()).toMatch(/came from another identity provider/);
    expect(rec.network.some((n) => n.url === `${env.idp.issuer}/token`)).toBe(false);
    await context.close();
  });

  it('checks state before anything else and never shows error text from the URL', async () => {
    const rec = await openRecordedPage(browser);
    const { page, context } = rec;
    const lure = 'Your account is locked. Call +1 555 0100 to unlock it';
    // A crafted link: no sign-in was started in this browser, so state cannot match.
    await page.goto(`${env.stack.webUrl}/?error=access_denied&error_description=${encodeURIComponent(lure)}&state=forged`);
    const notice = page.locator('#notice');
    await poll(() => notice.textContent()).toBe('Sign-in response did not match this browser. Please sign in again.');
    expect(await page.content()).not.toContain('Call +1 555');
    // With a sign-in started here (state matches), the provider's refusal still shows fixed words only.
    await page.route(`${env.idp.issuer}/auth?*`, (route) => {
      const state = new URL(route.request().url()).searchParams.get('state')!;
      return route.fulfill({ status: 302, headers: { Location: `${env.stack.webUrl}/?error=access_denied&error_description=${encodeURIComponent(lure)}&state=${state}` } });
    });
    await page.click('#oidc-sign-in');
    await poll(() => notice.textContent()).toBe('Sign-in was not completed at the identity provider. Please sign in again.');
    expect(await page.content()).not.toContain('Call +1 555');
    expect(new URL(page.url()).search).toBe('');
    await context.close();
  });
});
