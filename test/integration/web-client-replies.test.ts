/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// Replies that survive, as a person sees them in the web client (headless Chromium, the local stack
// with a slow model: the Bedrock stand-in pacing its deltas). Stop, on either transport, keeps the
// partial text marked "Stopped" and frees the message box at once; a reload mid-reply picks the
// reply up again and draws it to its end; so does a connection lost mid-reply, in place; a stopped
// reply in the history keeps its mark.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Browser, Page, WebSocketRoute } from 'playwright-core';
import { mintDevToken } from '../../infra/local/dev-issuer';
import { startBedrockFake, type BedrockFake } from '../fakes/bedrock-runtime-fake';
import { axeViolations } from '../helpers/axe';
import { launchChromium, openRecordedPage, poll, type RecordedPage } from '../helpers/browser';
import { recordCredential } from '../helpers/credentials';
import { uniqueUser } from '../helpers/dev-tokens';
import { api } from '../helpers/http';
import { startStackProcess, type StackProcess } from '../helpers/stack-process';

let bedrock: BedrockFake;
let stack: StackProcess;
let browser: Browser;

beforeAll(async () => {
  bedrock = await startBedrockFake();
  stack = await startStackProcess(bedrock.stackEnv);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  await bedrock?.close();
});

beforeEach(() => bedrock.turns.reset());

const words = (n: number) => Array.from({ length: n }, (_, i) => `w${i} `);
const MEMORY = 'threadguard.replies';

/** Signs in on the page as it is (a reload keeps the thread in the URL's hash). */
async function signIn(page: Page, user: string): Promise<void> {
  await page.fill('#dev-sign-in input[name=user]', user);
  await page.click('#dev-sign-in button[type=submit]');
  await page.waitForSelector('#sign-out:visible');
}

async function openSignedIn(user: string, viewport?: { width: number; height: number }): Promise<RecordedPage> {
  const rec = await openRecordedPage(browser, viewport);
  await rec.page.goto(stack.webUrl);
  await signIn(rec.page, user);
  return rec;
}

async function newThread(page: Page, title: string): Promise<string> {
  await page.fill('#new-thread input[name=title]', title);
  await page.click('#new-thread button[type=submit]');
  const link = page.locator('#thread-list a[aria-current=page]');
  await poll(() => link.textContent()).toBe(title);
  return (await link.getAttribute('data-thread-id'))!;
}

async function send(page: Page, content: string): Promise<void> {
  await page.fill('#composer textarea', content);
  await page.click('#composer button[type=submit]');
}

const lastReply = (page: Page) => page.locator('.assistant_message').last();
const replyText = async (page: Page) => (await lastReply(page).locator('.text').textContent()) ?? '';
/** Waits until a streaming reply shows at least `n` of the model's words. */
const atLeastWords = (page: Page, n: number) =>
  poll(() => page.evaluate(() => document.querySelector('.assistant_message.streaming .text')?.textContent?.match(/w\d+ /g)?.length ?? 0)).toBeGreaterThanOrEqual(n);
const memory = (page: Page) => page.evaluate((key) => sessionStorage.getItem(key), MEMORY);

/** The thread's items as the API stores them, read with a token of the same user. */
async function storedItems(user: string, threadId: string) {
  const token = mintDevToken(stack.dataDir, user);
  recordCredential(token);
  const res = await api(stack.baseUrl, 'GET', `/threads/${threadId}/items?order=asc&limit=100`, { token });
  return res.body.data as Array<{ id: string; type: string; content: string; status?: string }>;
}

async function expectClean(rec: RecordedPage, allowed: RegExp | null = null): Promise<void> {
  for (const n of rec.network) if (n.url.endsWith('/dev-sign-in')) recordCredential((JSON.parse(n.responseBody || '{}') as { token?: string }).token);
  expect(rec.consoleErrors.filter((e) => !allowed?.test(e)), 'console errors').toEqual([]);
  expect(await rec.cspViolations(), 'CSP violations').toEqual([]);
}

