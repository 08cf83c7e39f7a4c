/**
 * report.html, the auditor's worklist: one self-contained file. The summary and the charts are HTML
 * and SVG written here, every input value escaped; the worklist and the rejected records are drawn in
 * the browser by one inline script (WORKLIST_SCRIPT) from a JSON block (worklist-data.ts), with DOM
 * text APIs only. A Content-Security-Policy lets that one script run (by its hash) and nothing else,
 * and allows no fetch of any kind.
 */
import { createHash } from 'node:crypto';
import type { ReportBatch } from '../engine/batch-findings.js';
import { RULES, type RuleId, SEVERITIES, type Severity } from '../rules/catalog.js';
import { type BatchClaims, batchClaimsOf } from './claims.js';
import { formatCount, formatCounted, formatMoney, formatPercent } from './format.js';
import { type Bar, barChart } from './html-charts.js';
import { escapeHtml } from './html-escape.js';
import { WORKLIST_SCRIPT } from './html-script.js';
import { REPORT_CSS } from './html-style.js';
import type { RuleSummary, Summary } from './summary.js';
import { type WorklistData, worklistData } from './worklist-data.js';

export { escapeHtml } from './html-escape.js';

const TOP_PROVIDERS = 10;
/** Bars of a chart by rule: the rest are summed up in its caption (summary.json lists every rule). */
const TOP_RULES = 12;

/** The first `count` bars, and a sentence for the rest. */
function topBars(bars: readonly Bar[], count: number, what: string): { bars: Bar[]; rest: string } {
  const rest = bars.length - count;
  return {
    bars: bars.slice(0, count),
    rest: rest > 0 ? ` ${formatCounted(rest, 'more rule')} ${what} (summary.json lists every rule).` : '',
  };
}

const SCRIPT_HASH = createHash('sha256').update(WORKLIST_SCRIPT, 'utf8').digest('base64');

/** Only the page's own script may run; nothing may be fetched, framed, submitted or based elsewhere. */
export const CONTENT_SECURITY_POLICY = `default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${SCRIPT_HASH}'; base-uri 'none'; form-action 'none'`;

const SEVERITY_WORDS: Record<Severity, string> = { error: 'Errors', warning: 'Warnings', info: 'Info' };

/** The headline: what this batch is, in words, before any figure. */
function statusBlock(summary: Summary): string {
  const { counts } = summary;
  const block = (tone: string, label: string, headline: string, lines: readonly string[]) =>
    `<section class="status ${tone}" aria-labelledby="status-title"><p class="badge">${escapeHtml(label)}</p><h2 id="status-title">${escapeHtml(headline)}</h2>${lines.map((line) => `<p>${escapeHtml(line)}</p>`).join('')}</section>`;
  if (summary.status === 'rejected')
    return block('rejected', 'Rejected', 'Rejected: nothing in this batch was checked', [
      `Why: ${summary.error?.message ?? 'the batch could not be read.'}`,
      'No claim was checked, so this is not a clean result. Correct the file and submit it again.',
    ]);
  const rejectedNote =
    counts.rejected > 0
      ? [`${formatCounted(counts.rejected, 'record')} could not be read: see Rejected records below.`]
      : [];
  if (summary.status === 'incomplete')
    return block('incomplete', 'Incomplete', 'Incomplete: part of this batch was not checked', [
      `Missing: ${(summary.missing ?? []).join(', ')}.`,
      'The figures below cover only what was checked. Do not read this report as clean.',
      ...rejectedNote,
    ]);
  const { error, warning } = counts.findings;
  const scope = `in ${formatCounted(counts.checked, 'checked line')}`;
  if (error > 0)
    return block(
      'findings',
      'Complete',
      `${formatMoney(summary.dollarsAtRisk)} at risk on ${formatCounted(counts.claimsWithErrors, 'claim')}`,
      [
        `${formatCounted(error, 'error')} and ${formatCounted(warning, 'warning')} ${scope}. Work the list below from the top.`,
        ...rejectedNote,
      ],
    );
  if (warning > 0)
    return block('warnings', 'Complete', `No errors; ${formatCounted(warning, 'warning')} to review`, [
      `Nothing blocks payment ${scope}.`,
      ...rejectedNote,
    ]);
  return block('clean', 'Complete', `Clean: no findings ${scope}`, rejectedNote);
}

