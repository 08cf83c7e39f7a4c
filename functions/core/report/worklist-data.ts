/**
 * The data report.html's worklist is drawn from: the claims with findings (claimsOf's order, by
 * dollars at risk), the flagged lines and findings of the claims the page holds, and the rejected
 * records, in a compact columnar form that the page's script reads from a JSON block.
 *
 * The format (version 1), every array of one table the same length:
 * - `strings`: every text of the input the page shows, once; the `…S` fields below index into it.
 * - `rules`: the catalog's rules `[id, title, fix, source]`; a finding's `rule` indexes into it.
 * - `claims` (by dollars at risk, descending): `id`, `member`, `date`, `provider`, `payer` (strings);
 *   `errors`, `warnings`, `infos` (counts); `cents` (dollars at risk, in cents); `lines` (how many of
 *   the `lines` rows that follow are the claim's, taken in order).
 * - `lines` (claim by claim, each claim's in line order): `line` (line of the batch), `lineNo`,
 *   `date`, `code`, `charge`, `member`, `pack` (strings); `findings` (how many `findings` rows that
 *   follow are the line's).
 * - `findings` (line by line, each line's by rule id): `rule` (index into `rules`), `severity` (0 error,
 *   1 warning, 2 info), `message` (string), `related` (lines of the batch).
 * - `rejected`: `line`, `endLine`, `reason`, `raw` (strings for the last two).
 * - `held` / `total`: claims, findings and rejected records the page holds, and the batch has.
 *
 * Holding a batch's every finding would make a page no browser opens; the page holds the
 * highest-risk claims up to a budget of findings, and says so. The findings of the held claims are
 * collected in a second pass over the rows (sorted by line), into arrays sized from claimsOf's counts.
 */
import type { ReportBatch } from '../engine/batch-findings.js';
import type { RejectedRecord } from '../intake/framer.js';
import { StringTable } from '../memory/string-table.js';
import { RULE_IDS, RULES, type RuleId, SEVERITIES, sourceOf } from '../rules/catalog.js';
import { type BatchClaims, batchClaimsOf, type ClaimFindings, type ClaimList, claimKey } from './claims.js';

/** The findings a page holds at most (formats.md: usable with 300,000 findings). */
export const HTML_FINDINGS_BUDGET = 300_000;
/** The rejected records a page lists at most; rejected.csv lists all. */
export const HTML_REJECTED_BUDGET = 10_000;

const RULE_INDEX = new Map(RULE_IDS.map((ruleId, index) => [ruleId, index]));
const SEVERITY_INDEX = new Map(SEVERITIES.map((severity, index) => [severity, index]));

export interface WorklistData {
  /** The page's JSON, as pieces (each a part of one JSON text). */
  readonly json: () => Iterable<string>;
  readonly held: { readonly claims: number; readonly findings: number; readonly rejected: number };
  readonly total: { readonly claims: number; readonly findings: number; readonly rejected: number };
}

const findingCount = (claim: ClaimFindings): number =>
  claim.findings.error + claim.findings.warning + claim.findings.info;

/**
 * The claims that fit the budget, in claimsOf's order (a claim too big to fit is passed over): their
 * ranks among the batch's claims and their figures, not the claims themselves (a page may hold
 * hundreds of thousands). `keys` gives each held claim's key its index; keys interned later (the
 * claims not held) get higher ids.
 */
interface HeldClaims {
  readonly count: number;
  readonly ranks: Int32Array;
  readonly keys: StringTable;
  readonly lineSizes: Int32Array;
  readonly findingSizes: Int32Array;
  readonly errors: Int32Array;
  readonly warnings: Int32Array;
  readonly infos: Int32Array;
  readonly cents: Float64Array;
}

/**
 * Typed columns, sized for every claim and cut to the held ones: a page of 300,000 findings holds
 * hundreds of thousands of claims, and arrays of JS numbers take twice the room (the peak of a
 * big batch's report is here).
 */
function heldClaims(claims: ClaimList, budget: number): HeldClaims {
  const room = claims.length;
  const held = {
    ranks: new Int32Array(room),
    lineSizes: new Int32Array(room),
    findingSizes: new Int32Array(room),
    errors: new Int32Array(room),
    warnings: new Int32Array(room),
    infos: new Int32Array(room),
    cents: new Float64Array(room),
  };
  const keys = new StringTable();
  let count = 0;
  let findings = 0;
  let rank = -1;
  for (const claim of claims) {
    rank += 1;
    const size = findingCount(claim);
    if (findings + size > budget) continue;
    held.ranks[count] = rank;
    keys.intern(claimKey(claim.claimId, claim.firstLine));
    held.lineSizes[count] = claim.flaggedLines;
    held.findingSizes[count] = size;
    held.errors[count] = claim.findings.error;
    held.warnings[count] = claim.findings.warning;
    held.infos[count] = claim.findings.info;
    held.cents[count] = claim.errorCents;
    count += 1;
    findings += size;
  }
  return {
    count,
    keys,
    ranks: held.ranks.subarray(0, count),
    lineSizes: held.lineSizes.subarray(0, count),
    findingSizes: held.findingSizes.subarray(0, count),
    errors: held.errors.subarray(0, count),
    warnings: held.warnings.subarray(0, count),
    infos: held.infos.subarray(0, count),
    cents: held.cents.subarray(0, count),
  };
}