describe.each(['sse', 'websocket'] as const)('Stop, over %s', (transport) => {
  it('keeps the partial text marked "Stopped", frees the message box at once, stores the reply cancelled, and the history keeps the mark', async () => {
    const full = words(200).join('');
    bedrock.turns.script({ text: words(200), deltaIntervalMs: 100, usage: { input: 10, output: 200 } }, { text: ['Next ', 'answer.'], usage: { input: 5, output: 2 } });
    const user = uniqueUser(`stop-${transport}`);
    const rec = await openSignedIn(user);
    const { page } = rec;
    const threadId = await newThread(page, 'a long answer');
    if (transport === 'websocket') {
      await page.click('#settings summary');
      await page.selectOption('#transport', 'websocket');
      await page.click('#settings summary');
    }
    const stop = page.locator('#stop-reply');
    expect(await stop.isVisible()).toBe(false);
    await send(page, 'write a lot');
    await atLeastWords(page, 3);
    expect(await stop.isEnabled()).toBe(true);
    expect(await stop.getAttribute('aria-label')).toBe('Stop the reply');
    expect(await page.locator('#composer button[type=submit]').isDisabled()).toBe(true);
    expect(await axeViolations(page), 'axe-core with the Stop button shown').toEqual([]);
    // The tab remembers which reply runs, by id only: no content in storage.
    const replyId = (await lastReply(page).getAttribute('data-item-id'))!;
    expect(JSON.parse((await memory(page))!)).toEqual([{ threadId, replyId }]);

    if (transport === 'sse') {
      // From the keyboard: the message box, then Tab (Send is off while a reply runs) reaches Stop.
      await page.focus('#composer textarea');
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('stop-reply');
      await page.keyboard.press('Enter');
      await poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Message');
      expect(await page.locator('#composer button[type=submit]').isEnabled()).toBe(true);
    } else {
      // At once: in the click's own task, before the API has answered the cancel.
      const after = await page.evaluate(() => {
        document.getElementById('stop-reply')!.click();
        return { send: (document.querySelector('#composer button[type=submit]') as HTMLButtonElement).disabled, stop: document.getElementById('stop-reply')!.hidden };
      });
      expect(after).toEqual({ send: false, stop: true });
    }
    // The next message goes at once, while the stopped reply's last events may still be coming in.
    await send(page, 'and now?');

    // The stopped reply's stream ends with its item.done: the partial text stays, marked.
    const stopped = page.locator(`.assistant_message[data-item-id="${replyId}"]`);
    await stopped.and(page.locator(':not(.streaming)')).waitFor();
    const partial = (await stopped.locator('.text').textContent()) ?? '';
    expect(partial.length).toBeGreaterThan(0);
    expect(partial.length).toBeLessThan(full.length);
    expect(full.startsWith(partial)).toBe(true);
    expect(await stopped.locator('.stopped-mark').textContent()).toBe('Stopped');

    // The next one is answered in full, unmarked.
    await poll(() => page.locator('.assistant_message').count()).toBe(2);
    const next = page.locator('.assistant_message').last();
    await next.and(page.locator(':not(.streaming)')).waitFor();
    expect(await next.locator('.text').textContent()).toBe('Next answer.');
    expect(await next.locator('.stopped-mark').count()).toBe(0);
    expect(await memory(page)).toBeNull();

    const stored = await storedItems(user, threadId);
    expect(stored.map((i) => [i.type, i.content, i.status])).toEqual([
      ['user_message', 'write a lot', undefined],
      ['assistant_message', partial, 'cancelled'],
      ['user_message', 'and now?', undefined],
      ['assistant_message', 'Next answer.', 'done'],
    ]);
    expect(stored[1]!.id).toBe(replyId);
    // The cancel answers once the reply has stopped, which may be after its stream showed it.
    const cancels = () => rec.network.filter((n) => n.method === 'POST' && n.url.endsWith(`/items/${replyId}/cancel`));
    await poll(() => cancels().length).toBe(1);
    expect(cancels().map((n) => [n.status, JSON.parse(n.responseBody).status])).toEqual([[200, 'cancelled']]);

    // From the history (a fresh page): the stopped reply keeps its text and its mark; the finished one has none.
    await page.reload();
    await signIn(page, user);
    const history = page.locator('.assistant_message');
    await poll(() => history.count()).toBe(2);
    expect(await history.first().locator('.text').textContent()).toBe(partial);
    expect(await history.first().locator('.stopped-mark').textContent()).toBe('Stopped');
    expect(await history.last().locator('.stopped-mark').count()).toBe(0);
    expect(await page.locator('#stop-reply').isVisible()).toBe(false);
    expect(await axeViolations(page), 'axe-core with a stopped reply in the history').toEqual([]);
    await expectClean(rec);
  });
});

