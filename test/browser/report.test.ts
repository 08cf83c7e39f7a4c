/**
 * report.html in a real browser (Debian's chromium, headless; see chromium.ts): the page loads with
 * no console error and no request but itself, the charts draw, the worklist searches, filters, sorts,
 * opens a claim to its fix and source and follows a related line to another page, planted markup
 * stays text, a phone-wide window scrolls only the table sideways, and print hides the controls.
 * The expectations come from findings.csv and the input, not from the page's data.
 * Screenshots go to test-output/report/ (git-ignored) for a person to look at.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assembleReport, filesAsText } from '../../functions/core/report/files.js';
import { BUILT_IN_BOOKS } from '../../functions/core/rules/books.js';
import {
  type Chromium,
  launchChromium,
  type OpenedPage,
  openReport,
  type Page,
} from '../../scripts/chromium.js';
import { batch, type LineInput } from '../support/batch.js';
import { NPI_B } from '../support/npi.js';
import { FIXED_NOW, type Run, scrub } from '../support/run.js';

const SHOTS = resolve('test-output/report');

let browser: Chromium;
let folder: string;
beforeAll(async () => {
  browser = await launchChromium();
  folder = await mkdtemp(join(tmpdir(), 'scrub62323-report-'));
  await mkdir(SHOTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
});

let pages = 0;
async function open(html: string, viewport?: { width: number; height: number }): Promise<OpenedPage> {
  pages += 1;
  const file = join(folder, `report-${pages}.html`);
  await writeFile(file, html);
  return openReport(browser, file, viewport);
}

const shot = (page: Page, name: string, fullPage = false) =>
  page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage });

/** The claim ids of the worklist's shown rows, in order. */
const shownClaims = (page: Page) => page.locator('tr.claim .claim-name').allTextContents();

/** A night's batch: claims with errors of different charges, warnings, and a clean claim. */
function nightlyLines(): LineInput[] {
  const lines: LineInput[] = [];
  for (let index = 0; index < 12; index += 1)
    lines.push({
      claim_id: `CLM-BIL-${index}`,
      modifiers: ['50'],
      charge: String(200 + index * 10),
      rendering_npi: index % 2 === 0 ? NPI_B : undefined,
      payer: index % 3 === 0 ? 'Medicare Part B' : 'Contoso Health Plan',
    });
  lines.push(
    { claim_id: 'CLM-IMG', member_id: 'MBR-IMG', charge: '1500.00' },
    { claim_id: 'CLM-IMG', member_id: 'MBR-IMG', line_no: '2', procedure_code: '77003', charge: '950.00' },
    { claim_id: 'CLM-PA', prior_auth: '', charge: '400' },
    { claim_id: 'CLM-PA2', prior_auth: '', charge: '410', procedure_code: '62323' },
    { claim_id: 'CLM-CLEAN' },
  );
  return lines;
}