/** The held claims' texts, read from the batch's claims again (a held claim's rank is its place there). */
function* heldTexts(claims: Iterable<ClaimFindings>, held: HeldClaims): Generator<ClaimFindings> {
  let rank = -1;
  let next = 0;
  for (const claim of claims) {
    rank += 1;
    if (next === held.count) return;
    if (held.ranks[next] !== rank) continue;
    next += 1;
    yield claim;
  }
}

const NO_LINES: readonly number[] = [];

/** Offsets of each claim's first row in a table where claim `i` has `sizes[i]` rows. */
function offsets(sizes: Int32Array): Int32Array {
  const out = new Int32Array(sizes.length);
  let at = 0;
  for (let index = 0; index < sizes.length; index += 1) {
    out[index] = at;
    at += sizes[index]!;
  }
  return out;
}

/** The held lines and findings, placed claim by claim as the rows come in line order. */
class HeldRows {
  readonly line: Int32Array;
  readonly lineNo: Int32Array;
  readonly date: Int32Array;
  readonly code: Int32Array;
  readonly charge: Int32Array;
  readonly member: Int32Array;
  readonly pack: Int32Array;
  readonly lineFindings: Int32Array;
  readonly rule: Uint8Array;
  readonly severity: Uint8Array;
  readonly message: Int32Array;
  readonly related: (readonly number[])[];
  private readonly nextLine: Int32Array;
  private readonly nextFinding: Int32Array;

  constructor({ lineSizes, findingSizes }: HeldClaims) {
    const lines = lineSizes.reduce((sum, size) => sum + size, 0);
    const findings = findingSizes.reduce((sum, size) => sum + size, 0);
    this.line = new Int32Array(lines);
    this.lineNo = new Int32Array(lines);
    this.date = new Int32Array(lines);
    this.code = new Int32Array(lines);
    this.charge = new Int32Array(lines);
    this.member = new Int32Array(lines);
    this.pack = new Int32Array(lines);
    this.lineFindings = new Int32Array(lines);
    this.rule = new Uint8Array(findings);
    this.severity = new Uint8Array(findings);
    this.message = new Int32Array(findings);
    this.related = new Array(findings);
    this.nextLine = offsets(lineSizes);
    this.nextFinding = offsets(findingSizes);
  }

  /** A new flagged line of claim `claim`; its findings follow. */
  startLine(
    claim: number,
    line: number,
    fields: { lineNo: number; date: number; code: number; charge: number; member: number; pack: number },
  ): number {
    const at = this.nextLine[claim]!;
    this.nextLine[claim] = at + 1;
    this.line[at] = line;
    this.lineNo[at] = fields.lineNo;
    this.date[at] = fields.date;
    this.code[at] = fields.code;
    this.charge[at] = fields.charge;
    this.member[at] = fields.member;
    this.pack[at] = fields.pack;
    return at;
  }

  addFinding(
    claim: number,
    lineAt: number,
    finding: { rule: number; severity: number; message: number; related: readonly number[] },
  ): void {
    const at = this.nextFinding[claim]!;
    this.nextFinding[claim] = at + 1;
    this.lineFindings[lineAt]! += 1;
    this.rule[at] = finding.rule;
    this.severity[at] = finding.severity;
    this.message[at] = finding.message;
    // A decoded finding's own empty list would be held for every finding without related lines.
    this.related[at] = finding.related.length === 0 ? NO_LINES : finding.related;
  }
}

/**
 * `<`, `>`, `&` and the JavaScript line separators written as \u escapes, so no value can close the
 * JSON block's `<script>` element or start markup in it; JSON.parse reads them back unchanged.
 */
