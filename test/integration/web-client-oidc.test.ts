/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The web client's deployed sign-in, in headless Chromium: OpenID Connect authorization code with
// PKCE against an issuer on loopback, with a local stack that trusts only that issuer (as a
// deployment does). The token lives in page memory only: nothing in storage or cookies, and a
// reload signs out. This stack allows 2 replies a minute, so a refusal can be seen as a user sees it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium, openRecordedPage, poll } from '../helpers/browser';
import { recordCredential } from '../helpers/credentials';
import { startOidcIssuer, type OidcIssuer } from '../helpers/oidc-issuer';
import { startStackProcess, type StackProcess } from '../helpers/stack-process';

describe('web client with an external issuer, as deployed: OIDC sign-in (code + PKCE) and refusals', () => {
  let issuer: OidcIssuer;
  let stack: StackProcess;
  let browser: Browser;

  beforeAll(async () => {
    issuer = await startOidcIssuer('threadguard');
    stack = await startStackProcess({ JWT_ISSUER: issuer.issuer, JWKS_URI: issuer.jwksUri, JWT_AUDIENCE: 'threadguard', WEB_OIDC_CLIENT_ID: 'threadguard-web', RESPOND_LIMIT_PER_MINUTE: '2' });
    issuer.client = { id: 'threadguard-web', redirectUri: `${stack.webUrl}/`, origin: stack.webUrl };
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await issuer?.close();
    for (const t of issuer?.issued ?? []) recordCredential(t);
  });

  it('offers no dev sign-in when the stack trusts an external issuer', async () => {
    const config = (await (await fetch(`${stack.webUrl}/config.json`)).json()) as { auth: Record<string, unknown> };
    expect(config.auth).toEqual({ mode: 'oidc', issuer: issuer.issuer, clientId: 'threadguard-web', scope: 'openid', tokenType: 'access_token' });
    const res = await fetch(`${stack.webUrl}/dev-sign-in`, { method: 'POST', headers: { Origin: stack.webUrl, 'Content-Type': 'application/json' }, body: '{"user":"x","role":"admin"}' });
    expect(res.status).toBe(404);
    // The CSP lets the page reach the issuer.
    expect((await fetch(stack.webUrl)).headers.get('content-security-policy')).toContain(issuer.issuer);
  });

  it('signs in through the issuer, keeps the token in memory only, and a reload signs out', async () => {
    issuer.user = { sub: 'oidc-alice' };
    const rec = await openRecordedPage(browser);
    const { page, context } = rec;
    await page.goto(stack.webUrl);
    await page.click('#oidc-sign-in');
    // Issuer → back to the page with ?code=&state= → token request with the verifier → /me.
    await page.waitForSelector('#sign-out:visible');
    expect(await page.textContent('#who')).toContain('oidc-alice');
    expect(new URL(page.url()).search).toBe(''); // the code is gone from the address bar
    const tokenRequest = rec.network.find((n) => n.url === `${issuer.issuer}/token`)!;
    expect(Object.fromEntries(new URLSearchParams(tokenRequest.requestBody))).toMatchObject({ grant_type: 'authorization_code', client_id: 'threadguard-web' });
    expect(tokenRequest.requestBody).not.toMatch(/client_secret/);
    expect(issuer.refusals).toEqual([]);

    await page.fill('#new-thread input[name=title]', 'from OIDC');
    await page.click('#new-thread button[type=submit]');
    await poll(() => page.locator('#thread-list a').allTextContents()).toEqual(['from OIDC']);

    // No token anywhere but the page's memory.
    const stored = await page.evaluate(() => JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage }, cookie: document.cookie }));
    expect(JSON.parse(stored)).toEqual({ local: {}, session: {}, cookie: '' });
    expect(await context.cookies()).toEqual([]);

    await page.reload();
    await page.waitForSelector('#oidc-sign-in');
    expect(await page.locator('#sign-out').isVisible()).toBe(false);
    await rec.settle();
    expect(rec.consoleErrors).toEqual([]);
    expect(await rec.cspViolations()).toEqual([]);
    await context.close();
  });

  it('refuses a returned code that does not match this browser (state mismatch), without a token request', async () => {
    const rec = await openRecordedPage(browser);
    const { page, context } = rec;
    const before = issuer.refusals.length;
    await page.goto(`${stack.webUrl}/?code=stolen&state=forged`);
    await poll(() => page.locator('#notice').textContent()).toMatch(/did not match this browser/);
    expect(rec.network.some((n) => n.url.startsWith(`${issuer.issuer}/token`))).toBe(false);
    expect(issuer.refusals.length).toBe(before);
    expect(await page.locator('#sign-out').isVisible()).toBe(false);
    await context.close();
  });

  it('shows a rate-limit refusal as a sentence with the retry time, and gives the message back', async () => {
    issuer.user = { sub: 'oidc-busy' };
    const rec = await openRecordedPage(browser);
    const { page, context } = rec;
    await page.goto(stack.webUrl);
    await page.click('#oidc-sign-in');
    await page.waitForSelector('#sign-out:visible');
    await page.fill('#new-thread input[name=title]', 'busy');
    await page.click('#new-thread button[type=submit]');
    await page.waitForSelector('#composer:visible');
    const notice = page.locator('#notice');
    // Two replies a minute: within five quick sends (one window boundary at most) one is refused.
    for (let i = 0; i < 5 && (await notice.getAttribute('data-code')) !== 'rate_limited'; i++) {
      const replies = await page.locator('.assistant_message').count();
      await page.fill('#composer textarea', `hello ${i}`);
      await page.click('#composer button[type=submit]');
      await poll(async () => (await page.locator('.assistant_message').count()) > replies || (await notice.getAttribute('data-code')) === 'rate_limited').toBe(true);
    }
    expect(await notice.getAttribute('data-code')).toBe('rate_limited');
    // Retry-After is at most a minute; exactly 60 s (at a window's start) reads "1 min".
    expect(await notice.textContent()).toMatch(/^You are sending requests too quickly\. Try again in (\d+ s|1 min) \(at \d\d:\d\d:\d\d UTC\)\.$/);
    expect(await page.inputValue('#composer textarea')).toMatch(/^hello \d$/);
    // The refusal came before any stream: the message post itself answered 429.
    expect(rec.network.filter((n) => n.status === 429).map((n) => `${n.method} ${new URL(n.url).pathname.replace(/[^/]+\/messages$/, '{id}/messages')}`)).toEqual([
      'POST /threads/{id}/messages',
    ]);
    await rec.settle();
    expect(rec.consoleErrors.filter((e) => !/status of 429/.test(e))).toEqual([]);
    await context.close();
  });
});