/** The key figures, in order of weight. A rejected batch has none: zeros would read as a clean night. */
function figures(summary: Summary): string {
  if (summary.status === 'rejected') return '';
  const { counts } = summary;
  const tile = (label: string, value: string, detail: string, tone = '') =>
    `<div class="tile ${tone}"><p class="tile-label">${escapeHtml(label)}</p><p class="tile-value">${escapeHtml(value)}</p><p class="tile-detail">${escapeHtml(detail)}</p></div>`;
  return `<section class="figures" aria-label="Key figures">${[
    tile(
      'Dollars at risk',
      formatMoney(summary.dollarsAtRisk),
      'charges of lines with an error',
      summary.dollarsAtRisk > 0 ? 'money' : '',
    ),
    tile(
      'Claims with errors',
      `${formatCount(counts.claimsWithErrors)} of ${formatCount(counts.claims)}`,
      `${formatPercent(counts.cleanClaimRate)} clean claims`,
    ),
    tile(
      'Errors',
      formatCount(counts.findings.error),
      'findings to correct',
      counts.findings.error > 0 ? 'error' : '',
    ),
    tile(
      'Warnings',
      formatCount(counts.findings.warning),
      'findings to review',
      counts.findings.warning > 0 ? 'warning' : '',
    ),
    tile('Lines checked', formatCount(counts.checked), `of ${formatCount(counts.lines)} in the batch`),
    tile('Rejected', formatCount(counts.rejected), 'records not read', counts.rejected > 0 ? 'error' : ''),
  ].join('')}</section>`;
}

function charts(summary: Summary, batch: ReportBatch | undefined): string {
  if (summary.status === 'rejected') return '';
  const rules = Object.entries(summary.byRule) as [RuleId, RuleSummary][];
  const dollars: Bar[] = rules
    .filter(([, entry]) => entry.severity === 'error' && entry.charge > 0)
    .sort((a, b) => b[1].charge - a[1].charge)
    .map(([ruleId, entry]) => ({
      label: RULES[ruleId].title,
      note: ruleId,
      value: entry.charge,
      text: formatMoney(entry.charge),
      tone: 'money',
    }));
  const findings: Bar[] = rules
    .sort((a, b) => b[1].findings - a[1].findings)
    .map(([ruleId, entry]) => ({
      label: RULES[ruleId].title,
      note: ruleId,
      value: entry.findings,
      text: formatCount(entry.findings),
      tone: entry.severity,
    }));
  const severities: Bar[] = SEVERITIES.filter((severity) => summary.counts.findings[severity] > 0).map(
    (severity) => ({
      label: SEVERITY_WORDS[severity],
      value: summary.counts.findings[severity],
      text: formatCount(summary.counts.findings[severity]),
      tone: severity,
    }),
  );
  const providers: Bar[] = (batch?.flagged.tally.topProviders(TOP_PROVIDERS) ?? [])
    .filter((provider) => provider.cents > 0)
    .map((provider) => ({
      label: `NPI ${provider.npi} · ${formatCounted(provider.lines, 'flagged line')}`,
      value: provider.cents,
      text: formatMoney(provider.cents / 100),
      tone: 'money',
    }));
  const topDollars = topBars(dollars, TOP_RULES, 'put dollars at risk');
  const topFindings = topBars(findings, TOP_RULES, 'have findings');
  return `<section class="charts" aria-labelledby="charts-title"><h2 id="charts-title">Where the risk is</h2><div class="chart-grid">${[
    barChart(
      'chart-rule-dollars',
      'Dollars at risk by rule',
      topDollars.bars,
      'No error findings: no dollars at risk.',
      `Charges of the lines each error rule flagged; a line with several errors counts under each.${topDollars.rest}`,
    ),
    barChart(
      'chart-rule-findings',
      'Findings by rule',
      topFindings.bars,
      'No findings.',
      topFindings.rest.trim(),
    ),
    barChart('chart-severity', 'Findings by severity', severities, 'No findings.'),
    barChart(
      'chart-providers',
      'Top providers by dollars at risk',
      providers,
      'No provider has dollars at risk.',
      'Encounter NPI; charges of its lines with an error.',
    ),
  ].join('')}</div></section>`;
}

