/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The web client's layout and accessibility in headless Chromium at four widths (390, 768, 1280,
// 1920 px): no horizontal overflow, every visible control inside the viewport and its panel, panels
// that scroll on their own (header and composer stay put after many messages), notices in view,
// tasks changed from their buttons over REST, "this task" meaning the selected one, and no serious
// or critical axe-core violation on any view. Screenshots of each width land in test/artifacts.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { axeViolations } from '../helpers/axe';
import { launchChromium, openRecordedPage, poll, type RecordedPage } from '../helpers/browser';
import { recordCredential } from '../helpers/credentials';
import { baseUrl, uniqueUser } from '../helpers/dev-tokens';

const webUrl = () => inject('webUrl');
const ARTIFACTS = join(import.meta.dirname, '../artifacts');
const WIDTHS = [390, 768, 1280, 1920] as const;
const HEIGHT: Record<number, number> = { 390: 844, 768: 1024, 1280: 800, 1920: 1080 };

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
  mkdirSync(ARTIFACTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
});

const open = (width: number) => openRecordedPage(browser, { width, height: HEIGHT[width]! });

function recordTokens(rec: RecordedPage): void {
  for (const n of rec.network) if (n.url.endsWith('/dev-sign-in')) recordCredential((JSON.parse(n.responseBody || '{}') as { token?: string }).token);
}

async function signIn(page: Page, user: string, role: 'user' | 'guest' = 'user'): Promise<void> {
  await page.goto(webUrl());
  await page.fill('#dev-sign-in input[name=user]', user);
  await page.selectOption('#dev-sign-in select[name=role]', role);
  await page.click('#dev-sign-in button[type=submit]');
  await page.waitForSelector('#sign-out:visible');
}

/** On a phone the panels are behind a switch; on wider screens all three are in view. */
async function showPanel(page: Page, name: 'threads' | 'conversation' | 'tasks'): Promise<void> {
  const button = page.locator(`.panel-switch button[data-panel=${name}]`);
  if (await button.isVisible()) await button.click();
}

async function send(page: Page, content: string): Promise<string> {
  await showPanel(page, 'conversation');
  const before = await page.locator('.assistant_message').count();
  await page.locator('#composer button[type=submit]:enabled').waitFor(); // the previous reply has ended
  await page.fill('#composer textarea', content);
  await page.press('#composer textarea', 'Enter');
  const reply = page.locator('.assistant_message').nth(before);
  await reply.and(page.locator(':not(.streaming)')).waitFor();
  return (await reply.locator('.text').textContent()) ?? '';
}

/** Layout faults as sentences: page-level horizontal scroll, controls outside the viewport or their container. */
function layoutFaults(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const faults: string[] = [];
    const doc = document.documentElement;
    if (doc.scrollWidth > innerWidth) faults.push(`page scrolls sideways: ${doc.scrollWidth} > ${innerWidth}`);
    const controls = document.querySelectorAll<HTMLElement>('button, input, select, textarea, a[href], summary');
    for (const el of controls) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0 || !el.checkVisibility()) continue;
      const name = `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''} "${(el.textContent || el.getAttribute('aria-label') || '').trim().slice(0, 30)}"`;
      if (r.left < -0.5 || r.right > innerWidth + 0.5) faults.push(`${name} is outside the viewport (${r.left.toFixed(0)}..${r.right.toFixed(0)})`);
      // Inside its container: the nearest panel, header, form card or table wrapper that clips.
      const box = el.closest('.panel, .bar, .sign-in, .keys, .settings-panel, .notice');
      if (box && box !== el) {
        const b = box.getBoundingClientRect();
        const scrollsSideways = getComputedStyle(box).overflowX !== 'visible' && box.scrollWidth > box.clientWidth;
        if (scrollsSideways) faults.push(`${name}: its container ${box.className} scrolls sideways`);
        if (r.left < b.left - 0.5 || r.right > b.right + 0.5) faults.push(`${name} sticks out of ${box.className} (${r.left.toFixed(0)}..${r.right.toFixed(0)} vs ${b.left.toFixed(0)}..${b.right.toFixed(0)})`);
        const box2 = el instanceof HTMLInputElement && (el.type === 'checkbox' || el.type === 'radio');
        if (!box2 && r.width < 24) faults.push(`${name} is only ${r.width.toFixed(0)} px wide`);
      }
    }
    return faults;
  });
}


