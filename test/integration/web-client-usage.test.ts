/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The web client's account and admin usage pages in real headless Chromium against the local stack:
// a user's tokens per day drawn as an SVG chart with the budget in force, and an admin's page of a
// day's top users, one user's history and setting their budget (which the user's page then shows).
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { axeViolations } from '../helpers/axe';
import { launchChromium, openRecordedPage, poll, type RecordedPage } from '../helpers/browser';
import { recordCredential } from '../helpers/credentials';
import { uniqueUser } from '../helpers/dev-tokens';

const webUrl = () => inject('webUrl');


let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

async function signIn(rec: RecordedPage, user: string, role: 'user' | 'admin' = 'user'): Promise<string> {
  const { page } = rec;
  await page.goto(webUrl());
  await page.fill('#dev-sign-in input[name=user]', user);
  await page.selectOption('#dev-sign-in select[name=role]', role);
  await page.click('#dev-sign-in button[type=submit]');
  await page.waitForSelector('#sign-out:visible');
  for (const n of rec.network) if (n.url.endsWith('/dev-sign-in')) recordCredential((JSON.parse(n.responseBody || '{}') as { token?: string }).token);
  return (await page.locator('#who').getAttribute('title'))!;
}

async function chat(page: Page, content: string): Promise<void> {
  await page.fill('#new-thread input[name=title]', 'usage');
  await page.click('#new-thread button[type=submit]');
  await page.locator('#thread-list a[aria-current=page]').waitFor();
  await page.fill('#composer textarea', content);
  await page.click('#composer button[type=submit]');
  await page.locator('.assistant_message').and(page.locator(':not(.streaming)')).first().waitFor();
}

async function expectClean(rec: RecordedPage): Promise<void> {
  expect(rec.consoleErrors, 'console errors').toEqual([]);
  expect(await rec.cspViolations(), 'CSP violations').toEqual([]);
}

const bars = (page: Page, chart: string) =>
  page.locator(`#${chart} rect.bar`).evaluateAll((els) => els.map((e) => ({ day: e.getAttribute('data-day'), tokens: Number(e.getAttribute('data-tokens')), height: Number(e.getAttribute('height')) })));

describe('usage pages in headless Chromium', () => {
  it("draws the user's 30 days of tokens as an SVG chart with the budget, and lets an admin rank users and set a budget the user then sees", async () => {
    const user = await openRecordedPage(browser);
    const userId = await signIn(user, uniqueUser('web-usage'));
    await chat(user.page, 'add a task: water the plants');
    expect(await user.page.locator('#nav-usage').isHidden()).toBe(true); // not an admin

    await user.page.click('#nav-account');
    await user.page.locator('#my-chart rect.bar').first().waitFor({ state: 'attached' });
    const drawn = await bars(user.page, 'my-chart');
    expect(drawn).toHaveLength(30);
    const today = new Date().toISOString().slice(0, 10);
    // Oldest on the left, today on the right: the only day with tokens, drawn full height.
    expect(drawn.at(-1)).toMatchObject({ day: today });
    expect(drawn.at(-1)!.tokens).toBeGreaterThan(0);
    expect(drawn.slice(0, -1).every((b) => b.tokens === 0 && b.height === 0)).toBe(true);
    expect(drawn.at(-1)!.height).toBeGreaterThan(0);
    const used = drawn.at(-1)!.tokens;
    await expect(user.page.locator('#my-budget').getAttribute('data-source')).resolves.toBe('default');
    expect(await user.page.locator('#my-budget').textContent()).toContain(`Today: ${used.toLocaleString('en-US')} of`);
    expect(await user.page.locator(`#my-days tr[data-day="${today}"] td`).nth(4).textContent()).toBe('1'); // one reply
    // No chart library: the chart is the page's own SVG, within the page's CSP.
    expect(user.network.every((n) => !/chart/i.test(n.url))).toBe(true);
    await expectClean(user);

    const admin = await openRecordedPage(browser);
    await signIn(admin, uniqueUser('web-usage-admin'), 'admin');
    await admin.page.click('#nav-usage');
    const row = admin.page.locator(`#ranking-rows tr[data-user-id="${userId}"]`);
    // The ranking pages by 20: follow "More" until the user shows.
    await poll(async () => {
      if ((await row.count()) === 0 && (await admin.page.locator('#ranking-more').isVisible())) await admin.page.click('#ranking-more');
      return row.count();
    }).toBe(1);
    expect(await row.locator('td').nth(2).textContent()).toBe(used.toLocaleString('en-US'));

    await row.locator('button.pick-user').click();
    await admin.page.locator('#user-chart rect.bar').first().waitFor({ state: 'attached' });
    expect((await bars(admin.page, 'user-chart')).at(-1)!.tokens).toBe(used);
    await admin.page.fill('#budget-form input[name=dailyTokens]', String(used));
    await admin.page.fill('#budget-form input[name=monthlyTokens]', '1000000');
    await admin.page.click('#budget-form button[type=submit]');
    await poll(() => admin.page.locator('#user-budget').getAttribute('data-source')).toBe('override');
    expect(await admin.page.locator('#user-budget .monthly').getAttribute('data-source')).toBe('override');
    expect(await axeViolations(admin.page)).toEqual([]);
    await expectClean(admin);

    // The user's page shows the limit in force and where it comes from.
    await user.page.reload();
    await signIn(user, userId.slice(userId.indexOf(':') + 1));
    await user.page.click('#nav-account');
    await poll(() => user.page.locator('#my-budget').getAttribute('data-source')).toBe('override');
    expect(await user.page.locator('#my-budget').textContent()).toContain(`of ${used.toLocaleString('en-US')} tokens used, 0 left (set by an admin)`);
    expect(await user.page.locator('#my-budget .monthly').textContent()).toContain('of 1,000,000 tokens used');
    await expectClean(user);
    await user.context.close();
    await admin.context.close();
  });
});