/** Says how much of the batch's worklist the page holds when it is not all of it. */
function heldNote(data: WorklistData): string {
  const { held, total } = data;
  const notes: string[] = [];
  if (held.claims < total.claims)
    notes.push(
      `This page holds the ${formatCount(held.claims)} highest-risk claims of ${formatCount(total.claims)} with findings (${formatCount(held.findings)} of ${formatCount(total.findings)} findings). findings.csv and findings.xlsx hold them all.`,
    );
  return notes.map((note) => `<p class="held-note">${escapeHtml(note)}</p>`).join('');
}

const WORKLIST_COLUMNS: readonly [key: string, label: string, numeric: boolean][] = [
  ['claim', 'Claim', false],
  ['date', 'Date', false],
  ['provider', 'Provider', false],
  ['payer', 'Payer', false],
  ['errors', 'Errors', true],
  ['warnings', 'Warnings', true],
  ['dollars', 'Dollars at risk', true],
];

function worklist(summary: Summary, data: WorklistData): string {
  if (summary.status === 'rejected') return '';
  if (data.total.claims === 0)
    return `<section id="worklist" aria-labelledby="worklist-title"><h2 id="worklist-title">Worklist</h2><p class="muted">No claim has a finding: nothing to work.</p></section>`;
  const head = WORKLIST_COLUMNS.map(
    ([key, label, numeric]) =>
      `<th scope="col" class="${numeric ? 'n' : ''}" data-sort="${key}" aria-sort="none"><button type="button" class="sort">${label}<span class="arrow" aria-hidden="true"></span></button></th>`,
  ).join('');
  const select = (id: string, label: string, any: string) =>
    `<div class="field"><label for="${id}">${label}</label><select id="${id}"><option value="">${any}</option></select></div>`;
  return `<section id="worklist" aria-labelledby="worklist-title"><h2 id="worklist-title">Worklist</h2>
<p class="lead">One row per claim with findings, most dollars at risk first. Open a claim to see what to fix.</p>
${heldNote(data)}
<div class="controls" role="search">
<div class="field search"><label for="q">Search</label><input id="q" type="search" autocomplete="off" spellcheck="false" placeholder="Claim, member or procedure code"></div>
${select('f-rule', 'Rule', 'All rules')}${select('f-severity', 'Severity', 'Any severity')}${select('f-provider', 'Provider', 'All providers')}${select('f-payer', 'Payer', 'All payers')}
<button type="button" id="f-clear" class="secondary">Clear</button>
</div>
<p id="view-status" class="view-status" role="status" aria-live="polite"></p>
<div class="table-scroll"><table id="claims" class="claims"><thead><tr>${head}</tr></thead><tbody></tbody></table></div>
<nav class="pager" aria-label="Worklist pages"><button type="button" data-page="first">« First</button><button type="button" data-page="prev">‹ Previous</button><span class="page-of"></span><button type="button" data-page="next">Next ›</button><button type="button" data-page="last">Last »</button><div class="field inline"><label for="page-size">Rows per page</label><select id="page-size"><option>25</option><option selected>50</option><option>100</option><option>250</option></select></div></nav>
<noscript><p class="held-note">The worklist needs JavaScript to draw; findings.csv holds the same findings.</p></noscript>
</section>`;
}

