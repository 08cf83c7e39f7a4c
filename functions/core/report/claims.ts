/**
 * The claims of a report's worklist: one entry per claim with at least one finding, with what an
 * auditor sorts and filters by. report.html's worklist and findings.xlsx's Claims sheet both read it.
 */
import type { FlaggedFinding, ReportBatch } from '../engine/batch-findings.js';
import type { LineEcho } from '../engine/claim-line.js';
import { parseCents } from '../engine/values.js';
import { Int32Pages } from '../memory/int-pages.js';
import { StringTable } from '../memory/string-table.js';
import { RULE_IDS, type RuleId, type Severity } from '../rules/catalog.js';

export interface ClaimFindings {
  /** The claim id as written; empty for a line without one (each such line is a claim of its own). */
  readonly claimId: string;
  /** The lowest line of the claim that has a finding: ties in the ranking go to the claim flagged first. */
  readonly firstLine: number;
  /** Of the first flagged line. */
  readonly memberId: string;
  /** The earliest date of service among the claim's flagged lines (as normalised, YYYY-MM-DD when valid). */
  readonly dateOfService: string;
  /** Encounter NPI and payer of the first flagged line. */
  readonly providerNpi: string;
  readonly payer: string;
  readonly findings: Readonly<Record<Severity, number>>;
  /** Charges of the claim's lines with at least one error finding, in cents (its dollars at risk). */
  readonly errorCents: number;
  /** The rules that fired on the claim, in catalog order. */
  readonly ruleIds: readonly RuleId[];
  /** How many of the claim's lines have a finding. */
  readonly flaggedLines: number;
}

/** The claims of a batch in ranking order; each entry is read from the table as it is met. */
export interface ClaimList extends Iterable<ClaimFindings> {
  readonly length: number;
}

const RULE_ORDER = new Map(RULE_IDS.map((ruleId, index) => [ruleId, index]));
if (RULE_IDS.length > 64) throw new Error('claims.ts keeps rule ids in 64 bits');

/** Claims without an id are not one claim: each of their lines stands alone. */
export const claimKey = (claimId: string, line: number): string =>
  claimId === '' ? `\u0000${line}` : claimId;

/** Dates as written sort after valid ones, so an invalid date never hides a claim's real first date. */
const earlier = (a: string, b: string): string => {
  const validA = /^\d{4}-\d{2}-\d{2}$/.test(a);
  const validB = /^\d{4}-\d{2}-\d{2}$/.test(b);
  if (validA !== validB) return validA ? a : b;
  return a <= b ? a : b;
};

/**
 * Every claim with a finding, by dollars at risk (descending), then by its first flagged line. The
 * rows come sorted by line (findings.csv's order); one pass, holding one small entry per claim.
 */
export function claimsOf(rows: Iterable<FlaggedFinding>): ClaimFindings[] {
  const pass = new ClaimsPass();
  for (const row of rows) pass.add(row);
  return [...pass.finish()];
}

/** A claim's numbers, one column each: their texts are ids in the pass's text table. */
const Column = {
  firstLine: 0,
  claimId: 1,
  memberId: 2,
  dateOfService: 3,
  providerNpi: 4,
  payer: 5,
  errors: 6,
  warnings: 7,
  infos: 8,
  rulesLow: 9,
  rulesHigh: 10,
  flaggedLines: 11,
  lastLine: 12,
  lastErrorLine: 13,
} as const;
const COLUMNS = Object.keys(Column).length;
/**
 * A claim's columns lie side by side, 64 bytes a claim (one or two cache lines): the ranked claims
 * are read in dollar order, all over the table, and a page per column cost a cache miss per column.
 */
const STRIDE = 16;
if (COLUMNS > STRIDE) throw new Error('claims.ts keeps a claim in 16 cells');
const SEVERITY_COLUMN: Readonly<Record<Severity, number>> = {
  error: Column.errors,
  warning: Column.warnings,
  info: Column.infos,
};

/**
 * claimsOf a row at a time, into columns and two compact string tables (the claims' keys, and their
 * texts): a batch may have hundreds of thousands of flagged claims, and an object per claim (with
 * its strings, counts and line list) took ~600 bytes where this takes ~80.
 */
class ClaimsPass {
  private readonly keys = new StringTable();
  private readonly texts = new StringTable();
  private readonly cells = new Int32Pages();
  private cents = new Float64Array(1024);
  /** The claim of the row before: a line's rows come together, and so mostly do a claim's. */
  private lastLine = -1;
  private lastClaim = -1;