describe('report.html in Chromium', () => {
  let run: Run;
  let page: Page;
  let opened: OpenedPage;
  beforeAll(async () => {
    run = await scrub(batch(nightlyLines()));
    opened = await open(run.result.files['report.html']);
    page = opened.page;
  });

  it('loads with no console error, no dialog and no request but the page itself', async () => {
    await expect.poll(() => page.locator('tr.claim').count()).toBeGreaterThan(0);
    expect(opened.problems).toEqual([]);
    expect(opened.dialogs).toEqual([]);
    await shot(page, 'desktop', true);
  });

  it('says what the batch is first: dollars at risk on the claims with errors', async () => {
    const headline = await page.locator('#status-title').textContent();
    expect(headline).toBe(
      `${'$'}${(run.summary.dollarsAtRisk).toLocaleString('en-US', { minimumFractionDigits: 2 })} at risk on ${run.summary.counts.claimsWithErrors} claims`,
    );
  });

  it('draws the four charts as SVG with bars and readable titles', async () => {
    for (const title of [
      'Dollars at risk by rule',
      'Findings by rule',
      'Findings by severity',
      'Top providers by dollars at risk',
    ]) {
      const heading = page.getByRole('heading', { name: title, exact: true });
      await expect.poll(() => heading.isVisible(), { message: title }).toBe(true);
      const chart = page.getByRole('img', { name: title, exact: true });
      expect(await chart.locator('g.bar rect.fill').count(), title).toBeGreaterThan(0);
    }
    const labels = await page
      .getByRole('img', { name: 'Findings by rule', exact: true })
      .locator('text.label')
      .allTextContents();
    expect(labels.join(' ')).toContain('62323 is not a bilateral procedure');
    expect(labels.join(' ')).toContain('Imaging guidance billed separately');
  });

  it('lists one row per claim with findings, most dollars at risk first', async () => {
    const claims = new Set(run.rows.map((row) => row.claim_id));
    const ids = await shownClaims(page);
    expect(new Set(ids)).toEqual(claims);
    expect(ids[0]).toBe('CLM-IMG');
    expect(ids).not.toContain('CLM-CLEAN');
  });

  it('"Search" for a claim id narrows the worklist to that claim, and Clear brings all back', async () => {
    const search = page.getByRole('searchbox', { name: 'Search', exact: true });
    await search.fill('CLM-BIL-7');
    await expect.poll(() => shownClaims(page)).toEqual(['CLM-BIL-7']);
    await search.fill('mbr-img');
    await expect.poll(() => shownClaims(page)).toEqual(['CLM-IMG']);
    await search.fill('77003');
    await expect.poll(() => shownClaims(page)).toEqual(['CLM-IMG']);
    await page.getByRole('button', { name: 'Clear' }).click();
    await expect
      .poll(async () => (await shownClaims(page)).length)
      .toBe(new Set(run.rows.map((row) => row.claim_id)).size);
  });

  it('a rule filter narrows the worklist to the claims with that rule', async () => {
    const rule = page.getByLabel('Rule', { exact: true });
    await rule.selectOption({ label: 'No prior authorization number (PRIOR_AUTH_MISSING)' });
    const expected = new Set(
      run.rows.filter((row) => row.rule_id === 'PRIOR_AUTH_MISSING').map((row) => row.claim_id),
    );
    expect(expected.size).toBeGreaterThan(0);
    await expect.poll(async () => new Set(await shownClaims(page))).toEqual(expected);
    await rule.selectOption('');
  });

  it('a provider filter keeps that provider’s claims only', async () => {
    const provider = page.getByLabel('Provider', { exact: true });
    const value = await provider.locator('option', { hasText: NPI_B }).getAttribute('value');
    await provider.selectOption(value!);
    const expected = new Set(run.rows.filter((row) => row.provider_npi === NPI_B).map((row) => row.claim_id));
    await expect.poll(async () => new Set(await shownClaims(page))).toEqual(expected);
    await provider.selectOption('');
  });

  it('sorts by dollars at risk both ways', async () => {
    const dollars = async () =>
      (await page.locator('tr.claim td.dollars').allTextContents()).map((text) =>
        Number(text.replace(/[$,]/g, '')),
      );
    const header = page.getByRole('button', { name: /Dollars at risk/ });
    await header.click();
    await expect
      .poll(async () => page.locator('th[data-sort=dollars]').getAttribute('aria-sort'))
      .toBe('ascending');
    const ascending = await dollars();
    expect(ascending).toEqual([...ascending].sort((a, b) => a - b));
    await header.click();
    await expect
      .poll(async () => page.locator('th[data-sort=dollars]').getAttribute('aria-sort'))
      .toBe('descending');
    const descending = await dollars();
    expect(descending).toEqual([...descending].sort((a, b) => b - a));
    // CLM-IMG: only its 77003 line has an error.
    expect(descending[0]).toBe(950);
  });

  it('sorts by claim id', async () => {
    await page.getByRole('button', { name: 'Claim', exact: true }).click();
    const ids = await shownClaims(page);
    expect(ids).toEqual([...ids].sort((a, b) => a.localeCompare(b, 'en', { numeric: true })));
    await page.getByRole('button', { name: /Dollars at risk/ }).click();
  });

  it('opening a claim shows each finding’s rule title, message, fix and source', async () => {
    await page.getByRole('button', { name: 'CLM-IMG', exact: true }).click();
    const detail = page.locator('tr.detail');
    await expect.poll(() => detail.isVisible()).toBe(true);
    const text = (await detail.textContent()) ?? '';
    for (const row of run.rows.filter((item) => item.claim_id === 'CLM-IMG')) {
      expect(text).toContain(row.message);
      expect(text).toContain(row.fix);
      expect(text).toContain(row.source);
    }
    expect(text).toContain('Imaging guidance billed separately from 62323');
    expect(text).toContain('MBR-IMG');
    await shot(page, 'claim-open');
    await page.getByRole('button', { name: 'CLM-IMG', exact: true }).click();
  });

  it('prints the summary and the worklist without the controls', async () => {
    await page.emulateMedia({ media: 'print' });
    for (const hidden of ['.controls', '#worklist .pager', '#q'])
      expect(await page.locator(hidden).first().isVisible(), hidden).toBe(false);
    for (const shown of ['#status-title', '.figures', 'table.claims', '#chart-rule-findings-title'])
      expect(await page.locator(shown).first().isVisible(), shown).toBe(true);
    await shot(page, 'print', true);
    await page.emulateMedia({ media: 'screen' });
  });
});

