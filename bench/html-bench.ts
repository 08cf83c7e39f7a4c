/**
 * report.html figures for `npm run bench`: the page's size and the time to write it for a batch, and
 * the time headless Chromium takes to open it (load, script run, first worklist page drawn). The
 * batch is checked in this process (findings in memory) and only the writing of report.html is
 * timed. Run alone on a smaller batch: `SCRUB_BENCH_HTML_LINES=200000 npx tsx bench/html-bench.ts`.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import { reportBatchOf } from '../functions/core/engine/batch-findings.js';
import { formatCount } from '../functions/core/report/format.js';
import { renderHtml } from '../functions/core/report/html.js';
import { HTML_FINDINGS_BUDGET } from '../functions/core/report/worklist-data.js';
import { scrubBatch } from '../functions/core/scrub.js';
import { launchChromium, openReport } from '../scripts/chromium.js';
import { makeNpiPool } from '../test/support/npi.js';
import { Random } from '../test/support/random.js';
import { writeSyntheticBatch } from './generate-batch.js';
import { PAYERS, SAMPLE_AS_OF } from './synthetic.js';

export interface ReportHtmlBench {
  readonly lines: number;
  readonly findings: number;
  readonly heldFindings: number;
  readonly heldClaims: number;
  readonly claims: number;
  readonly bytes: number;
  readonly writeMs: number;
  /** Median of three opens in a fresh tab: navigation start to the first worklist page drawn. */
  readonly openMs: number;
}

const MB = 1024 * 1024;

/** Checks `file`, writes its report.html (timed) and opens it in Chromium (timed). */
export async function benchReportHtml(file: string): Promise<ReportHtmlBench> {
  const result = await scrubBatch(createReadStream(file, { highWaterMark: 1 << 20 }), {
    batchId: 'bench',
    sourceName: 'bench.csv',
    asOf: SAMPLE_AS_OF,
  });
  const batch = reportBatchOf(result.batch!);
  const out = `${file}.report.html`;
  const started = performance.now();
  const stream = createWriteStream(out);
  for (const piece of renderHtml(result.summary, batch))
    if (!stream.write(piece)) await once(stream, 'drain');
  stream.end();
  await finished(stream);
  const writeMs = performance.now() - started;
  const { size } = await stat(out);

  const browser = await launchChromium();
  const opens: number[] = [];
  let held = { claims: 0, findings: 0 };
  let claims = 0;
  try {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const opened = await openReport(browser, out);
      await opened.page.locator('tr.claim').first().waitFor();
      opens.push(await opened.page.evaluate<number>('performance.now()'));
      if (opened.problems.length > 0) throw new Error(`report.html: ${opened.problems.join('; ')}`);
      const data = await opened.page.evaluate<{ held: typeof held; total: { claims: number } }>(
        'JSON.parse(document.getElementById("report-data").textContent)',
      );
      held = data.held;
      claims = data.total.claims;
      await opened.page.close();
    }
  } finally {
    await browser.close();
    await rm(out, { force: true });
  }
  return {
    lines: result.summary.counts.lines,
    findings: batch.flagged.tally.count,
    heldFindings: held.findings,
    heldClaims: held.claims,
    claims,
    bytes: size,
    writeMs,
    openMs: opens.sort((a, b) => a - b)[1]!,
  };
}

/**
 * A batch where every line has two findings (modifier 50 on 62323: an error; no prior authorization:
 * a warning), one line a claim: `findings / 2` lines, so a page at the budget is measured however
 * few of the nightly batch's lines are flagged.
 */
export async function writeDenseBatch(path: string, findings: number): Promise<void> {
  const random = new Random(62323);
  const npis = makeNpiPool(random, 400, 1);
  const stream = createWriteStream(path);
  stream.write(
    'claim_id,line_no,member_id,date_of_service,procedure_code,modifier_1,dx_1,units,place_of_service,rendering_npi,charge,prior_auth,payer\n',
  );
  let block = '';
  for (let line = 0; line < findings / 2; line += 1) {
    const day = String(1 + (line % 28)).padStart(2, '0');
    const charge = (400 + random.int(2000)).toFixed(2);
    block += `D${line},1,M${line},2026-10-${day},62323,50,M54.16,1,11,${npis[line % npis.length]},${charge},,"${PAYERS[line % PAYERS.length]!.replaceAll('"', '""')}"\n`;
    if (block.length > 1 << 20) {
      if (!stream.write(block)) await once(stream, 'drain');
      block = '';
    }
  }
  stream.end(block);
  await finished(stream);
}

/** The bench's table of it. */
export function reportHtmlRows(bench: ReportHtmlBench): string[] {
  return [
    `| report.html (${formatCount(bench.lines)}-line batch, ${formatCount(bench.findings)} findings) | figure |`,
    '|---|---:|',
    `| claims and findings the page holds (budget ${formatCount(HTML_FINDINGS_BUDGET)} findings) | ${formatCount(bench.heldClaims)} of ${formatCount(bench.claims)} claims, ${formatCount(bench.heldFindings)} findings |`,
    `| size | ${(bench.bytes / MB).toFixed(1)} MB |`,
    `| write time (rank the claims, collect their findings, write the file) | ${(bench.writeMs / 1000).toFixed(2)} s |`,
    `| headless Chromium: open to the first worklist page drawn (median of 3) | ${(bench.openMs / 1000).toFixed(2)} s |`,
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const lines = Number(process.env.SCRUB_BENCH_HTML_LINES ?? 1_000_000);
  const dir = await mkdtemp(join(tmpdir(), 'scrub62323-html-bench-'));
  try {
    const file = join(dir, 'batch.csv');
    await writeSyntheticBatch(file, lines);
    console.log(reportHtmlRows(await benchReportHtml(file)).join('\n'));
    const dense = join(dir, 'dense.csv');
    await writeDenseBatch(dense, Number(process.env.SCRUB_BENCH_HTML_FINDINGS ?? HTML_FINDINGS_BUDGET));
    console.log(reportHtmlRows(await benchReportHtml(dense)).join('\n'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