  add({ finding, echo }: FlaggedFinding): void {
    const { line } = finding;
    const claim = line === this.lastLine ? this.lastClaim : this.claimOf(echo, line);
    this.lastLine = line;
    this.lastClaim = claim;
    const { cells } = this;
    const row = claim * STRIDE;
    const at = (column: number) => cells.get(row + column);
    const put = (column: number, value: number) => cells.set(row + column, value);
    const severityColumn = SEVERITY_COLUMN[finding.severity];
    put(severityColumn, at(severityColumn) + 1);
    const rule = RULE_ORDER.get(finding.ruleId)!;
    if (rule < 32) put(Column.rulesLow, at(Column.rulesLow) | (1 << rule));
    else put(Column.rulesHigh, at(Column.rulesHigh) | (1 << (rule - 32)));
    // Line columns hold line + 1: an unwritten position reads as 0, no line.
    if (at(Column.lastLine) !== line + 1) {
      put(Column.lastLine, line + 1);
      put(Column.flaggedLines, at(Column.flaggedLines) + 1);
      const date = this.texts.keyOf(at(Column.dateOfService));
      const first = earlier(date, echo.dateOfService);
      if (first !== date) put(Column.dateOfService, this.texts.intern(first));
    }
    if (finding.severity === 'error' && at(Column.lastErrorLine) !== line + 1) {
      this.cents[claim] = this.cents[claim]! + (parseCents(echo.charge) ?? 0);
      put(Column.lastErrorLine, line + 1);
    }
  }

  /** The claim of a row's line, made when new. */
  private claimOf(echo: LineEcho, line: number): number {
    const before = this.keys.size;
    const claim = this.keys.intern(claimKey(echo.claimId, line));
    if (claim < before) return claim;
    const { cells } = this;
    const row = claim * STRIDE;
    const text = (column: number, value: string) => cells.set(row + column, this.textId(column, value));
    cells.set(row + Column.firstLine, line);
    text(Column.claimId, echo.claimId);
    text(Column.memberId, echo.memberId);
    text(Column.dateOfService, echo.dateOfService);
    text(Column.providerNpi, echo.providerNpi);
    text(Column.payer, echo.payer);
    if (claim >= this.cents.length) {
      const grown = new Float64Array(this.cents.length * 2);
      grown.set(this.cents);
      this.cents = grown;
    }
    return claim;
  }

  /** The last text of each column and its id: neighbouring claims often share payer, NPI and member. */
  private readonly lastTexts: (string | undefined)[] = [];
  private readonly lastTextIds: number[] = [];

  private textId(column: number, value: string): number {
    if (this.lastTexts[column] === value) return this.lastTextIds[column]!;
    const id = this.texts.intern(value);
    this.lastTexts[column] = value;
    this.lastTextIds[column] = id;
    return id;
  }

  /** The claims ranked; the pass is not to be added to afterwards. */
  finish(): ClaimList {
    const count = this.keys.size;
    const { cents, cells, texts } = this;
    const firstLine = (claim: number) => cells.get(claim * STRIDE + Column.firstLine);
    const order = Int32Array.from({ length: count }, (_, index) => index).sort(
      (a, b) => cents[b]! - cents[a]! || firstLine(a) - firstLine(b),
    );
    const claimAt = (claim: number): ClaimFindings => {
      const row = claim * STRIDE;
      const at = (column: number) => cells.get(row + column);
      const rulesLow = at(Column.rulesLow);
      const rulesHigh = at(Column.rulesHigh);
      return {
        claimId: texts.keyOf(at(Column.claimId)),
        firstLine: at(Column.firstLine),
        memberId: texts.keyOf(at(Column.memberId)),
        dateOfService: texts.keyOf(at(Column.dateOfService)),
        providerNpi: texts.keyOf(at(Column.providerNpi)),
        payer: texts.keyOf(at(Column.payer)),
        findings: { error: at(Column.errors), warning: at(Column.warnings), info: at(Column.infos) },
        errorCents: cents[claim]!,
        ruleIds: RULE_IDS.filter((_ruleId, index) =>
          index < 32 ? (rulesLow >>> index) & 1 : (rulesHigh >>> (index - 32)) & 1,
        ),
        flaggedLines: at(Column.flaggedLines),
      };
    };
    return {
      length: count,
      *[Symbol.iterator]() {
        for (const claim of order) yield claimAt(claim);
      },
    };
  }
}

/**
 * A batch's claims, made on the first call: the report's files share one pass over the findings.
 * `alongside` lends that pass to another file's (findings.csv's): a pass over the findings read to
 * the end makes the claims on the way, so they cost no pass of their own.
 */
export interface BatchClaims {
  (): ClaimList;
  alongside(rows: Iterable<FlaggedFinding>): Iterable<FlaggedFinding>;
}

const NO_CLAIMS: ClaimList = { length: 0, [Symbol.iterator]: () => [][Symbol.iterator]() };

export function batchClaimsOf(batch: ReportBatch | undefined): BatchClaims {
  let claims: ClaimList | undefined;
  const made = () => {
    if (claims === undefined) {
      const pass = new ClaimsPass();
      for (const row of batch?.flagged.rows() ?? []) pass.add(row);
      claims = batch ? pass.finish() : NO_CLAIMS;
    }
    return claims;
  };
  function* alongside(rows: Iterable<FlaggedFinding>): Generator<FlaggedFinding> {
    if (claims !== undefined) {
      yield* rows;
      return;
    }
    const pass = new ClaimsPass();
    for (const row of rows) {
      pass.add(row);
      yield row;
    }
    // Only a pass read to the end holds every claim.
    claims ??= pass.finish();
  }
  return Object.assign(made, { alongside });
}