async function expectGood(page: Page, what: string): Promise<void> {
  expect(await layoutFaults(page), `${what}: layout`).toEqual([]);
  expect(await axeViolations(page), `${what}: axe-core`).toEqual([]);
}

describe('web client layout and accessibility at 390, 768, 1280 and 1920 px', () => {
  it.each(WIDTHS)('at %i px: sign-in, chat with many messages, tasks, a notice and API keys fit, scroll in their panels and pass axe-core', async (width) => {
    const rec = await open(width);
    const { page } = rec;
    await page.goto(webUrl());
    await page.waitForSelector('#dev-sign-in');
    await expectGood(page, `${width} sign-in`);
    // The card fits its content: no stretched empty space below the button.
    const card = await page.locator('#dev-sign-in').boundingBox();
    expect(card!.height).toBeLessThan(420);

    const user = uniqueUser(`layout${width}`);
    await signIn(page, user);
    await expectGood(page, `${width} chat, no thread`);
    await showPanel(page, 'threads');
    await page.fill('#new-thread input[name=title]', `a thread with a long title for the ${width} px layout check`);
    await page.click('#new-thread button[type=submit]');
    await page.locator('#composer').waitFor();
    for (let i = 1; i <= 6; i++) await send(page, `add a task to do errand number ${i} next friday`);
    for (let i = 0; i < 4; i++) await send(page, 'list my tasks');

    // After ten exchanges the header and composer are still in view, the page itself never
    // scrolled, and the conversation shows its newest message.
    const inView = (sel: string) =>
      page.locator(sel).evaluate((el) => {
        const r = el.getBoundingClientRect();
        return r.top >= 0 && r.bottom <= innerHeight + 0.5;
      });
    expect(await inView('header.bar')).toBe(true);
    expect(await inView('#composer')).toBe(true);
    expect(await page.evaluate(() => document.scrollingElement!.scrollTop)).toBe(0);
    const messages = page.locator('#messages');
    expect(await messages.evaluate((el) => el.scrollHeight > el.clientHeight)).toBe(true);
    expect(await messages.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight)).toBeLessThan(2);
    await expectGood(page, `${width} chat, ten exchanges`);
    await page.screenshot({ path: join(ARTIFACTS, `web-client-${width}.png`) });

    await showPanel(page, 'tasks');
    await page.locator('#task-list .task').first().click();
    await poll(() => page.locator('#task-list .task-item.selected').count()).toBe(1);
    await expectGood(page, `${width} tasks, one selected`);
    await page.screenshot({ path: join(ARTIFACTS, `web-client-${width}-tasks.png`) });
    await showPanel(page, 'threads');
    expect(await layoutFaults(page), `${width} threads panel`).toEqual([]);

    // A refusal appears in view, near the composer, whatever has scrolled.
    await showPanel(page, 'threads');
    await page.evaluate(() => document.querySelector('#new-thread input')!.removeAttribute('maxlength'));
    await page.fill('#new-thread input[name=title]', 'x'.repeat(300));
    await page.click('#new-thread button[type=submit]');
    const notice = page.locator('#notice');
    await poll(() => notice.getAttribute('data-code')).toBe('bad_request');
    expect(await inView('#notice')).toBe(true);
    expect((await notice.textContent())!.endsWith('×')).toBe(false);
    await expectGood(page, `${width} notice`);
    await page.click('#notice .notice-close');
    expect(await notice.isVisible()).toBe(false);

    await page.click('#settings summary');
    expect(await page.locator('#transport').isVisible()).toBe(true);
    await expectGood(page, `${width} settings open`);
    await page.click('#settings summary');

    await page.click('#nav-keys');
    await page.fill('#new-key input[name=name]', 'layout check');
    await page.click('#new-key button[type=submit]');
    await page.locator('#new-key-value').waitFor();
    recordCredential((await page.locator('#new-key-value').textContent()) ?? undefined);
    await expectGood(page, `${width} API keys`);
    await page.click('#nav-account');
    await page.locator('#my-chart').waitFor();
    await expectGood(page, `${width} account`);
    await rec.settle();
    recordTokens(rec);
    // The deliberate 400 above is the browser's only complaint.
    expect(rec.consoleErrors.filter((e) => !/status of 400/.test(e))).toEqual([]);
    expect(rec.failedRequests).toEqual([]);
    await rec.context.close();
  });

  it.each([390, 1280])('at %i px: a guest is told they are read-only and the view passes axe-core', async (width) => {
    const rec = await open(width);
    const { page } = rec;
    await signIn(page, uniqueUser('guest'), 'guest');
    await showPanel(page, 'conversation');
    const note = page.locator('#read-only-note');
    expect(await note.isVisible()).toBe(true);
    expect(await note.textContent()).toMatch(/read-only access/);
    await expectGood(page, `${width} guest`);
    await rec.settle();
    recordTokens(rec);
    await rec.context.close();
  });
});

