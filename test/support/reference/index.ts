/**
 * The reference checker: rule set 62323/v2 written again, slowly and plainly, from the specification
 * alone (rules.md, packs.md, formats.md). It imports nothing from functions/: it is the oracle the
 * engine is compared against, so the two may only agree by both following the spec.
 */
import { BUILT_IN_PACK, CISTERNOGRAPHY_CODE, INDEX_CODE } from './catalog.js';
import { fitToHeader, headerWidth, readCsvRecords } from './csv-records.js';
import { FindingList, type ReferenceFinding } from './findings.js';
import { memberRules } from './frequency.js';
import { duplicateRule, encounterAndSessionRules } from './group-rules.js';
import { type BatchColumns, batchColumns, missingColumns } from './header.js';
import { readHistory } from './history.js';
import { dataRules, indexLineRules } from './line-rules.js';
import { type Line, toLine } from './lines.js';
import { type Judge, PackSet } from './packs.js';
import { isoDay } from './values.js';

export { V2_RULE_IDS, V2_RULES } from './catalog.js';
export type { ReferenceFinding } from './findings.js';

export interface ReferenceInput {
  /** The whole batch text, UTF-8 (a byte-order mark is dropped). */
  readonly csv: string;
  /** YYYY-MM-DD */
  readonly asOf: string;
  /** Parsed rule-pack JSON objects, assumed valid per packs.md. */
  readonly packs?: readonly unknown[];
  /** The pack for lines whose payer no pack claims; absent → the built-in 62323/v2. */
  readonly defaultPack?: string;
  /** History CSV text (the `check --history` form). */
  readonly history?: string;
  /** This batch's id: history rows with it are left out (a batch never counts twice). */
  readonly batchId?: string;
}

export interface ReferenceResult {
  readonly findings: ReferenceFinding[];
  readonly checked: number;
  readonly rejectedLines: number[];
  readonly packLines: Record<string, number>;
  /** History rows left out for an empty or invalid member id, date or code. */
  readonly ignoredHistoryRows: number;
  /** Set when the whole batch is rejected: its header lacks these required columns, or no record is valid. */
  readonly batchRejected?: BatchRejection;
}

export interface BatchRejection {
  /** EMPTY: no header or no record; MISSING_COLUMNS: the header lacks `columns`; NO_VALID_RECORDS: all rejected. */
  readonly code: 'EMPTY' | 'MISSING_COLUMNS' | 'NO_VALID_RECORDS';
  readonly columns?: readonly string[];
}

interface ReadBatch {
  readonly lines: Line[];
  readonly rejectedLines: number[];
  readonly rejection?: BatchRejection;
}

/** The checked lines and rejected records of a batch text. */
function readBatch(csv: string, judgeFor: (payer: string) => Judge): ReadBatch {
  const [header, ...records] = readCsvRecords(csv);
  if (header === undefined || records.length === 0) {
    return { lines: [], rejectedLines: [], rejection: { code: 'EMPTY' } };
  }
  const columns: BatchColumns = batchColumns(header.fields);
  const missing = missingColumns(columns);
  if (missing.length > 0) {
    return { lines: [], rejectedLines: [], rejection: { code: 'MISSING_COLUMNS', columns: missing } };
  }
  const width = headerWidth(header.fields);
  const lines: Line[] = [];
  const rejectedLines: number[] = [];
  for (const record of records) {
    const fields = record.malformed ? undefined : fitToHeader(record.fields, width);
    if (fields === undefined) rejectedLines.push(record.line);
    else lines.push(toLine(record.line, fields, columns, judgeFor));
  }
  if (lines.length === 0) return { lines, rejectedLines, rejection: { code: 'NO_VALID_RECORDS' } };
  return { lines, rejectedLines };
}

/** Claims (non-empty claim_id) with a 78630 line anywhere in the batch: their index lines are exempt. */
function cisternographyClaims(lines: readonly Line[]): Set<string> {
  const claims = new Set<string>();
  for (const line of lines) {
    if (line.code === CISTERNOGRAPHY_CODE && line.text.claim_id !== '') claims.add(line.text.claim_id);
  }
  return claims;
}

function countByPack(lines: readonly Line[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const line of lines) counts[line.judge.name] = (counts[line.judge.name] ?? 0) + 1;
  return counts;
}

/** Checks a batch as rule set 62323/v2 and the given packs and history say; findings in report order. */
export function referenceCheck(input: ReferenceInput): ReferenceResult {
  const packs = new PackSet(input.packs ?? [], input.defaultPack);
  const history = readHistory(input.history, input.batchId);
  const batch = readBatch(input.csv, (payer) => packs.judgeFor(payer));
  const base = { rejectedLines: batch.rejectedLines, ignoredHistoryRows: history.ignored };
  if (batch.rejection !== undefined) {
    return { ...base, findings: [], checked: 0, packLines: {}, batchRejected: batch.rejection };
  }
  const { lines } = batch;
  const asOf = isoDay(input.asOf);
  const out = new FindingList();
  const cisternography = cisternographyClaims(lines);
  for (const line of lines) {
    dataRules(line, asOf, out);
    if (line.code === INDEX_CODE) indexLineRules(line, cisternography.has(line.text.claim_id), out);
  }
  duplicateRule(lines, out);
  encounterAndSessionRules(lines, out);
  memberRules(lines, history, out);
  return { ...base, findings: out.sorted(), checked: lines.length, packLines: countByPack(lines) };
}

/** The name the built-in rule set judges under. */
export const REFERENCE_BUILT_IN_PACK = BUILT_IN_PACK;
