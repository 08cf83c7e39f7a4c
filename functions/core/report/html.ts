/**
 * report.html: the auditor's view in one self-contained file (inline CSS and SVG, no scripts, no
 * fetches). Every value that comes from the input is HTML-escaped.
 */
import type { FlaggedFinding, ReportBatch } from '../engine/batch-findings.js';
import { RULES, type RuleId, SEVERITIES, type Severity } from '../rules/catalog.js';
import { formatMoney } from './format.js';
import type { RuleSummary, Summary } from './summary.js';

/** The table shows this many findings; findings.csv has them all. */
export const HTML_FINDINGS_LIMIT = 5000;
const TOP_PROVIDERS = 10;

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
export const escapeHtml = (value: string | number): string =>
  String(value).replace(/[&<>"']/g, (c) => ESCAPES[c]!);

const SEVERITY_COLOR: Record<Severity, string> = { error: '#c0392b', warning: '#d68910', info: '#2e86c1' };

function barChart(title: string, rows: readonly { label: string; value: number; color: string }[]): string {
  if (rows.length === 0) return `<h3>${escapeHtml(title)}</h3><p class="muted">No findings.</p>`;
  const max = Math.max(...rows.map((row) => row.value));
  const rowHeight = 22;
  const bars = rows
    .map((row, index) => {
      const width = Math.max(2, Math.round((row.value / max) * 420));
      const y = index * rowHeight;
      return `<text x="0" y="${y + 15}" class="label">${escapeHtml(row.label)}</text><rect x="230" y="${y + 3}" width="${width}" height="16" fill="${row.color}"/><text x="${236 + width}" y="${y + 15}">${escapeHtml(row.value)}</text>`;
    })
    .join('');
  return `<h3>${escapeHtml(title)}</h3><svg role="img" aria-label="${escapeHtml(title)}" width="720" height="${rows.length * rowHeight + 6}" xmlns="http://www.w3.org/2000/svg">${bars}</svg>`;
}

/** The first `count` findings of the batch (the rows' pass stops there). */
function firstRows(batch: ReportBatch, count: number): FlaggedFinding[] {
  const rows: FlaggedFinding[] = [];
  if (count === 0) return rows;
  for (const row of batch.flagged.rows()) {
    rows.push(row);
    if (rows.length === count) break;
  }
  return rows;
}

export function renderHtml(summary: Summary, batch?: ReportBatch): string {
  const { counts } = summary;
  const statusNote =
    summary.status === 'rejected'
      ? `<p class="alert">This batch was rejected: ${escapeHtml(summary.error?.message ?? '')}</p>`
      : summary.status === 'incomplete'
        ? `<p class="alert">This report is incomplete: ${escapeHtml((summary.missing ?? []).join(', '))} could not be checked.</p>`
        : '';
  const figures: [string, string][] = [
    ['Lines', String(counts.lines)],
    ['Checked', String(counts.checked)],
    ['Rejected', String(counts.rejected)],
    ['Claims', String(counts.claims)],
    ['Members', String(counts.members)],
    ['62323 lines', String(counts.indexLines)],
    ['Flagged lines', String(counts.flaggedLines)],
    ['Errors', String(counts.findings.error)],
    ['Warnings', String(counts.findings.warning)],
    ['Dollars at risk', formatMoney(summary.dollarsAtRisk)],
  ];
  const ruleRows = (Object.entries(summary.byRule) as [RuleId, RuleSummary][])
    .sort((a, b) => b[1].findings - a[1].findings)
    .map(([ruleId, entry]) => ({
      label: ruleId,
      value: entry.findings,
      color: SEVERITY_COLOR[entry.severity],
    }));
  const severityRows = SEVERITIES.map((severity) => ({
    label: severity,
    value: counts.findings[severity],
    color: SEVERITY_COLOR[severity],
  })).filter((row) => row.value > 0);
  const ruleTable = (Object.entries(summary.byRule) as [RuleId, RuleSummary][])
    .map(
      ([ruleId, entry]) =>
        `<tr><td><code>${ruleId}</code></td><td class="${entry.severity}">${entry.severity}</td><td>${escapeHtml(RULES[ruleId].title)}</td><td class="n">${entry.findings}</td><td class="n">${formatMoney(entry.charge)}</td></tr>`,
    )
    .join('');
  const providerRows = batch
    ? batch.flagged.tally
        .topProviders(TOP_PROVIDERS)
        .map(
          (p) =>
            `<tr><td>${escapeHtml(p.npi)}</td><td class="n">${p.lines}</td><td class="n">${formatMoney(p.cents / 100)}</td></tr>`,
        )
        .join('')
    : '';
  const total = batch?.flagged.tally.count ?? 0;
  const shown = batch ? firstRows(batch, Math.min(total, HTML_FINDINGS_LIMIT)) : [];
  const findingRows = shown
    .map(({ finding: item, echo }) => {
      const { severity } = item;
      return `<tr><td class="n">${item.line}</td><td>${escapeHtml(echo.claimId)}</td><td>${escapeHtml(echo.lineNo)}</td><td>${escapeHtml(echo.dateOfService)}</td><td>${escapeHtml(echo.procedureCode)}</td><td>${escapeHtml(echo.providerNpi)}</td><td>${escapeHtml(echo.payer)}</td><td><code>${item.ruleId}</code></td><td class="${severity}">${severity}</td><td>${escapeHtml(item.message)}</td><td>${escapeHtml(RULES[item.ruleId].fix)}</td><td>${escapeHtml(item.related.join(' '))}</td><td class="n">${escapeHtml(echo.charge)}</td><td>${escapeHtml(echo.rulePack)}</td></tr>`;
    })
    .join('');
  const more =
    total > shown.length
      ? `<p class="muted">Showing the first ${shown.length} of ${total} findings; findings.csv has them all.</p>`
      : '';

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>scrub62323 report ${escapeHtml(summary.batchId)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222}h1{font-size:20px}h2{font-size:17px;margin-top:28px}h3{font-size:15px}
.figures{display:flex;flex-wrap:wrap;gap:12px}.figure{border:1px solid #ddd;border-radius:6px;padding:8px 14px;min-width:110px}
.figure b{display:block;font-size:20px}table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f4f4f4}.n{text-align:right}.error{color:#c0392b}.warning{color:#d68910}.info{color:#2e86c1}.muted{color:#777}
.alert{background:#fdecea;border:1px solid #c0392b;padding:8px 12px}svg text{font-size:12px}
</style></head><body>
<h1>scrub62323 report — batch ${escapeHtml(summary.batchId)}</h1>
<p>Rule set <code>${escapeHtml(summary.ruleSet)}</code> (packs: ${escapeHtml(summary.rulePacks.map((pack) => `${pack.name} v${pack.version}`).join(', '))}), as of ${escapeHtml(summary.asOf)}, source ${escapeHtml(summary.source.name)} (${escapeHtml(summary.source.bytes)} bytes), status <b>${escapeHtml(summary.status)}</b>, generated ${escapeHtml(summary.generatedAt)}.</p>
${statusNote}
<div class="figures">${figures.map(([label, value]) => `<div class="figure">${escapeHtml(label)}<b>${escapeHtml(value)}</b></div>`).join('')}</div>
<h2>Findings by rule and severity</h2>
${barChart('Findings by rule', ruleRows)}
${barChart('Findings by severity', severityRows)}
<table><thead><tr><th>Rule</th><th>Severity</th><th>What is wrong</th><th>Findings</th><th>Charges on flagged lines</th></tr></thead><tbody>${ruleTable}</tbody></table>
<h2>Most-flagged providers</h2>
${providerRows ? `<table><thead><tr><th>Provider NPI</th><th>Flagged lines</th><th>Charges</th></tr></thead><tbody>${providerRows}</tbody></table>` : '<p class="muted">None.</p>'}
<h2>Findings</h2>
${more}
${findingRows ? `<table><thead><tr><th>Line</th><th>Claim</th><th>Line no</th><th>Date of service</th><th>Code</th><th>Provider NPI</th><th>Payer</th><th>Rule</th><th>Severity</th><th>Message</th><th>Fix</th><th>Related lines</th><th>Charge</th><th>Rule pack</th></tr></thead><tbody>${findingRows}</tbody></table>` : '<p class="muted">No findings.</p>'}
${summary.unknownColumns.length > 0 ? `<p class="muted">Columns ignored: ${escapeHtml(summary.unknownColumns.join(', '))}</p>` : ''}
</body></html>
`;
}
