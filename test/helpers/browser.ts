/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// Headless Chromium for the web client tests: Debian's `chromium` driven by playwright-core, with
// every background service off (the machine has no route to the internet) and a fresh profile per
// launch (playwright creates and removes a temporary user-data-dir). Each page records its console
// errors, uncaught errors, CSP violations and every API request and response it made.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does it)`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
}

export interface NetworkEntry {
  readonly url: string;
  readonly method: string;
  readonly requestHeaders: Record<string, string>;
  readonly requestBody: string;
  readonly status: number;
  readonly responseBody: string;
}

export interface RecordedPage {
  readonly context: BrowserContext;
  readonly page: Page;
  readonly consoleErrors: string[];
  /** Requests the browser reports as failed (`net::ERR_ABORTED` and the like), with their reason. */
  readonly failedRequests: string[];
  readonly network: NetworkEntry[];
  /** WebSocket frames, both directions. */
  readonly frames: string[];
  cspViolations(): Promise<string[]>;
  /** Resolves once every response seen so far has been read to its end (streams included). */
  settle(): Promise<void>;
  /** Everything the browser received or sent, for "never saw X" checks. */
  transcript(): string;
}

/** A new browser context (its own cookies, storage and cache) with one recorded page. */
export async function openRecordedPage(browser: Browser, viewport = { width: 1280, height: 800 }): Promise<RecordedPage> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  const failedRequests: string[] = [];
  const network: NetworkEntry[] = [];
  const frames: string[] = [];
  const pending: Promise<unknown>[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(`${m.text()} @ ${m.location().url}`);
  });
  page.on('pageerror', (err) => consoleErrors.push(`uncaught: ${err.message}`));
  page.on('requestfailed', (req) => failedRequests.push(`${req.method()} ${req.url()} ${req.failure()?.errorText ?? ''}`));
  page.on('response', (res) => {
    const req = res.request();
    pending.push(
      res
        .text()
        .catch(() => '')
        .then((responseBody) =>
          network.push({ url: req.url(), method: req.method(), requestHeaders: req.headers(), requestBody: req.postData() ?? '', status: res.status(), responseBody }),
        ),
    );
  });
  page.on('websocket', (ws) => {
    ws.on('framesent', (f) => frames.push(String(f.payload)));
    ws.on('framereceived', (f) => frames.push(String(f.payload)));
  });
  // Registered before any page script runs, so no violation can go unseen.
  await context.addInitScript(() => {
    const w = window as unknown as { __csp: string[] };
    w.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => w.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  return {
    context,
    page,
    consoleErrors,
    failedRequests,
    network,
    frames,
    settle: async () => {
      await Promise.all(pending);
    },
    cspViolations: () => page.evaluate(() => (window as unknown as { __csp: string[] }).__csp),
    transcript: () =>
      [
        ...network.map((n) => `${n.method} ${n.url}\n${JSON.stringify(n.requestHeaders)}\n${n.requestBody}\n${n.status}\n${n.responseBody}`),
        ...frames,
      ].join('\n'),
  };
}


/** The page answers after real requests on a shared, loaded machine: wait up to 15 s, not vitest's 1 s. */
export const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 15_000 });
