/**
 * `npm run screenshot`: checks the sample batch with the sample packs and history, opens its
 * report.html in headless Chromium (scripts/chromium.ts) and writes the README's pictures:
 * docs/report.png (the top of the page) and docs/report-worklist.png (the worklist, a claim open).
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { launchChromium, openReport } from './chromium.js';

const out = await mkdtemp(join(tmpdir(), 'scrub62323-screenshot-'));
const browser = await launchChromium();
try {
  execFileSync(process.execPath, [
    'bin/scrub62323.js',
    'check',
    'samples/nightly-batch.csv',
    '--as-of',
    '2026-11-28',
    '--rules',
    'samples/packs/commercial-um.json',
    '--rules',
    'samples/packs/medicare.json',
    '--history',
    'samples/prior-history.csv',
    '--out',
    join(out, 'report'),
  ]);
  const { page, problems } = await openReport(browser, join(out, 'report', 'report.html'), {
    width: 1280,
    height: 1000,
  });
  if (problems.length > 0) throw new Error(`report.html: ${problems.join('; ')}`);
  await page.screenshot({ path: resolve('docs/report.png') });
  await page.locator('button.open-claim').first().click();
  await page.locator('#worklist').scrollIntoViewIfNeeded();
  await page.evaluate('document.getElementById("worklist").scrollIntoView({ block: "start" })');
  await page.screenshot({ path: resolve('docs/report-worklist.png') });
  console.log('docs/report.png and docs/report-worklist.png written');
} finally {
  await browser.close();
  await rm(out, { recursive: true, force: true });
}