describe('a related line on another page of the worklist', () => {
  it('is a link that opens its claim on its page and brings its line into view', async () => {
    // 60 claims with errors rank first; one member's five sessions in a year, on five claims: the fifth
    // (cheap, so on the last page) relates to the first (dear, so on the first page).
    const lines: LineInput[] = Array.from({ length: 60 }, (_, index) => ({
      claim_id: `BULK-${index}`,
      modifiers: ['50'],
      charge: String(300 + index),
    }));
    const dates = ['2026-01-05', '2026-03-05', '2026-05-05', '2026-07-05', '2026-09-05'];
    for (const [index, date] of dates.entries())
      lines.push({
        claim_id: `REP-${index + 1}`,
        member_id: 'MBR-REPEAT',
        date_of_service: date,
        charge: index === 0 ? '5000' : '1',
        modifiers: index === 0 ? ['50'] : [],
      });
    const run = await scrub(batch(lines), { asOf: '2026-11-28' });
    const fifth = run.rows.find((row) => row.claim_id === 'REP-5' && row.related_lines !== '');
    expect(fifth, 'a finding on the fifth session relates to the others').toBeDefined();
    const firstLine = run.rows.find((row) => row.claim_id === 'REP-1')!.line;
    expect(fifth!.related_lines.split(' ')).toContain(String(firstLine));

    const { page, problems } = await open(run.result.files['report.html']);
    await page.getByRole('button', { name: 'Last »' }).click();
    await page.getByRole('button', { name: 'REP-5', exact: true }).click();
    const link = page.locator('tr.detail a[data-line]', { hasText: `line ${firstLine}` }).first();
    await link.click();
    const target = page.locator(`#line-${firstLine}`);
    await expect.poll(() => target.isVisible()).toBe(true);
    expect(await page.locator('.page-of').first().textContent()).toBe('Page 1 of 2');
    const box = await target.boundingBox();
    const viewport = page.viewportSize()!;
    expect(box!.y).toBeGreaterThanOrEqual(0);
    expect(box!.y + Math.min(box!.height, 50)).toBeLessThanOrEqual(viewport.height);
    // Expressions as text: this project type-checks without the DOM library.
    expect(await page.evaluate('document.activeElement && document.activeElement.id')).toBe(
      `line-${firstLine}`,
    );
    expect(problems).toEqual([]);
    await shot(page, 'related-line');
  });
});

describe('planted markup and formulas stay inert text', () => {
  it('in claim id, member id, line number, payer and procedure code: no dialog, no global, shown literally', async () => {
    const planted = {
      claim_id: '<script>window.__planted = 1; alert(1)</script>',
      member_id: '<img src=x onerror="window.__planted = 2; alert(2)">',
      line_no: '=HYPERLINK("http://example.invalid","click")',
      payer: '<svg onload="window.__planted = 3">Payer',
    };
    const run = await scrub(batch([{ ...planted, prior_auth: '', modifiers: ['50'] }]));
    const { page, problems, dialogs } = await open(run.result.files['report.html']);
    await page.locator('button.open-claim').first().click();
    await expect.poll(() => page.locator('tr.detail').isVisible()).toBe(true);
    expect(await page.locator('button.open-claim .claim-name').first().textContent()).toBe(planted.claim_id);
    expect(await page.locator('td.payer').first().textContent()).toBe(planted.payer);
    const detail = (await page.locator('tr.detail').textContent()) ?? '';
    expect(detail).toContain(planted.member_id);
    expect(detail).toContain(planted.line_no);
    // The planted markup never became elements.
    expect(await page.locator('main img, main script, tr svg').count()).toBe(0);
    expect(await page.evaluate('typeof window.__planted')).toBe('undefined');
    expect(dialogs).toEqual([]);
    expect(problems).toEqual([]);
  });
});

