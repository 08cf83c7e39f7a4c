/**
 * Runs a batch through `scrubBatch` and reads the report back the way a user would: findings.csv and
 * rejected.csv parsed as CSV, summary.json parsed as JSON. Every run checks the accounting that
 * formats.md promises on every report, so each test in the suite also tests the accounting.
 */
import { parse } from 'csv-parse/sync';
import { expect } from 'vitest';
import type { HistorySource } from '../../functions/core/engine/accumulator.js';
import { loadRuleBooks, type PackText } from '../../functions/core/rules/packs/load.js';
import { type ScrubResult, scrubBatch } from '../../functions/core/scrub.js';
import { AS_OF, FINDINGS_COLUMNS, REJECTED_COLUMNS, SPEC_RULES, type SpecRuleId } from './spec.js';

export const FIXED_NOW = new Date('2026-11-28T03:12:09.456Z');

export interface FindingRow {
  readonly line: number;
  readonly claim_id: string;
  readonly line_no: string;
  readonly member_id: string;
  readonly date_of_service: string;
  readonly procedure_code: string;
  readonly rule_id: string;
  readonly severity: string;
  readonly message: string;
  readonly related_lines: string;
  readonly charge: string;
  readonly provider_npi: string;
  readonly payer: string;
  readonly rule_pack: string;
  readonly fix: string;
  readonly source: string;
}

export interface RejectedRow {
  readonly line: number;
  readonly end_line: number;
  readonly reason: string;
  readonly raw: string;
}

/** summary.json as parsed JSON (the shape formats.md documents). */
export interface SummaryJson {
  batchId: string;
  ruleSet: string;
  rulePacks: { name: string; version: string; sha256: string; lines: number }[];
  asOf: string;
  status: 'complete' | 'rejected' | 'incomplete';
  error?: { code: string; message: string };
  missing?: string[];
  source: { name: string; bytes: number; sha256: string; encoding: string };
  counts: {
    lines: number;
    checked: number;
    rejected: number;
    claims: number;
    members: number;
    indexLines: number;
    flaggedLines: number;
    claimsWithErrors: number;
    cleanClaimRate: number;
    findings: { error: number; warning: number; info: number };
  };
  byRule: Record<
    string,
    { severity: string; findings: number; charge: number; severities?: Record<string, number> }
  >;
  dollarsAtRisk: number;
  unknownColumns: string[];
  generatedAt: string;
}

export interface Run {
  readonly result: ScrubResult;
  readonly summary: SummaryJson;
  readonly rows: FindingRow[];
  readonly rejected: RejectedRow[];
}

export interface RunOptions {
  readonly asOf?: string;
  readonly recordsPerChunk?: number;
  readonly maxRecordBytes?: number;
  readonly history?: HistorySource;
  /** Rule packs as their files are written; `defaultPack` names the one for unclaimed payers. */
  readonly packs?: readonly PackText[];
  readonly defaultPack?: string;
  readonly batchId?: string;
  readonly sourceName?: string;
  /** Feed the source in pieces of this many bytes (default: one piece). */
  readonly pieceBytes?: number;
}

/** An upload as an async byte stream, optionally cut into small pieces. */
export async function* source(data: string | Uint8Array, pieceBytes?: number): AsyncGenerator<Uint8Array> {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const size = pieceBytes ?? Math.max(1, bytes.length);
  for (let start = 0; start < bytes.length; start += size) yield bytes.subarray(start, start + size);
}

/** Parses a CSV report file into objects, checking its header is exactly `columns`. */
export function parseReportCsv(text: string, columns: readonly string[]): Record<string, string>[] {
  const rows = parse(text, { relax_column_count: false }) as string[][];
  expect(rows[0], 'report header').toEqual(columns);
  return rows
    .slice(1)
    .map((cells) => Object.fromEntries(columns.map((column, index) => [column, cells[index] ?? ''])));
}

export const findingRows = (text: string): FindingRow[] =>
  parseReportCsv(text, FINDINGS_COLUMNS).map(
    (row) => ({ ...row, line: Number(row.line) }) as unknown as FindingRow,
  );

