/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The reference web client in real headless Chromium against the local stack: sign-in, isolation
// between two users as the browser sees it (page and network), streamed replies painted as they
// arrive, read-only guests, API keys shown once, and a page that stays within its CSP.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, openRecordedPage, poll, type RecordedPage } from '../helpers/browser';
import { recordCredential } from '../helpers/credentials';
import { baseUrl, uniqueUser } from '../helpers/dev-tokens';

const webUrl = () => inject('webUrl');
const ARTIFACTS = join(import.meta.dirname, '../artifacts');

let browser: Browser;
const pages: RecordedPage[] = [];

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

async function open(): Promise<RecordedPage> {
  const rec = await openRecordedPage(browser);
  pages.push(rec);
  return rec;
}

/** Every bearer token the page got from the dev sign-in goes on the run's credential list. */
function recordTokens(rec: RecordedPage): void {
  for (const n of rec.network) if (n.url.endsWith('/dev-sign-in')) recordCredential((JSON.parse(n.responseBody || '{}') as { token?: string }).token);
}

async function signIn(page: Page, user: string, role: 'user' | 'guest' | 'admin' = 'user'): Promise<void> {
  await page.goto(webUrl());
  await page.fill('#dev-sign-in input[name=user]', user);
  await page.selectOption('#dev-sign-in select[name=role]', role);
  await page.click('#dev-sign-in button[type=submit]');
  await page.waitForSelector('#sign-out:visible');
}

async function newThread(page: Page, title: string): Promise<string> {
  await page.fill('#new-thread input[name=title]', title);
  await page.click('#new-thread button[type=submit]');
  const link = page.locator('#thread-list a[aria-current=page]');
  await poll(() => link.textContent()).toBe(title);
  return (await link.getAttribute('data-thread-id'))!;
}

/** Records, once per animation frame (just before it paints), the streaming reply's text. */
async function recordPaints(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __paints: { at: number; text: string; streaming: boolean }[]; __sentAt: number };
    w.__paints = [];
    document.addEventListener('submit', () => (w.__sentAt = performance.now()), { capture: true, once: true });
    let last = '';
    let lastEl: Element | null = null;
    const frame = () => {
      const el = document.querySelector('.assistant_message:last-child');
      const text = el?.querySelector('.text')?.textContent ?? '';
      if (el && (text !== last || el !== lastEl)) {
        w.__paints.push({ at: performance.now(), text, streaming: el.classList.contains('streaming') });
        last = text;
        lastEl = el;
      }
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  });
}
const paints = (page: Page) => page.evaluate(() => (window as unknown as { __paints: { at: number; text: string; streaming: boolean }[] }).__paints);

async function send(page: Page, content: string): Promise<string> {
  const before = await page.locator('.assistant_message').count();
  await page.locator('#composer button[type=submit]:enabled').waitFor(); // the previous reply has ended
  await page.fill('#composer textarea', content);
  await page.click('#composer button[type=submit]');
  const reply = page.locator('.assistant_message').nth(before);
  await reply.and(page.locator(':not(.streaming)')).waitFor();
  return (await reply.locator('.text').textContent()) ?? '';
}

async function expectClean(rec: RecordedPage): Promise<void> {
  expect(rec.consoleErrors, 'console errors').toEqual([]);
  // A streamed reply ends cleanly: no message post the browser counts as aborted (a reload may
  // abort a list read in flight, which is the navigation's doing).
  expect(rec.failedRequests.filter((r) => r.includes('/messages')), 'failed message posts').toEqual([]);
  expect(await rec.cspViolations(), 'CSP violations').toEqual([]);
}

