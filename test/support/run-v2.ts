/**
 * Runs a batch through `scrubBatch` with rule packs, history, chunking and a spill, and reads the
 * report back from its files: every findings.csv column, summary.json with `rulePacks`. Unlike
 * run.ts it does not hold severities to rules.md (a pack may change them); it checks the accounting
 * that holds whatever the packs say.
 */
import { expect } from 'vitest';
import { memorySpill } from '../../functions/core/engine/partitioned-merge.js';
import { inMemoryHistory, parseHistoryCsv } from '../../functions/core/history.js';
import type { RuleBooks } from '../../functions/core/rules/books.js';
import { loadRuleBooks } from '../../functions/core/rules/packs/load.js';
import { type ScrubResult, scrubBatch } from '../../functions/core/scrub.js';
import type { ReferenceFinding } from './reference/index.js';
import { FIXED_NOW, parseReportCsv, source } from './run.js';
import { AS_OF, FINDINGS_COLUMNS } from './spec.js';

export type V2Row = Readonly<Record<(typeof FINDINGS_COLUMNS)[number], string>>;

export interface V2Summary {
  readonly status: string;
  readonly rulePacks: readonly { name: string; version: string; sha256: string; lines: number }[];
  readonly counts: {
    readonly lines: number;
    readonly checked: number;
    readonly rejected: number;
    readonly claims: number;
    readonly flaggedLines: number;
    readonly claimsWithErrors: number;
    readonly cleanClaimRate: number;
    readonly findings: Readonly<Record<string, number>>;
  };
  readonly dollarsAtRisk: number;
  readonly byRule: Readonly<
    Record<string, { severity: string; findings: number; severities?: Readonly<Record<string, number>> }>
  >;
}

export interface V2Run {
  readonly result: ScrubResult;
  readonly summary: V2Summary;
  readonly rows: readonly V2Row[];
}

export interface V2Options {
  readonly asOf?: string;
  /** Pack JSON objects (written as files named pack-<n>.json). */
  readonly packs?: readonly unknown[];
  readonly defaultPack?: string;
  /** History CSV text (the `check --history` form). */
  readonly history?: string;
  readonly batchId?: string;
  readonly recordsPerChunk?: number;
  /** Spill the merge tables into this many partitions (in memory). */
  readonly partitions?: number;
}

export const V2_BATCH_ID = 'test-batch';

/** The rule books of pack JSON objects, as `check --rules` loads them. */
export const booksOf = (packs: readonly unknown[], defaultPack?: string): RuleBooks =>
  loadRuleBooks({
    packs: packs.map((pack, index) => ({ origin: `pack-${index + 1}.json`, text: JSON.stringify(pack) })),
    ...(defaultPack === undefined ? {} : { defaultPack }),
  });

/** Scrubs `csv` and returns the parsed report; checks the accounting on the way. */
export async function scrubV2(csv: string, options: V2Options = {}): Promise<V2Run> {
  const batchId = options.batchId ?? V2_BATCH_ID;
  const history =
    options.history === undefined
      ? undefined
      : inMemoryHistory(parseHistoryCsv(options.history).sessions, batchId);
  const result = await scrubBatch(
    source(csv),
    {
      batchId,
      sourceName: 'batch.csv',
      asOf: options.asOf ?? AS_OF,
      now: () => FIXED_NOW,
      books: booksOf(options.packs ?? [], options.defaultPack),
      ...(options.recordsPerChunk === undefined ? {} : { recordsPerChunk: options.recordsPerChunk }),
    },
    {
      ...(history === undefined ? {} : { history }),
      ...(options.partitions === undefined ? {} : { spill: memorySpill(options.partitions) }),
    },
  );
  const run: V2Run = {
    result,
    summary: JSON.parse(result.files['summary.json']) as V2Summary,
    rows: parseReportCsv(result.files['findings.csv'], FINDINGS_COLUMNS) as unknown as V2Row[],
  };
  expectV2Accounting(run);
  return run;
}

