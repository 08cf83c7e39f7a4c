/**
 * The browser the report tests drive: Debian's chromium (/usr/bin/chromium) through playwright-core,
 * headless, with a fresh profile, no background networking, never a downloaded browser. Every
 * request a page makes is routed here; any but the page itself fails the test that made it.
 *
 * Without /usr/bin/chromium the tests fail with one message saying how to install it (CI installs it
 * in .ci/run), rather than skipping: a skipped browser test would pass a report nobody opened.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

export const CHROMIUM = process.env.SCRUB_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_MISSING = `The report tests need Chromium at ${CHROMIUM}; install it with: sudo apt-get update && sudo apt-get install -y chromium (or set SCRUB_CHROMIUM to its path).`;

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

export interface Chromium {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/** A headless chromium with its own empty profile. */
export async function launchChromium(): Promise<Chromium> {
  if (!existsSync(CHROMIUM)) throw new Error(CHROMIUM_MISSING);
  const profile = await mkdtemp(join(tmpdir(), 'scrub62323-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    ignoreDefaultArgs: ['--enable-automation'],
    viewport: { width: 1280, height: 900 },
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

export interface OpenedPage {
  readonly page: Page;
  /** Console errors, page errors, dialogs and requests other than the page itself, as they happen. */
  readonly problems: string[];
  readonly dialogs: string[];
}

/** Opens `file` (a file:// URL is the only request allowed) and records everything that goes wrong. */
export async function openReport(
  browser: Chromium,
  file: string,
  viewport = { width: 1280, height: 900 },
): Promise<OpenedPage> {
  const page = await browser.context.newPage();
  await page.setViewportSize(viewport);
  const url = `file://${file}`;
  const problems: string[] = [];
  const dialogs: string[] = [];
  await page.route('**/*', (route) => {
    if (route.request().url() === url) return route.continue();
    problems.push(`request: ${route.request().url()}`);
    return route.abort();
  });
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning')
      problems.push(`console ${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.goto(url, { waitUntil: 'load' });
  return { page, problems, dialogs };
}

export type { Browser, Page };