describe('at 390 px (a phone)', () => {
  it('nothing but the table scrolls sideways, with a claim open', async () => {
    const run = await scrub(batch(nightlyLines()));
    const { page, problems } = await open(run.result.files['report.html'], { width: 390, height: 844 });
    const overflow = () =>
      page.evaluate<number>('document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth');
    expect(await overflow()).toBeLessThanOrEqual(0);
    await page.getByRole('button', { name: 'CLM-IMG', exact: true }).click();
    expect(await overflow()).toBeLessThanOrEqual(0);
    const table = await page
      .locator('#worklist .table-scroll')
      .evaluate((node) => node.scrollWidth > node.clientWidth);
    expect(table).toBe(true);
    expect(problems).toEqual([]);
    await shot(page, 'phone', true);
  });
});

const CONTEXT = {
  batchId: 'nightly-2026-11-27',
  asOf: '2026-11-28',
  source: { name: 'nightly.csv', bytes: 123456, sha256: 'a'.repeat(64), encoding: 'utf-8' as const },
  unknownColumns: [],
  history: { ignoredRows: 0 },
  generatedAt: FIXED_NOW,
  packs: BUILT_IN_BOOKS.packs,
  defaultPack: 0,
};

describe('each kind of batch says what it is at a glance', () => {
  it('a rejected batch: "Rejected" and why, and no figures', async () => {
    const report = assembleReport(CONTEXT, {
      rejection: {
        code: 'MISSING_COLUMNS',
        message: 'The header lacks required columns: member_id, charge.',
      },
    });
    const html = filesAsText(report.files)['report.html'];
    const { page, problems } = await open(html);
    expect(await page.locator('#status-title').textContent()).toBe(
      'Rejected: nothing in this batch was checked',
    );
    expect(await page.locator('.status').textContent()).toContain(
      'The header lacks required columns: member_id, charge.',
    );
    expect(await page.locator('.tile').count()).toBe(0);
    expect(problems).toEqual([]);
    await shot(page, 'rejected');
  });

  it('an incomplete batch: "Incomplete" and what is missing', async () => {
    const run = await scrub(batch(nightlyLines()));
    const report = assembleReport(
      { ...CONTEXT, missing: ['lines 2,001–4,000 (chunk 2 failed)'] },
      { batch: run.result.batch! },
    );
    const html = filesAsText(report.files)['report.html'];
    const { page, problems } = await open(html);
    expect(await page.locator('#status-title').textContent()).toBe(
      'Incomplete: part of this batch was not checked',
    );
    expect(await page.locator('.status').textContent()).toContain(
      'Missing: lines 2,001–4,000 (chunk 2 failed).',
    );
    expect(problems).toEqual([]);
    await shot(page, 'incomplete');
  });

  it('a clean batch: "Clean" in words', async () => {
    const run = await scrub(batch([{}, {}, {}]));
    const { page, problems } = await open(run.result.files['report.html']);
    expect(await page.locator('#status-title').textContent()).toBe('Clean: no findings in 3 checked lines');
    expect(problems).toEqual([]);
    await shot(page, 'clean');
  });

  it('a batch with rejected records lists them (line, reason, raw text)', async () => {
    const good = batch([{ prior_auth: '' }]);
    const text = `${good}"unterminated,quote\nCLM9,1,M9,x,y,z\n`;
    const run = await scrub(text);
    expect(run.rejected.length).toBeGreaterThan(0);
    const { page, problems } = await open(run.result.files['report.html']);
    const rows = page.locator('#rejected-table tbody tr');
    expect(await rows.count()).toBe(run.rejected.length);
    const first = await rows.first().locator('td').allTextContents();
    expect(first[0]).toContain(String(run.rejected[0]!.line));
    expect(first[1]).toBe(run.rejected[0]!.reason);
    expect(first[2]).toBe(run.rejected[0]!.raw);
    expect(problems).toEqual([]);
  });
});
