/**
 * The answer key of the nightly batch, computed by the independent reference checker
 * (test/support/reference, never the engine), and the self-check that holds it to what was planted:
 * a planted scenario that quietly loses its point, or an oracle that reads the spec otherwise than
 * the scenario, stops the generator with the line and rule named.
 */
import { RULE_IDS } from '../../functions/core/rules/catalog.js';
import { isValidNpi } from '../../test/support/npi.js';
import {
  type ReferenceFinding,
  type ReferenceResult,
  referenceCheck,
  V2_RULE_IDS,
  V2_RULES,
} from '../../test/support/reference/index.js';
import type { Placed } from './csv-files.js';
import type { DataLine, RuleId, Severity } from './model.js';
import { packOf, SAMPLE_PACKS } from './packs.js';

export const BATCH_ID = 'nightly-batch';

export interface Finding {
  readonly line: number;
  readonly rule_id: string;
  readonly severity: Severity;
  readonly rule_pack: string;
}

export interface LineRule {
  readonly line: number;
  readonly rule_id: string;
}

/** What a pack changes on a line: the finding with the packs and without them (undefined: none). */
export interface PackEffect {
  readonly line: number;
  readonly rule_id: string;
  readonly pack: string;
  readonly withPacks: Severity | undefined;
  readonly withoutPacks: Severity | undefined;
}

export const byLineThenRule = (a: LineRule, b: LineRule): number =>
  a.line - b.line || (a.rule_id < b.rule_id ? -1 : a.rule_id > b.rule_id ? 1 : 0);

export const defaultSeverity = (rule: string): Severity => V2_RULES[rule as RuleId];

/** The reference checker's three readings of the batch: with everything, without history, without packs. */
export interface ReferenceRuns {
  readonly full: ReferenceResult;
  readonly noHistory: ReferenceResult;
  readonly noPacks: ReferenceResult;
}

export function runReference(
  csv: string,
  asOf: string,
  packs: readonly unknown[],
  history: string,
): ReferenceRuns {
  return {
    full: referenceCheck({ csv, asOf, packs, history, batchId: BATCH_ID }),
    noHistory: referenceCheck({ csv, asOf, packs, batchId: BATCH_ID }),
    noPacks: referenceCheck({ csv, asOf, history, batchId: BATCH_ID }),
  };
}

export const keyFindings = (result: ReferenceResult): Finding[] =>
  result.findings.map(({ line, rule_id, severity, rule_pack }) => ({ line, rule_id, severity, rule_pack }));

const pairKey = (finding: LineRule): string => `${finding.line} ${finding.rule_id}`;

/** `a` less `b`, as multisets of (line, rule) (MISSING_FIELD may repeat on a line). */
function minus(a: readonly ReferenceFinding[], b: readonly ReferenceFinding[]): ReferenceFinding[] {
  const left = new Map<string, number>();
  for (const finding of b) left.set(pairKey(finding), (left.get(pairKey(finding)) ?? 0) + 1);
  return a.filter((finding) => {
    const count = left.get(pairKey(finding)) ?? 0;
    if (count === 0) return true;
    left.set(pairKey(finding), count - 1);
    return false;
  });
}

/** The findings that need prior-history.csv: there with it, gone without it. */
export function historyOnly(runs: ReferenceRuns): LineRule[] {
  const lost = minus(runs.noHistory.findings, runs.full.findings);
  if (lost.length > 0) {
    throw new Error(`history removed findings: ${lost.map(pairKey).join(', ')}`);
  }
  return minus(runs.full.findings, runs.noHistory.findings)
    .map(({ line, rule_id }) => ({ line, rule_id }))
    .sort(byLineThenRule);
}

/** Every finding whose presence or severity depends on the packs, with the pack that judged its line. */
export function packEffects(runs: ReferenceRuns, placed: readonly Placed[]): PackEffect[] {
  const payerOf = new Map<number, string>();
  for (const { line, entry } of placed) if (entry.kind === 'line') payerOf.set(line, entry.fields.payer);
  const severities = (result: ReferenceResult): Map<string, Severity> =>
    new Map(result.findings.map((finding) => [pairKey(finding), finding.severity]));
  const withPacks = severities(runs.full);
  const withoutPacks = severities(runs.noPacks);
  const keys = [...new Set([...withPacks.keys(), ...withoutPacks.keys()])];
  const effects: PackEffect[] = [];
  for (const key of keys) {
    if (withPacks.get(key) === withoutPacks.get(key)) continue;
    const [line, rule_id] = key.split(' ') as [string, string];
    const pack = packOf(payerOf.get(Number(line)) ?? '');
    effects.push({
      line: Number(line),
      rule_id,
      pack,
      withPacks: withPacks.get(key),
      withoutPacks: withoutPacks.get(key),
    });
  }
  return effects.sort(byLineThenRule);
}

const sortedRules = (rules: readonly string[]): string => [...rules].sort().join(' ') || '(none)';