export const rejectedRows = (text: string): RejectedRow[] =>
  parseReportCsv(text, REJECTED_COLUMNS).map(
    (row) => ({ ...row, line: Number(row.line), end_line: Number(row.end_line) }) as unknown as RejectedRow,
  );

const cents = (amount: string): number => (amount === '' ? 0 : Math.round(Number(amount) * 100));

/** What formats.md promises of every report, checked from the files alone. */
export function expectAccounting(run: Run): void {
  const { summary, rows, rejected } = run;
  const { counts } = summary;
  expect(counts.lines, 'lines = checked + rejected').toBe(counts.checked + counts.rejected);
  expect(rejected.length, 'rejected.csv rows = counts.rejected').toBe(counts.rejected);
  expect(new Set(rows.map((row) => row.line)).size, 'flaggedLines = distinct lines with findings').toBe(
    counts.flaggedLines,
  );

  const bySeverity = { error: 0, warning: 0, info: 0 };
  const byRule = new Map<string, number>();
  const wrongSeverity: string[] = [];
  // Without packs every finding has the severity of rules.md; a pack may give another.
  const builtInOnly = summary.rulePacks.every((pack) => pack.name === summary.ruleSet);
  for (const row of rows) {
    if (builtInOnly && row.severity !== SPEC_RULES[row.rule_id as SpecRuleId])
      wrongSeverity.push(`${row.rule_id} ${row.severity}`);
    bySeverity[row.severity as keyof typeof bySeverity] += 1;
    byRule.set(row.rule_id, (byRule.get(row.rule_id) ?? 0) + 1);
  }
  expect(wrongSeverity, 'every finding has the severity of rules.md').toEqual([]);
  expect(counts.findings, 'counts.findings = findings.csv rows by severity').toEqual(bySeverity);
  const summed = { error: 0, warning: 0, info: 0 };
  for (const [ruleId, entry] of Object.entries(summary.byRule)) {
    if (builtInOnly)
      expect(entry.severity, `byRule.${ruleId}.severity`).toBe(SPEC_RULES[ruleId as SpecRuleId]);
    expect(entry.findings, `byRule.${ruleId}.findings`).toBe(byRule.get(ruleId));
    const split = entry.severities ?? { [entry.severity]: entry.findings };
    for (const [severity, findings] of Object.entries(split))
      summed[severity as keyof typeof summed] += findings;
  }
  const judged = summary.rulePacks.reduce((sum, pack) => sum + pack.lines, 0);
  expect(judged, 'rulePacks lines add up to the checked lines').toBe(
    summary.status === 'rejected' ? 0 : counts.checked,
  );
  expect(Object.keys(summary.byRule).sort(), 'byRule lists exactly the rules that fired').toEqual(
    [...byRule.keys()].sort(),
  );
  expect(summed, 'byRule findings add up to counts.findings').toEqual(counts.findings);

  const chargeOfLine = new Map<number, number>();
  const errorLines = new Set<number>();
  for (const row of rows) {
    chargeOfLine.set(row.line, cents(row.charge));
    if (row.severity === 'error') errorLines.add(row.line);
  }
  let atRisk = 0;
  for (const line of errorLines) atRisk += chargeOfLine.get(line) ?? 0;
  expect(Math.round(summary.dollarsAtRisk * 100), 'dollarsAtRisk = charges of lines with an error').toBe(
    atRisk,
  );

  const unsorted = rows.findIndex((row, index) => {
    const next = rows[index + 1];
    return (
      next !== undefined && (next.line < row.line || (next.line === row.line && next.rule_id < row.rule_id))
    );
  });
  expect(unsorted, 'findings.csv sorted by line, then rule_id (first row out of order)').toBe(-1);

  if (summary.status === 'rejected') {
    expect(rows, 'a rejected batch has no findings').toEqual([]);
    // A batch with no valid record still counts (and lists) the records it rejected.
    const rejected = summary.error?.code === 'NO_VALID_RECORDS' ? counts.rejected : 0;
    if (summary.error?.code === 'NO_VALID_RECORDS') expect(rejected).toBeGreaterThan(0);
    expect(counts).toEqual({
      lines: rejected,
      checked: 0,
      rejected,
      claims: 0,
      members: 0,
      indexLines: 0,
      flaggedLines: 0,
      claimsWithErrors: 0,
      cleanClaimRate: 1,
      findings: { error: 0, warning: 0, info: 0 },
    });
  }
  const batch = run.result.batch;
  if (batch) {
    expect(batch.findings.length, 'findings.csv has one row per finding').toBe(rows.length);
    expect(batch.checked).toBe(counts.checked);
  }
}