/** formats.md's accounting that holds with any packs: counts by severity, byRule, pack lines. */
function expectV2Accounting({ summary, rows }: V2Run): void {
  const bySeverity: Record<string, number> = { error: 0, warning: 0, info: 0 };
  const byRule = new Map<string, number>();
  for (const row of rows) {
    bySeverity[row.severity] = (bySeverity[row.severity] ?? 0) + 1;
    byRule.set(row.rule_id, (byRule.get(row.rule_id) ?? 0) + 1);
  }
  expect(summary.counts.findings, 'counts.findings = findings.csv rows by severity').toEqual(bySeverity);
  const ruleCounts = Object.fromEntries(
    Object.entries(summary.byRule).map(([id, entry]) => [id, entry.findings]),
  );
  expect(ruleCounts, 'byRule counts = findings.csv rows by rule').toEqual(Object.fromEntries(byRule));
  expect(new Set(rows.map((row) => row.line)).size, 'flaggedLines').toBe(summary.counts.flaggedLines);
  const errorClaims = new Set(
    rows.filter((row) => row.severity === 'error' && row.claim_id !== '').map((row) => row.claim_id),
  );
  expect(summary.counts.claimsWithErrors, 'claimsWithErrors = claims with an error finding').toBe(
    errorClaims.size,
  );
  const { claims } = summary.counts;
  expect(summary.counts.cleanClaimRate, 'cleanClaimRate = 1 − claimsWithErrors / claims').toBeCloseTo(
    claims === 0 ? 1 : 1 - errorClaims.size / claims,
    12,
  );
  const errorCharges = new Map<string, number>();
  for (const row of rows)
    if (row.severity === 'error') errorCharges.set(row.line, Math.round(Number(row.charge || '0') * 100));
  const atRisk = [...errorCharges.values()].reduce((sum, cents) => sum + cents, 0);
  expect(Math.round(summary.dollarsAtRisk * 100), 'dollarsAtRisk = charges of lines with an error').toBe(
    atRisk,
  );
  const outOfOrder = rows.findIndex((row, index) => index > 0 && !inReportOrder(rows[index - 1]!, row));
  expect(outOfOrder, 'findings.csv sorted by line, then rule_id (first row out of order)').toBe(-1);
  if (summary.status !== 'rejected') {
    const packLines = summary.rulePacks.reduce((sum, pack) => sum + pack.lines, 0);
    expect(packLines, 'rulePacks lines add up to checked').toBe(summary.counts.checked);
  }
}

const inReportOrder = (a: V2Row, b: V2Row): boolean =>
  Number(a.line) < Number(b.line) || (a.line === b.line && a.rule_id <= b.rule_id);

/** A finding as the engine and the reference checker are compared: everything but the message. */
export interface ComparableFinding {
  readonly line: number;
  readonly rule_id: string;
  readonly severity: string;
  readonly related: string;
  readonly rule_pack: string;
  readonly provider_npi: string;
  readonly payer: string;
}

export const comparableRow = (row: V2Row): ComparableFinding => ({
  line: Number(row.line),
  rule_id: row.rule_id,
  severity: row.severity,
  related: row.related_lines,
  rule_pack: row.rule_pack,
  provider_npi: row.provider_npi,
  payer: row.payer,
});

export const comparableReference = (finding: ReferenceFinding): ComparableFinding => ({
  line: finding.line,
  rule_id: finding.rule_id,
  severity: finding.severity,
  related: finding.related.join(' '),
  rule_pack: finding.rule_pack,
  provider_npi: finding.provider_npi,
  payer: finding.payer,
});

/** One finding as text, for diffs a person can read. */
export const findingText = (finding: ComparableFinding): string =>
  `${finding.line} ${finding.rule_id} ${finding.severity} [${finding.related}] ${finding.rule_pack} ${finding.provider_npi} "${finding.payer}"`;

/** The findings.csv rows of `ruleId`. */
export const rowsOfRule = (run: V2Run, ruleId: string): V2Row[] =>
  run.rows.filter((row) => row.rule_id === ruleId);

/** The lines `ruleId` fired on, in report order. */
export const linesOfRule = (run: V2Run, ruleId: string): number[] =>
  rowsOfRule(run, ruleId).map((row) => Number(row.line));

/** The one row of `ruleId` on `line` (fails unless there is exactly one). */
export function rowOf(run: V2Run, ruleId: string, line: number): V2Row {
  const found = rowsOfRule(run, ruleId).filter((row) => Number(row.line) === line);
  expect(found, `${ruleId} on line ${line}`).toHaveLength(1);
  return found[0]!;
}

/** Rule ids on a line, sorted. */
export const rulesOnLine = (run: V2Run, line: number): string[] =>
  run.rows
    .filter((row) => Number(row.line) === line)
    .map((row) => row.rule_id)
    .sort();