describe('tasks from the page', () => {
  it('completes, renames and deletes a task from its buttons over REST, and "this task" in a message means the selected one', async () => {
    const rec = await open(1280);
    const { page } = rec;
    await signIn(page, uniqueUser('taskbuttons'));
    await page.fill('#new-thread input[name=title]', 'errands');
    await page.click('#new-thread button[type=submit]');
    await page.locator('#composer').waitFor();
    await send(page, 'add task buy milk');
    await send(page, 'add task pay rent');
    const item = (title: string) => page.locator('#task-list .task-item', { hasText: title });
    await item('buy milk').waitFor();

    // Selecting "buy milk" makes it obvious, and "this task" now means it, though the agent just named "pay rent".
    await item('buy milk').locator('.task').click();
    await poll(() => item('buy milk').getAttribute('class')).toContain('selected');
    expect(await page.locator('#selected-task').textContent()).toContain('"buy milk"');
    expect(await send(page, 'mark this task done')).toBe('Nice work! I marked "buy milk" as done.');
    await poll(() => item('buy milk').locator('.task.done').count()).toBe(1);
    expect(await item('pay rent').locator('.task.done').count()).toBe(0);

    await item('pay rent').locator('.task-done').click();
    await poll(() => item('pay rent').locator('.task.done').count()).toBe(1);
    const rentId = await item('pay rent').getAttribute('data-task-id');
    await item('pay rent').locator('.task-rename').click();
    const renaming = page.locator(`#task-list .task-item[data-task-id="${rentId}"]`);
    await renaming.locator('.rename-task input').fill('pay the rent');
    await renaming.locator('.rename-task button[type=submit]').click();
    await poll(() => page.locator('#task-list .task-title').allTextContents()).toEqual(['buy milk', 'pay the rent']);
    page.once('dialog', (d) => void d.accept());
    await item('buy milk').locator('.task-delete').click();
    await poll(() => page.locator('#task-list .task-title').allTextContents()).toEqual(['pay the rent']);
    expect(await page.locator('#selected-task').isVisible()).toBe(false);

    await rec.settle();
    recordTokens(rec);
    const taskCalls = rec.network.filter((n) => /\/tasks\//.test(n.url) && n.method !== 'OPTIONS').map((n) => `${n.method} ${n.status}`);
    expect(taskCalls).toEqual(['PATCH 200', 'PATCH 200', 'DELETE 204']);
    expect(rec.network.find((n) => n.method === 'PATCH')!.url.startsWith(`${baseUrl()}/tasks/`)).toBe(true);
    expect(rec.consoleErrors).toEqual([]);
    expect(rec.failedRequests).toEqual([]);
    await rec.context.close();
  });
});