/** The disagreements between one planted line and the reference's findings on it. */
function lineProblems(line: number, entry: DataLine, found: readonly ReferenceFinding[]): string[] {
  const problems: string[] = [];
  const rules = found.map((finding) => finding.rule_id);
  const { procedure_code, date_of_service } = entry.fields;
  const where = `line ${line} (${procedure_code} on ${date_of_service}, ${entry.note || 'background'})`;
  if (sortedRules(rules) !== sortedRules(entry.expect)) {
    problems.push(`${where}: planted ${sortedRules(entry.expect)}, reference gives ${sortedRules(rules)}`);
  }
  for (const rule of entry.mustNot) {
    if (rules.includes(rule)) problems.push(`${where}: near miss ${rule} fires (${entry.why})`);
  }
  const pack = packOf(entry.fields.payer);
  for (const finding of found) {
    const severity = entry.severities[finding.rule_id as RuleId] ?? defaultSeverity(finding.rule_id);
    if (finding.severity !== severity) {
      problems.push(`${where}: ${finding.rule_id} is ${finding.severity}, planted ${severity}`);
    }
    if (finding.rule_pack !== pack) {
      problems.push(`${where}: ${finding.rule_id} judged by ${finding.rule_pack}, payer means ${pack}`);
    }
  }
  return problems;
}

function fail(what: string, problems: readonly string[]): void {
  if (problems.length > 0) throw new Error(`${what}:\n  ${problems.join('\n  ')}`);
}

/** Guards against a planted scenario quietly losing its point when the script or the oracle changes. */
export function selfCheck(
  placed: readonly Placed[],
  runs: ReferenceRuns,
  withHistoryOnly: readonly LineRule[],
): void {
  const { full } = runs;
  const fired = new Set(full.findings.map((finding) => finding.rule_id));
  fail(
    'rules not planted',
    V2_RULE_IDS.filter((rule) => !fired.has(rule)),
  );
  const engineIds = [...RULE_IDS].sort().join(' ');
  if (engineIds !== [...V2_RULE_IDS].sort().join(' ')) {
    throw new Error('the engine catalog and the reference checker list different rule ids');
  }

  const byLine = new Map<number, ReferenceFinding[]>();
  for (const finding of full.findings)
    byLine.set(finding.line, [...(byLine.get(finding.line) ?? []), finding]);
  const problems: string[] = [];
  const needs: LineRule[] = [];
  const rawLines: number[] = [];
  for (const { line, entry } of placed) {
    if (entry.kind === 'raw') rawLines.push(line);
    if (entry.kind !== 'line') continue;
    problems.push(...lineProblems(line, entry, byLine.get(line) ?? []));
    for (const rule_id of entry.needsHistory) needs.push({ line, rule_id });
    const { rendering_npi, billing_npi } = entry.fields;
    if (entry.scenario === undefined && !(isValidNpi(rendering_npi) && isValidNpi(billing_npi))) {
      problems.push(`line ${line}: background line with a bad NPI`);
    }
  }
  if (full.rejectedLines.join(' ') !== rawLines.join(' ')) {
    problems.push(`rejected lines: planted ${rawLines.join(' ')}, reference ${full.rejectedLines.join(' ')}`);
  }
  const planted = needs.sort(byLineThenRule).map(pairKey).join(', ');
  const computed = withHistoryOnly.map(pairKey).join(', ');
  if (planted !== computed) problems.push(`history-only findings: planted ${planted}; reference ${computed}`);
  fail('the reference checker disagrees with the planted scenarios', problems);
}

/** Each pack must change something in the batch, or the sample does not show it at work. */
export function checkPackEffects(effects: readonly PackEffect[], result: ReferenceResult): void {
  const problems: string[] = [];
  for (const { pack } of SAMPLE_PACKS) {
    if (!effects.some((effect) => effect.pack === pack.name))
      problems.push(`${pack.name} changes no finding`);
    if ((result.packLines[pack.name] ?? 0) === 0) problems.push(`${pack.name} judges no line`);
  }
  for (const effect of effects) {
    if (effect.pack === '62323/v2')
      problems.push(`line ${effect.line}: ${effect.rule_id} changes without a pack`);
  }
  fail('pack effects', problems);
}

/** The clean batch: no finding and no rejected record, with or without the packs and the history. */
export function checkClean(csv: string, asOf: string, packs: readonly unknown[], history: string): void {
  const readings = {
    'packs and history': referenceCheck({ csv, asOf, packs, history, batchId: BATCH_ID }),
    packs: referenceCheck({ csv, asOf, packs }),
    'built-in rule set only': referenceCheck({ csv, asOf }),
  };
  const problems = Object.entries(readings).flatMap(([label, result]) => [
    ...result.findings.map((finding) => `${label}: line ${finding.line} ${finding.rule_id}`),
    ...result.rejectedLines.map((line) => `${label}: line ${line} rejected`),
  ]);
  fail('clean-batch.csv is not clean', problems);
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