function rejectedSection(summary: Summary, data: WorklistData): string {
  const { held, total } = data;
  if (total.rejected === 0) return '';
  const more =
    held.rejected < total.rejected
      ? `<p class="held-note">${escapeHtml(`This page lists the first ${formatCount(held.rejected)} of ${formatCount(total.rejected)} rejected records; rejected.csv lists them all.`)}</p>`
      : '';
  return `<section id="rejected" aria-labelledby="rejected-title"><h2 id="rejected-title">Rejected records</h2>
<p class="lead">${escapeHtml(`${formatCounted(total.rejected, 'record')} of the batch could not be read, so ${total.rejected === 1 ? 'it was' : 'they were'} not checked${summary.status === 'rejected' ? '' : ' (the rest of the batch was)'}. Correct and resubmit them.`)}</p>
${more}<div class="table-scroll"><table id="rejected-table" class="rejected"><thead><tr><th scope="col" class="n">Line</th><th scope="col">Reason</th><th scope="col">Record as written</th></tr></thead><tbody></tbody></table></div>
<nav class="pager" id="rejected-pager" aria-label="Rejected record pages"><button type="button" data-page="prev">‹ Previous</button><span class="page-of"></span><button type="button" data-page="next">Next ›</button></nav>
</section>`;
}

function header(summary: Summary): string {
  const packs = summary.rulePacks.map((pack) => `${pack.name} v${pack.version}`).join(', ');
  const meta = [
    `Source ${summary.source.name}`,
    `as of ${summary.asOf}`,
    `rule set ${summary.ruleSet}${packs ? ` (packs: ${packs})` : ''}`,
    `generated ${summary.generatedAt}`,
  ];
  return `<header class="top"><div class="wrap"><p class="brand">scrub62323 · claim audit report</p><h1>Batch ${escapeHtml(summary.batchId)}</h1><p class="meta">${meta.map(escapeHtml).join(' · ')}</p></div></header>`;
}

function footer(summary: Summary): string {
  const unknown =
    summary.unknownColumns.length > 0 ? `Columns ignored: ${summary.unknownColumns.join(', ')}. ` : '';
  const { ignoredRows } = summary.history;
  const history =
    ignoredRows > 0
      ? `${formatCounted(ignoredRows, 'row')} of the member history could not be read and did not count towards the history rules. `
      : '';
  return `<footer class="wrap foot"><p>${escapeHtml(`${unknown}${history}Source ${summary.source.name}, ${formatCount(summary.source.bytes)} bytes, SHA-256 ${summary.source.sha256}. findings.csv and findings.xlsx hold every finding; summary.json the figures above.`)}</p></footer>`;
}

/** How much of a batch a page holds (worklist-data.ts has the defaults). */
export interface HtmlBudget {
  readonly findings?: number;
  readonly rejected?: number;
}

/** report.html in pieces: the page, then the worklist's JSON a few thousand values at a time. */
export function* renderHtml(
  summary: Summary,
  batch?: ReportBatch,
  budget: HtmlBudget = {},
  claims: BatchClaims = batchClaimsOf(batch),
): Generator<string> {
  const data = worklistData(batch, budget.findings, budget.rejected, claims);
  yield `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Claim audit report: batch ${escapeHtml(summary.batchId)}</title>
<style>${REPORT_CSS}</style></head><body class="status-${summary.status}">
${header(summary)}
<main class="wrap">
${statusBlock(summary)}
${figures(summary)}
${charts(summary, batch)}
${worklist(summary, data)}
${rejectedSection(summary, data)}
</main>
${footer(summary)}
<script type="application/json" id="report-data">`;
  yield* data.json();
  yield `</script>\n<script>${WORKLIST_SCRIPT}</script>\n</body></html>\n`;
}