const JSON_UNSAFE = /[<>&\u2028\u2029]/g;
export const safeJson = (value: unknown): string =>
  JSON.stringify(value).replace(JSON_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** A column of numbers as JSON. */
const numbers = (values: ArrayLike<number>): string => `[${Array.prototype.join.call(values, ',')}]`;

/** Pieces of a JSON array of `count` values (`valueAt` gives each as JSON), a few thousand at a time. */
function* arrayPieces(count: number, valueAt: (index: number) => string): Generator<string> {
  yield '[';
  const step = 5000;
  for (let start = 0; start < count; start += step) {
    const part: string[] = [];
    for (let index = start; index < Math.min(count, start + step); index += 1) part.push(valueAt(index));
    yield (start > 0 ? ',' : '') + part.join(',');
  }
  yield ']';
}

function* tablePieces(
  columns: Record<string, ArrayLike<number> | (() => Iterable<string>)>,
): Generator<string> {
  yield '{';
  let first = true;
  for (const [name, column] of Object.entries(columns)) {
    yield `${first ? '' : ','}${JSON.stringify(name)}:`;
    first = false;
    if (typeof column === 'function') yield* column();
    else yield numbers(column);
  }
  yield '}';
}

/** The worklist's data: claimsOf's ranking, then one more pass to collect the held claims' findings. */
export function worklistData(
  batch: ReportBatch | undefined,
  budget = HTML_FINDINGS_BUDGET,
  rejectedBudget = HTML_REJECTED_BUDGET,
  batchClaims: BatchClaims = batchClaimsOf(batch),
): WorklistData {
  const claims = batchClaims();
  const held = heldClaims(claims, budget);
  // The compact table of the merge: the page's texts repeat (codes, packs, messages) and may be many.
  const strings = new StringTable();
  const rows = new HeldRows(held);
  const claimAt = (key: string): number | undefined => {
    const id = held.keys.intern(key);
    return id < held.count ? id : undefined;
  };

  let lastLine = -1;
  let lineAt = -1;
  let claim: number | undefined;
  for (const { finding, echo } of batch?.flagged.rows() ?? []) {
    if (finding.line !== lastLine) {
      lastLine = finding.line;
      // A claim's key is its id, or its first flagged line when it has none (that line is this one).
      claim = claimAt(claimKey(echo.claimId, finding.line));
      if (claim !== undefined)
        lineAt = rows.startLine(claim, finding.line, {
          lineNo: strings.intern(echo.lineNo),
          date: strings.intern(echo.dateOfService),
          code: strings.intern(echo.procedureCode),
          charge: strings.intern(echo.charge),
          member: strings.intern(echo.memberId),
          pack: strings.intern(echo.rulePack),
        });
    }
    if (claim !== undefined)
      rows.addFinding(claim, lineAt, {
        rule: RULE_INDEX.get(finding.ruleId)!,
        severity: SEVERITY_INDEX.get(finding.severity)!,
        message: strings.intern(finding.message),
        related: finding.related,
      });
  }

  // The held claims' texts as string ids, a column each (an object per claim costs about 50 bytes more).
  const claimText = {
    id: new Int32Array(held.count),
    member: new Int32Array(held.count),
    date: new Int32Array(held.count),
    provider: new Int32Array(held.count),
    payer: new Int32Array(held.count),
  };
  let textAt = 0;
  for (const entry of heldTexts(claims, held)) {
    claimText.id[textAt] = strings.intern(entry.claimId);
    claimText.member[textAt] = strings.intern(entry.memberId);
    claimText.date[textAt] = strings.intern(entry.dateOfService);
    claimText.provider[textAt] = strings.intern(entry.providerNpi);
    claimText.payer[textAt] = strings.intern(entry.payer);
    textAt += 1;
  }
  const rejectedRecords = batch?.rejectedRecords ?? [];
  const rejected: readonly RejectedRecord[] = rejectedRecords.slice(0, rejectedBudget);
  const rejectedStrings = rejected.map((record) => ({
    reason: strings.intern(record.reason),
    raw: strings.intern(record.raw),
  }));
  const heldFindings = rows.rule.length;
  const column = <T>(values: readonly T[], pick: (value: T) => number) => values.map(pick);
  const counts = {
    held: { claims: held.count, findings: heldFindings, rejected: rejected.length },
    total: {
      claims: claims.length,
      findings: batch?.flagged.tally.count ?? 0,
      rejected: rejectedRecords.length,
    },
  };

  function* json(): Generator<string> {
    yield '{"version":1,"strings":';
    yield* arrayPieces(strings.size, (id) => safeJson(strings.keyOf(id)));
    yield ',"rules":';
    yield safeJson(
      RULE_IDS.map((ruleId: RuleId) => [ruleId, RULES[ruleId].title, RULES[ruleId].fix, sourceOf(ruleId)]),
    );
    yield ',"claims":';
    yield* tablePieces({
      ...claimText,
      errors: held.errors,
      warnings: held.warnings,
      infos: held.infos,
      cents: held.cents,
      lines: held.lineSizes,
    });
    yield ',"lines":';
    yield* tablePieces({
      line: rows.line,
      lineNo: rows.lineNo,
      date: rows.date,
      code: rows.code,
      charge: rows.charge,
      member: rows.member,
      pack: rows.pack,
      findings: rows.lineFindings,
    });
    yield ',"findings":';
    yield* tablePieces({
      rule: rows.rule,
      severity: rows.severity,
      message: rows.message,
      related: () => arrayPieces(rows.related.length, (at) => numbers(rows.related[at]!)),
    });
    yield ',"rejected":';
    yield* tablePieces({
      line: column(rejected, (record) => record.line),
      endLine: column(rejected, (record) => record.endLine),
      reason: column(rejectedStrings, (entry) => entry.reason),
      raw: column(rejectedStrings, (entry) => entry.raw),
    });
    yield `,"held":${safeJson(counts.held)},"total":${safeJson(counts.total)}}`;
  }

  return { json, ...counts };
}