describe('web client in headless Chromium', () => {
  it('serves the page with a CSP that names only itself, the API and its WebSocket', async () => {
    const res = await fetch(webUrl());
    const csp = res.headers.get('content-security-policy') ?? '';
    const api = new URL(baseUrl());
    expect(csp).toContain(`connect-src 'self' ${api.origin} ws://${api.host}`);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
  });

  it('keeps two users apart in page and network while each chats and the agent changes their tasks', async () => {
    const users = [uniqueUser('alice'), uniqueUser('bob')] as const;
    const recs = [await open(), await open()];
    const seen: { threadId: string; title: string; task: string }[] = [];
    for (const [i, user] of users.entries()) {
      const { page } = recs[i]!;
      await signIn(page, user);
      // The header names the user (the token's name, email or subject), not the raw user id.
      expect(await page.locator('#who').textContent()).toBe(user);
      const title = `${user} private plans`;
      const threadId = await newThread(page, title);
      // Bob's replies come over the WebSocket, Alice's over SSE.
      if (i === 1) {
        await page.click('#settings summary');
        await page.selectOption('#transport', 'websocket');
      }
      const greeting = await send(page, 'hi');
      // X-Page-Context reached the agent (the WebSocket's own pageContext field is not read yet).
      if (i === 0) expect(greeting).toContain('Chat page');
      const task = `${user} secret errand`;
      expect(await send(page, `add a task to ${task} tomorrow`)).toContain(task);
      // The task panel shows the agent's change without a reload.
      await poll(() => page.locator('#task-list .task-title').allTextContents()).toEqual([task]);
      seen.push({ threadId, title, task });
    }
    // Once more each, interleaved, so both pages are live at the same time.
    await Promise.all(recs.map((r) => send(r.page, 'mark it done')));
    for (const [i, rec] of recs.entries()) {
      await poll(() => rec.page.locator('#task-list .task.done').count()).toBe(1);
      await rec.page.reload();
      await signIn(rec.page, users[i]!);
      await poll(() => rec.page.locator('#thread-list a').allTextContents()).toEqual([seen[i]!.title]);
      await rec.settle();
      recordTokens(rec);
      const other = seen[1 - i]!;
      const text = `${await rec.page.content()}\n${rec.transcript()}`;
      for (const secret of [other.threadId, other.title, other.task, users[1 - i]!]) expect(text).not.toContain(secret);
      expect(text).toContain(seen[i]!.task);
      await expectClean(rec);
    }
    // The transports were the ones chosen, and every API call carried X-Page-Context.
    expect(recs[0]!.network.some((n) => n.url.includes('/messages') && n.requestHeaders.accept === 'text/event-stream')).toBe(true);
    expect(recs[1]!.frames.some((f) => f.includes('"action":"sendMessage"'))).toBe(true);
    const apiCalls = recs.flatMap((r) => r.network.filter((n) => n.url.startsWith(baseUrl()) && n.method !== 'OPTIONS'));
    expect(apiCalls.length).toBeGreaterThan(5);
    for (const call of apiCalls) expect(JSON.parse(call.requestHeaders['x-page-context'] ?? 'null'), call.url).toMatchObject({ page: 'Chat' });
  });

  it('paints a streamed reply in several steps before it completes, and reports the time to the first delta', async () => {
    const rec = await open();
    const { page, context } = rec;
    const user = uniqueUser('stream');
    await signIn(page, user);
    await newThread(page, 'streaming');
    await send(page, 'hi'); // warms the reply path, as any earlier user would have
    // The stream closes a little after its item.done is drawn (the reply's log is finished first):
    // reloading before then would abort the post, which expectClean counts.
    await poll(() => rec.network.filter((n) => n.method === 'POST' && n.url.endsWith('/messages')).length).toBe(1);
    // Page load to first delta: a fresh load, sign-in, open the thread, send. performance.now()
    // counts from the navigation that loaded the page.
    await page.reload();
    await signIn(page, user);
    await page.click('#thread-list a');
    await page.locator('.assistant_message').first().waitFor();
    await recordPaints(page);
    await send(page, 'hi');
    const sentAt = await page.evaluate(() => (window as unknown as { __sentAt: number }).__sentAt);
    const firstDelta = (await paints(page)).find((f, i) => i > 0 && f.text.length > 0)!.at;
    console.log(
      `web client: first streamed delta painted ${firstDelta.toFixed(0)} ms after page load ` +
        `(dev sign-in and opening the thread included), ${(firstDelta - sentAt).toFixed(1)} ms after Send`,
    );

    for (const n of [1, 2, 3, 4, 5, 6]) await send(page, `add a task to review chapter ${n} of the long handbook next friday`);
    // On loopback the whole reply arrives within one frame; on a slow link (as a phone has) the
    // page must draw it as it arrives rather than wait for the end.
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 20, downloadThroughput: 4000, uploadThroughput: -1 });
    await recordPaints(page);
    const reply = await send(page, 'what are my open tasks?');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    const frames = (await paints(page)).slice(1); // the first entry is the previous reply
    const partial = frames.filter((f) => f.streaming && f.text.length > 0 && f.text.length < reply.length);
    expect(partial.length, JSON.stringify(frames.map((f) => f.text.length))).toBeGreaterThanOrEqual(2);
    // Each painted step extends the one before: the reply grows in place.
    for (const [i, f] of frames.entries()) if (i > 0) expect(f.text.startsWith(frames[i - 1]!.text)).toBe(true);
    expect(frames.at(-1)).toMatchObject({ text: reply, streaming: false });
    console.log(`web client: the ${reply.length}-character reply was painted in ${partial.length} partial steps at 4 KB/s`);
    await rec.settle();
    recordTokens(rec);
    await expectClean(rec);
    mkdirSync(ARTIFACTS, { recursive: true });
    const png = await page.screenshot({ fullPage: true });
    writeFileSync(join(ARTIFACTS, 'web-client-chat.png'), png);
    // Not blank: decoded by the browser itself, the screenshot has many distinct colours.
    const colours = await (await browser.newPage()).evaluate(async (b64) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = img.width;
      canvas.height = img.height;
      const ctx = canvas.getContext('2d')!;
      ctx.drawImage(img, 0, 0);
      const data = ctx.getImageData(0, 0, img.width, img.height).data;
      const set = new Set<number>();
      for (let i = 0; i < data.length; i += 4 * 7) set.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
      return set.size;
    }, png.toString('base64'));
    expect(colours).toBeGreaterThan(20);
  });

  it('shows a guest no write controls, and a forced write gets the read_only message', async () => {
    const rec = await open();
    const { page } = rec;
    await signIn(page, uniqueUser('guest'), 'guest');
    await page.waitForSelector('#task-list li');
    expect(await page.locator('#new-thread').isVisible()).toBe(false);
    expect(await page.locator('#composer').isVisible()).toBe(false);
    expect(await page.locator('#nav-keys').isVisible()).toBe(false);
    // The guest is told why, where the message box would be, and in the header.
    expect(await page.locator('#read-only-note').textContent()).toMatch(/read-only access/);
    expect(await page.locator('#who').textContent()).toMatch(/\(read-only\)$/);
    expect(await page.locator('form:visible, button:visible').evaluateAll((els) => els.map((e) => e.id || e.textContent))).toEqual(['sign-out', 'sign-out-everywhere']);
    // Unhide the form as a curious user might; the API refuses and the page says why.
    await page.evaluate(() => (document.getElementById('new-thread')!.hidden = false));
    await page.fill('#new-thread input[name=title]', 'guest write');
    await page.click('#new-thread button[type=submit]');
    const notice = page.locator('#notice');
    await poll(() => notice.getAttribute('data-code')).toBe('read_only');
    expect(await notice.textContent()).toMatch(/read-only/);
    await rec.settle();
    recordTokens(rec);
    expect(rec.network.filter((n) => n.method === 'POST' && n.url === `${baseUrl()}/threads`).map((n) => n.status)).toEqual([403]);
    // The refused request is the browser's only complaint.
    expect(rec.consoleErrors.filter((e) => !/status of 403/.test(e))).toEqual([]);
    expect(await rec.cspViolations()).toEqual([]);
  });

  it('creates an API key, shows it once with a copy button, disables and revokes it; after a reload the key is gone', async () => {
    const rec = await open();
    const { page, context } = rec;
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: webUrl() });
    const user = uniqueUser('keys');
    await signIn(page, user);
    await page.click('#nav-keys');
    await page.fill('#new-key input[name=name]', 'deploy script');
    await page.click('#new-key button[type=submit]');
    const shown = page.locator('#new-key-value');
    await shown.waitFor();
    const key = (await shown.textContent())!;
    recordCredential(key);
    expect(key).toMatch(/^[0-9a-f-]{36}$/);
    await page.click('#copy-key');
    await poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(key);
    // The key works until it is disabled.
    const me = () => fetch(`${baseUrl()}/me`, { headers: { 'X-API-Key': key } }).then((r) => r.status);
    expect(await me()).toBe(200);
    const row = page.locator('#key-rows tr', { hasText: 'deploy script' });
    await row.locator('.toggle-key').click();
    await poll(() => row.locator('.key-state').textContent()).toBe('disabled');
    expect(await me()).toBe(401);

    await page.reload();
    await signIn(page, user);
    await page.click('#nav-keys');
    await poll(() => page.locator('#key-rows .key-name').allTextContents()).toEqual(['deploy script']);
    expect(await page.content()).not.toContain(key);
    expect(await page.locator('#new-key-once').isVisible()).toBe(false);

    page.once('dialog', (d) => void d.accept());
    await page.locator('#key-rows tr', { hasText: 'deploy script' }).locator('.revoke-key').click();
    await poll(() => page.locator('#key-rows .key-name').count()).toBe(0);
    await rec.settle();
    recordTokens(rec);
    // Only the create response ever carried the key.
    expect(rec.network.filter((n) => n.responseBody.includes(key)).map((n) => `${n.method} ${new URL(n.url).pathname}`)).toEqual(['POST /api-keys']);
    await expectClean(rec);
  });

  it('creates a key with an expiry and chosen scopes, lists them, and the key is held to them', async () => {
    const rec = await open();
    const { page } = rec;
    await signIn(page, uniqueUser('keys-scoped'));
    await page.click('#nav-keys');
    await page.fill('#new-key input[name=name]', 'task reader');
    await page.selectOption('#new-key select[name=expiresInDays]', '30');
    for (const scope of ['threads:read', 'threads:write', 'messages:write', 'tasks:write']) await page.getByLabel(scope, { exact: true }).uncheck();
    await page.click('#new-key button[type=submit]');
    const shown = page.locator('#new-key-value');
    await shown.waitFor();
    const key = (await shown.textContent())!;
    recordCredential(key);
    const row = page.locator('#key-rows tr', { hasText: 'task reader' });
    await poll(() => row.locator('.key-scopes').textContent()).toBe('tasks:read');
    const expires = (await row.locator('.key-expires').textContent())!;
    // 30 days from now, to the minute shown (the key's creation second may fall in the next minute).
    const in30 = Date.now() + 30 * 86_400_000;
    expect([new Date(in30).toISOString(), new Date(in30 + 60_000).toISOString()].map((t) => t.slice(0, 16).replace('T', ' '))).toContain(expires);
    expect(await row.locator('.key-used').textContent()).toBe('never');

    const status = (path: string) => fetch(`${baseUrl()}${path}`, { headers: { 'X-API-Key': key } }).then((r) => r.status);
    expect(await status('/tasks')).toBe(200);
    expect(await status('/threads')).toBe(403);
    await rec.settle();
    recordTokens(rec);
    await expectClean(rec);
  });

  it('refuses to create a key with no scope, without calling the API', async () => {
    const rec = await open();
    const { page } = rec;
    await signIn(page, uniqueUser('keys-none'));
    await page.click('#nav-keys');
    await page.fill('#new-key input[name=name]', 'nothing');
    for (const box of await page.locator('#new-key input[name=scope]').all()) await box.uncheck();
    await page.click('#new-key button[type=submit]');
    await poll(() => page.locator('#notice').textContent()).toMatch(/at least one scope/);
    expect(rec.network.filter((n) => n.method === 'POST' && new URL(n.url).pathname === '/api-keys')).toEqual([]);
    await rec.settle();
    recordTokens(rec);
  });
});
