/** The one-screen summary a command prints after a batch. */

import { formatCount, formatMoney, formatPercent } from '../core/report/format.js';
import type { Summary } from '../core/report/summary.js';
import { RULES, type RuleId } from '../core/rules/catalog.js';

export function summaryText(summary: Summary, folder: string): string {
  const lines: string[] = [];
  lines.push(`scrub62323 ${summary.ruleSet} — batch ${summary.batchId} (as of ${summary.asOf})`);
  if (summary.status === 'rejected') {
    lines.push(`REJECTED: ${summary.error?.message ?? 'the batch could not be read'}`);
    lines.push(`Report: ${folder}`);
    return `${lines.join('\n')}\n`;
  }
  const { counts } = summary;
  if (summary.status === 'incomplete')
    lines.push(`INCOMPLETE: not checked: ${(summary.missing ?? []).join(', ')}`);
  lines.push(
    `Lines ${counts.lines}: ${counts.checked} checked, ${counts.rejected} rejected · ${counts.claims} claims · ${counts.members} members · ${counts.indexLines} lines of 62323`,
  );
  lines.push(
    `Claims with errors ${formatCount(counts.claimsWithErrors)} of ${formatCount(counts.claims)} (clean-claim rate ${formatPercent(counts.cleanClaimRate)})`,
  );
  lines.push(
    `Flagged lines ${counts.flaggedLines} · errors ${counts.findings.error} · warnings ${counts.findings.warning} · dollars at risk ${formatMoney(summary.dollarsAtRisk)}`,
  );
  // Only worth a line when a pack other than the built-in rule set took part.
  if (summary.rulePacks.some((pack) => pack.name !== summary.ruleSet))
    lines.push(
      `Rule packs: ${summary.rulePacks.map((pack) => `${pack.name} v${pack.version} (${formatCount(pack.lines)} lines)`).join(', ')}`,
    );
  const rules = (
    Object.entries(summary.byRule) as [RuleId, { severity: string; findings: number; charge: number }][]
  ).sort((a, b) => b[1].findings - a[1].findings || (a[0] < b[0] ? -1 : 1));
  if (rules.length > 0) {
    lines.push('');
    for (const [ruleId, entry] of rules.slice(0, 12)) {
      lines.push(
        `  ${ruleId.padEnd(26)} ${entry.severity.padEnd(8)} ${String(entry.findings).padStart(7)}  ${RULES[ruleId].title}`,
      );
    }
    if (rules.length > 12) lines.push(`  … and ${rules.length - 12} more rules (see summary.json)`);
  }
  if (summary.unknownColumns.length > 0)
    lines.push('', `Ignored columns: ${summary.unknownColumns.join(', ')}`);
  lines.push('', `Report: ${folder}`);
  return `${lines.join('\n')}\n`;
}