describe('a reload while a reply streams', () => {
  it('follows the reply again after sign-in: it keeps drawing and completes with the whole text, stored done', async () => {
    const sent = words(80);
    bedrock.turns.script({ text: sent, deltaIntervalMs: 100, usage: { input: 10, output: 80 } });
    const user = uniqueUser('reload');
    const rec = await openSignedIn(user);
    const { page } = rec;
    const threadId = await newThread(page, 'survives a reload');
    await send(page, 'tell me');
    await atLeastWords(page, 3);
    const replyId = (await lastReply(page).getAttribute('data-item-id'))!;

    await page.reload();
    await signIn(page, user);
    // Still running: the page draws it again from its first event and goes on as it streams.
    const streaming = page.locator(`.assistant_message.streaming[data-item-id="${replyId}"]`);
    await streaming.waitFor();
    expect(await page.locator('.user_message .text').allTextContents()).toEqual(['tell me']);
    expect(await page.locator('#stop-reply').isEnabled()).toBe(true);
    const seen = (await streaming.locator('.text').textContent()) ?? '';
    await lastReply(page).and(page.locator(':not(.streaming)')).waitFor({ timeout: 30_000 });
    const text = await replyText(page);
    expect(text).toBe(sent.join(''));
    expect(text.length).toBeGreaterThan(seen.length);
    expect(await page.locator('.assistant_message').count()).toBe(1);
    expect(await lastReply(page).locator('.stopped-mark').count()).toBe(0);
    expect(await page.locator('#stop-reply').isVisible()).toBe(false);
    expect(await memory(page)).toBeNull();
    const stored = await storedItems(user, threadId);
    expect(stored.map((i) => [i.type, i.content, i.status])).toEqual([
      ['user_message', 'tell me', undefined],
      ['assistant_message', sent.join(''), 'done'],
    ]);
    await rec.settle();
    expect(rec.network.filter((n) => n.url.includes('/events')).map((n) => [new URL(n.url).pathname + new URL(n.url).search, n.status])).toEqual([
      [`/threads/${threadId}/items/${replyId}/events?after=0`, 200],
    ]);
    await expectClean(rec);
  });

  it('Stop works on a reply picked up after a reload (on a phone-sized page)', async () => {
    const full = words(200).join('');
    bedrock.turns.script({ text: words(200), deltaIntervalMs: 100, usage: { input: 10, output: 200 } });
    const user = uniqueUser('reload-stop');
    const rec = await openSignedIn(user, { width: 390, height: 844 });
    const { page } = rec;
    const threadId = await newThread(page, 'stop after reload');
    await page.click('#settings summary');
    await page.selectOption('#transport', 'websocket');
    await page.click('#settings summary');
    await send(page, 'write a lot');
    await atLeastWords(page, 3);
    await page.reload();
    await signIn(page, user);
    await atLeastWords(page, 3);
    // Stop sits beside Send, inside the page: nothing scrolls sideways.
    const box = (await page.locator('#stop-reply').boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(await axeViolations(page), 'axe-core at 390 px with the Stop button shown').toEqual([]);
    await page.click('#stop-reply');
    await lastReply(page).and(page.locator(':not(.streaming)')).waitFor();
    const partial = await replyText(page);
    expect(full.startsWith(partial) && partial.length < full.length).toBe(true);
    expect(await lastReply(page).locator('.stopped-mark').textContent()).toBe('Stopped');
    expect(await page.locator('#reply-status').textContent()).toBe(`Stopped: ${partial}`);
    expect((await storedItems(user, threadId)).map((i) => [i.type, i.content, i.status])).toEqual([
      ['user_message', 'write a lot', undefined],
      ['assistant_message', partial, 'cancelled'],
    ]);
    await expectClean(rec);
  });

  it('a reply that ended meanwhile is shown from the thread, not followed; a remembered reply the API does not know is dropped silently', async () => {
    const sent = words(30);
    bedrock.turns.script({ text: sent, deltaIntervalMs: 50, usage: { input: 10, output: 30 } });
    const user = uniqueUser('ended');
    const rec = await openSignedIn(user);
    const { page } = rec;
    const threadId = await newThread(page, 'ended meanwhile');
    await send(page, 'tell me');
    await atLeastWords(page, 3);
    const replyId = (await lastReply(page).getAttribute('data-item-id'))!;
    await page.reload();
    // Signed out by the reload; the reply runs on and is stored before the user signs in again.
    await poll(async () => (await storedItems(user, threadId)).length).toBe(2);
    expect(JSON.parse((await memory(page))!)).toEqual([{ threadId, replyId }]);
    await signIn(page, user);
    await poll(() => page.locator('.assistant_message .text').allTextContents()).toEqual([sent.join('')]);
    expect(await memory(page)).toBeNull();
    expect(await page.locator('#stop-reply').isVisible()).toBe(false);

    // A reply id this thread does not have (a stale or edited entry): the resume's 404 forgets it, with no notice.
    const unknown = '01JZZZZZZZZZZZZZZZZZZZZZZZ';
    await page.evaluate(([key, value]) => sessionStorage.setItem(key!, value!), [MEMORY, JSON.stringify([{ threadId, replyId: unknown }])]);
    await page.reload();
    await signIn(page, user);
    await poll(() => memory(page)).toBeNull();
    await page.locator('.assistant_message').first().waitFor();
    expect(await page.locator('#notice').isVisible()).toBe(false);
    expect(await page.locator('#stop-reply').isVisible()).toBe(false);
    expect(await page.locator('#composer button[type=submit]').isEnabled()).toBe(true);
    await rec.settle();
    expect(rec.network.filter((n) => n.url.includes('/events')).map((n) => [new URL(n.url).pathname, n.status])).toEqual([[`/threads/${threadId}/items/${unknown}/events`, 404]]);
    // The browser logs the refused request itself; that is its only complaint.
    await expectClean(rec, /status of 404/);
  });
});

describe('a lost connection', () => {
  it('mid-reply, is picked up again in place: the reply completes whole, nothing is taken off the page', async () => {
    const sent = words(40);
    bedrock.turns.script({ text: sent, deltaIntervalMs: 100, usage: { input: 10, output: 40 } });
    const user = uniqueUser('lost');
    const rec = await openSignedIn(user);
    const { page } = rec;
    // The page's WebSocket goes through the test, which can cut it as a dropped network would.
    let socket: WebSocketRoute | null = null;
    await page.routeWebSocket(/\/ws/, (ws) => {
      socket = ws;
      ws.connectToServer();
    });
    const threadId = await newThread(page, 'a dropped connection');
    await page.click('#settings summary');
    await page.selectOption('#transport', 'websocket');
    await page.click('#settings summary');
    await send(page, 'tell me');
    await atLeastWords(page, 3);
    const replyId = (await lastReply(page).getAttribute('data-item-id'))!;
    await socket!.close({ code: 1001 });
    await lastReply(page).and(page.locator(':not(.streaming)')).waitFor();
    expect(await replyText(page)).toBe(sent.join(''));
    expect(await page.locator('.user_message .text').allTextContents()).toEqual(['tell me']);
    expect(await page.locator('#notice').isVisible()).toBe(false);
    await rec.settle();
    // The resume asked only for what the page had not drawn.
    const resumes = rec.network.filter((n) => n.url.includes('/events')).map((n) => new URL(n.url));
    expect(resumes.map((u) => u.pathname)).toEqual([`/threads/${threadId}/items/${replyId}/events`]);
    expect(Number(resumes[0]!.searchParams.get('after'))).toBeGreaterThanOrEqual(5);
    expect((await storedItems(user, threadId)).map((i) => [i.type, i.content, i.status])).toEqual([
      ['user_message', 'tell me', undefined],
      ['assistant_message', sent.join(''), 'done'],
    ]);
    await expectClean(rec);
  });
});
