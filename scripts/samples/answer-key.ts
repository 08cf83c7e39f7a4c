/**
 * The answer key of the nightly batch, computed from what was planted (never by running the engine),
 * and the self-check that keeps every planted scenario meaningful.
 */
import { RULE_IDS, RULES, type RuleId } from '../../functions/core/rules/catalog.js';
import { isValidNpi } from '../../test/support/npi.js';
import type { Placed } from './csv-files.js';

// Rule ids and severities come from the engine's catalog (one place for rule data).
export const severityOf = (rule: RuleId): 'error' | 'warning' | 'info' => RULES[rule].severity;

export interface Finding {
  readonly line: number;
  readonly rule_id: RuleId;
}

export const byLineThenRule = (a: Finding, b: Finding): number =>
  a.line - b.line || (a.rule_id < b.rule_id ? -1 : a.rule_id > b.rule_id ? 1 : 0);

export function expectedFindings(placed: readonly Placed[]): Finding[] {
  const findings: Finding[] = [];
  for (const { line, entry } of placed) {
    if (entry.kind !== 'line') continue;
    for (const rule_id of entry.expect) findings.push({ line, rule_id });
  }
  return findings.sort(byLineThenRule);
}

/** Guards against a planted scenario quietly losing its point when the script is edited. */
export function selfCheck(placed: readonly Placed[], findings: readonly Finding[]): void {
  const fired = new Set(findings.map((finding) => finding.rule_id));
  const missing = RULE_IDS.filter((rule) => !fired.has(rule));
  if (missing.length > 0) throw new Error(`rules not planted: ${missing.join(', ')}`);
  const priorAuthMissing = placed.filter(
    ({ entry }) =>
      entry.kind === 'line' && entry.fields.procedure_code === '62323' && entry.fields.prior_auth === '',
  );
  if (priorAuthMissing.length !== 2) throw new Error('expected exactly two 62323 lines without prior auth');
  for (const { entry } of placed) {
    if (entry.kind !== 'line' || entry.scenario !== undefined) continue;
    const { rendering_npi, billing_npi } = entry.fields;
    if (!isValidNpi(rendering_npi) || !isValidNpi(billing_npi))
      throw new Error('background line with a bad NPI');
  }
}

/** Pretty JSON with each small object and list of strings on one line, so the answer key diffs well. */
export function compactJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)
    .replace(
      /\[\n\s+("[^"\n]*"(?:,\n\s+"[^"\n]*")*)\n\s+\]/g,
      (_match, items: string) => `[${items.split(/,\n\s+/).join(', ')}]`,
    )
    .replace(
      /\{\n\s+([^{}[\]]*?)\n\s+\}/g,
      (_match, body: string) => `{ ${body.split(/,\n\s+/).join(', ')} }`,
    )}\n`;
}