/** Scrubs a batch (CSV text or bytes) and returns the parsed report; checks the accounting. */
export async function scrub(data: string | Uint8Array, options: RunOptions = {}): Promise<Run> {
  const result = await scrubBatch(
    source(data, options.pieceBytes),
    {
      batchId: options.batchId ?? 'test-batch',
      sourceName: options.sourceName ?? 'batch.csv',
      asOf: options.asOf ?? AS_OF,
      now: () => FIXED_NOW,
      ...(options.packs || options.defaultPack
        ? { books: loadRuleBooks({ packs: options.packs ?? [], defaultPack: options.defaultPack }) }
        : {}),
      ...(options.recordsPerChunk === undefined ? {} : { recordsPerChunk: options.recordsPerChunk }),
      ...(options.maxRecordBytes === undefined ? {} : { maxRecordBytes: options.maxRecordBytes }),
    },
    options.history ? { history: options.history } : {},
  );
  const run: Run = {
    result,
    summary: JSON.parse(result.files['summary.json']) as SummaryJson,
    rows: findingRows(result.files['findings.csv']),
    rejected: rejectedRows(result.files['rejected.csv']),
  };
  expectAccounting(run);
  return run;
}

/** The findings.csv rows of one rule. */
export const rowsOf = (run: Run, ruleId: SpecRuleId): FindingRow[] =>
  run.rows.filter((row) => row.rule_id === ruleId);

/** Rule ids found on a line, sorted. */
export const rulesOn = (run: Run, line: number): string[] =>
  run.rows
    .filter((row) => row.line === line)
    .map((row) => row.rule_id)
    .sort();

/** All rule ids that fired, distinct, sorted. */
export const firedRules = (run: Run): string[] => [...new Set(run.rows.map((row) => row.rule_id))].sort();

/**
 * Asserts that `ruleId` fired on `line` exactly once, with these related lines, with the spec's
 * severity — both in findings.csv and in the merged batch.
 */
export function expectFinding(
  run: Run,
  ruleId: SpecRuleId,
  line: number,
  related: readonly number[] = [],
): FindingRow {
  const rows = run.rows.filter((row) => row.rule_id === ruleId && row.line === line);
  expect(rows, `${ruleId} on line ${line}`).toHaveLength(1);
  const row = rows[0]!;
  expect(row.severity, `${ruleId} severity`).toBe(SPEC_RULES[ruleId]);
  expect(row.related_lines, `${ruleId} related lines on line ${line}`).toBe(related.join(' '));
  const merged =
    run.result.batch?.findings.filter((item) => item.ruleId === ruleId && item.line === line) ?? [];
  expect(merged.map((item) => [...item.related])).toEqual([[...related]]);
  return row;
}

/** Asserts that `ruleId` fired exactly on these lines (and nowhere else). */
export function expectRuleLines(run: Run, ruleId: SpecRuleId, lines: readonly number[]): void {
  expect(
    rowsOf(run, ruleId).map((row) => row.line),
    `${ruleId} fires on`,
  ).toEqual([...lines]);
}

/** Asserts that `ruleId` did not fire at all. */
export function expectNoRule(run: Run, ruleId: SpecRuleId): void {
  expectRuleLines(run, ruleId, []);
}
