/**
 * A batch's findings as a report reads them: rows sorted by line then rule id, each with its line's
 * echo, and the figures the summary and report.html need, counted as the findings come in. A small
 * batch keeps its findings in memory; a spilled one keeps them in runs of the spill store (each run
 * sorted) and merges the runs as findings.csv is written, so no batch holds all its findings at once.
 */
import type { RejectedRecord } from '../intake/framer.js';
import { LineSet } from '../memory/line-set.js';
import { type RuleId, SEVERITIES, type Severity } from '../rules/catalog.js';
import { byLineThenRule, type MergedBatch } from './accumulator.js';
import type { LineEcho } from './claim-line.js';
import type { Finding } from './finding.js';
import { decodeFindingRecord, encodeFindingRecord } from './finding-records.js';
import type { SpillStore } from './partitioned-merge.js';
import { parseCents } from './values.js';

/** One row of findings.csv: a finding and the echo of its line. */
export interface FlaggedFinding {
  readonly finding: Finding;
  readonly echo: LineEcho;
}

/** Flagged lines of one encounter NPI (`(none)` for lines without one) and its dollars at risk. */
export interface ProviderFigures {
  readonly npi: string;
  lines: number;
  /** Charges of its lines with at least one error finding, in cents. */
  cents: number;
  /** The lowest flagged line: ties in the ranking go to the provider flagged first. */
  firstLine: number;
}

export interface BatchFindings {
  readonly tally: FindingsTally;
  /** Every finding, sorted by line then rule id (a fresh pass each call). */
  rows(): Iterable<FlaggedFinding>;
}

/** What a report is made of: the batch's counts and its findings, in memory or spilled. */
export interface ReportBatch {
  readonly checked: number;
  readonly rejectedRecords: RejectedRecord[];
  readonly claims: number;
  readonly members: number;
  readonly indexLines: number;
  /** Checked lines judged by each pack (RuleBooks.packs order). */
  readonly packLines: readonly number[];
  readonly flagged: BatchFindings;
}

/**
 * The summary's figures of a batch's findings, in one pass in any order of lines, as long as the
 * findings of one (line, rule) come together (they do: each comes from one sorted source).
 */
export class FindingsTally {
  readonly severities: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  count = 0;
  /** Charges of lines with at least one error finding, in cents. */
  errorCents = 0;
  private readonly flagged = new LineSet();
  private readonly errorLines = new LineSet();
  /** Claim ids (non-empty) with at least one error finding. */
  private readonly errorClaims = new Set<string>();
  private readonly rules = new Map<RuleId, RuleTally>();
  private readonly providers = new Map<string, ProviderFigures>();

  add(item: Finding, echo: LineEcho): void {
    const { line, ruleId, severity } = item;
    this.count += 1;
    this.severities[severity] += 1;
    let cents: number | undefined;
    const charge = () => {
      cents ??= parseCents(echo.charge) ?? 0;
      return cents;
    };
    const rule = this.rules.get(ruleId);
    if (rule === undefined)
      this.rules.set(ruleId, {
        findings: 1,
        cents: charge(),
        lastLine: line,
        severities: { ...ONE[severity] },
      });
    else {
      rule.findings += 1;
      rule.severities[severity] += 1;
      if (rule.lastLine !== line) rule.cents += charge();
      rule.lastLine = line;
    }
    const newLine = this.flagged.add(line);
    const newErrorLine = severity === 'error' && this.errorLines.add(line);
    if (newErrorLine) this.errorCents += charge();
    if (severity === 'error' && echo.claimId !== '') this.errorClaims.add(echo.claimId);
    if (newLine || newErrorLine)
      this.addToProvider(echo.providerNpi, line, newLine, newErrorLine ? charge() : 0);
  }

  /** The figures of a chunk's findings (their lines are no other chunk's). */
  addChunk(chunk: ChunkFindings): void {
    this.count += chunk.count;
    for (const severity of SEVERITIES) this.severities[severity] += chunk.severities[severity];
    for (const { ruleId, findings, cents, severities } of chunk.rules) {
      const rule = this.rules.get(ruleId);
      if (rule === undefined)
        this.rules.set(ruleId, { findings, cents, lastLine: -1, severities: { ...severities } });
      else {
        rule.findings += findings;
        rule.cents += cents;
        for (const severity of SEVERITIES) rule.severities[severity] += severities[severity];
      }
    }
    for (const claimId of chunk.errorClaims) this.errorClaims.add(claimId);
    const { lines, cents, errors, npis, npiOf } = chunk;
    for (let at = 0; at < lines.length; at += 1) {
      const line = lines[at]!;
      const newLine = this.flagged.add(line);
      const newErrorLine = errors[at] === 1 && this.errorLines.add(line);
      if (newErrorLine) this.errorCents += cents[at]!;
      if (newLine || newErrorLine)
        this.addToProvider(npis[npiOf[at]!]!, line, newLine, newErrorLine ? cents[at]! : 0);
    }
  }

  /** A line new to the tally, or newly with an error (its charge then counts as dollars at risk). */
  private addToProvider(providerNpi: string, line: number, newLine: boolean, errorCents: number): void {
    const npi = providerNpi || '(none)';
    let entry = this.providers.get(npi);
    if (entry === undefined) {
      entry = { npi, lines: 0, cents: 0, firstLine: line };
      this.providers.set(npi, entry);
    }
    if (newLine) entry.lines += 1;
    if (line < entry.firstLine) entry.firstLine = line;
    entry.cents += errorCents;
  }

  get flaggedLines(): number {
    return this.flagged.size;
  }

  get claimsWithErrors(): number {
    return this.errorClaims.size;
  }

  errorClaimIds(): string[] {
    return [...this.errorClaims];
  }

  /** Findings of a rule and the charges of its distinct lines (cents); undefined when it never fired. */
  rule(ruleId: RuleId): RuleFigures | undefined {
    const rule = this.rules.get(ruleId);
    return rule && { ruleId, findings: rule.findings, cents: rule.cents, severities: { ...rule.severities } };
  }

  /** Every rule's figures, in the order rules first fired. */
  ruleFigures(): RuleFigures[] {
    return [...this.rules].map(([ruleId, { findings, cents, severities }]) => ({
      ruleId,
      findings,
      cents,
      severities: { ...severities },
    }));
  }

  /** The `count` providers with the most dollars at risk, then the most flagged lines. */
  topProviders(count: number): ProviderFigures[] {
    return [...this.providers.values()]
      .sort((a, b) => b.cents - a.cents || b.lines - a.lines || a.firstLine - b.firstLine)
      .slice(0, count);
  }
}

/** A rule's findings (by the severity each line's pack gave it) and the charges of its distinct lines. */
export interface RuleFigures {
  readonly ruleId: RuleId;
  readonly findings: number;
  readonly cents: number;
  readonly severities: Readonly<Record<Severity, number>>;
}

interface RuleTally {
  findings: number;
  cents: number;
  lastLine: number;
  severities: Record<Severity, number>;
}

const ONE: Readonly<Record<Severity, Readonly<Record<Severity, number>>>> = {
  error: { error: 1, warning: 0, info: 0 },
  warning: { error: 0, warning: 1, info: 0 },
  info: { error: 0, warning: 0, info: 1 },
};

/** The findings of a merge held in memory (`findings` sorted, `echoes` of every flagged line). */
export function findingsInMemory(
  findings: readonly Finding[],
  echoes: ReadonlyMap<number, LineEcho>,
): BatchFindings {
  const tally = new FindingsTally();
  for (const item of findings) tally.add(item, echoes.get(item.line)!);
  return {
    tally,
    *rows() {
      for (const finding of findings) yield { finding, echo: echoes.get(finding.line)! };
    },
  };
}

/** A merged batch as a report reads it. */
export function reportBatchOf(batch: MergedBatch | ReportBatch): ReportBatch {
  if ('flagged' in batch) return batch;
  const { findings, echoes, ...counts } = batch;
  return { ...counts, flagged: findingsInMemory(findings, echoes) };
}

/** Findings per spilled record: a merge holds one record of every run at once. */
const FINDINGS_PER_RECORD = 64;

/**
 * A chunk's findings ready for the spill, made where the chunk is checked (a worker thread) so the
 * merge only appends bytes: the records of its run, sorted, and the figures they add to the tally.
 */
export interface ChunkFindings {
  readonly records: Uint8Array[];
  readonly count: number;
  readonly firstLine: number;
  readonly lastLine: number;
  readonly severities: Readonly<Record<Severity, number>>;
  /** Findings and charges of distinct lines, by rule. */
  readonly rules: readonly RuleFigures[];
  /** Each flagged line once, ascending, with its charge in cents, 1 when it has an error finding … */
  readonly lines: Int32Array;
  readonly cents: Float64Array;
  readonly errors: Uint8Array;
  /** … and its encounter NPI (an index into `npis`). */
  readonly npiOf: Int32Array;
  readonly npis: string[];
  /** Each claim id (non-empty) with an error finding in the chunk, once. */
  readonly errorClaims: string[];
}

/** The findings of one chunk (in its order) with the echo of each flagged line; null when none. */
export function chunkFindings(
  findings: readonly Finding[],
  echoes: readonly { line: number; echo: LineEcho }[],
): ChunkFindings | null {
  if (findings.length === 0) return null;
  const sorted = [...findings].sort(byLineThenRule);
  const echoOf = new Map(echoes.map(({ line, echo }) => [line, echo]));
  const tally = new FindingsTally();
  for (const item of sorted) tally.add(item, echoOf.get(item.line)!);
  const lineCount = echoOf.size;
  const lines = new Int32Array(lineCount);
  const cents = new Float64Array(lineCount);
  const errors = new Uint8Array(lineCount);
  const npiOf = new Int32Array(lineCount);
  const npis: string[] = [];
  const npiIds = new Map<string, number>();
  let at = -1;
  for (const item of sorted) {
    if (at < 0 || lines[at] !== item.line) {
      at += 1;
      const echo = echoOf.get(item.line)!;
      lines[at] = item.line;
      cents[at] = parseCents(echo.charge) ?? 0;
      let npi = npiIds.get(echo.providerNpi);
      if (npi === undefined) {
        npi = npis.push(echo.providerNpi) - 1;
        npiIds.set(echo.providerNpi, npi);
      }
      npiOf[at] = npi;
    }
    if (item.severity === 'error') errors[at] = 1;
  }
  return {
    records: encodeRecords(sorted, (line) => echoOf.get(line)!),
    count: sorted.length,
    firstLine: sorted[0]!.line,
    lastLine: sorted.at(-1)!.line,
    severities: tally.severities,
    rules: tally.ruleFigures(),
    lines: lines.subarray(0, at + 1),
    cents: cents.subarray(0, at + 1),
    errors: errors.subarray(0, at + 1),
    npiOf: npiOf.subarray(0, at + 1),
    npis,
    errorClaims: tally.errorClaimIds(),
  };
}

/** Sorted findings as spill records: a few dozen findings each, and the echo of each line they are on. */
function encodeRecords(findings: readonly Finding[], echoOf: (line: number) => LineEcho): Uint8Array[] {
  const records: Uint8Array[] = [];
  for (let start = 0; start < findings.length; start += FINDINGS_PER_RECORD) {
    const block = findings.slice(start, start + FINDINGS_PER_RECORD);
    const echoes: LineEcho[] = [];
    let last = -1;
    for (const item of block) {
      if (item.line !== last) echoes.push(echoOf(item.line));
      last = item.line;
    }
    records.push(encodeFindingRecord(block, echoes));
  }
  return records;
}

/** Where a merge hands its findings when they are not to be held (a FindingRuns). */
export interface FindingSink {
  /** Findings in any order; `echoOf` gives the echo of each of their lines, during the call only. */
  addRun(findings: readonly Finding[], echoOf: (line: number) => LineEcho): void;
}

/**
 * Findings written to a spill store as sorted runs, counted as they are written. A run is one
 * stream; each record holds a few hundred findings and the echo of each line they are on.
 */
export class FindingRuns implements FindingSink {
  readonly tally = new FindingsTally();
  private readonly runs: string[] = [];
  /** Where each group of runs starts in `runs` (see startGroup). */
  private readonly groups: number[] = [0];
  /** The open run of chunks' findings, and its last line: chunks in line order extend one run. */
  private chunkRun: string | undefined;
  private lastChunkLine = 0;

  constructor(
    private readonly spill: Pick<SpillStore, 'append' | 'records'>,
    private readonly prefix = 'findings',
  ) {}

  /** A chunk's findings (see chunkFindings). Chunks in line order extend one run. */
  addChunk(chunk: ChunkFindings | null): void {
    if (chunk === null) return;
    if (this.chunkRun === undefined || chunk.firstLine <= this.lastChunkLine) this.chunkRun = this.newRun();
    this.lastChunkLine = chunk.lastLine;
    for (const record of chunk.records) this.spill.append(this.chunkRun, record);
    this.tally.addChunk(chunk);
  }

  /** Findings in any order (a partition's merge, a part of it), as one run. */
  addRun(findings: readonly Finding[], echoOf: (line: number) => LineEcho): void {
    if (findings.length === 0) return;
    this.write(this.newRun(), [...findings].sort(byLineThenRule), echoOf);
  }

  /**
   * A sorted run another FindingRuns encoded (one shard of a merge that ran elsewhere): its records
   * are copied as they are, and tallied as they are read.
   */
  addEncodedRun(records: Iterable<Uint8Array>): void {
    const run = this.newRun();
    for (const record of records) {
      this.spill.append(run, record);
      for (const { finding, echo } of decodeRecord(record, run)) this.tally.add(finding, echo);
    }
  }

  /**
   * Starts a group: the runs written from here on hold only lines after every earlier group's.
   * A pass merges each group's runs in turn, so only one group's runs are open at a time (a big
   * batch's report reads its line ranges one after another, not every run of every range at once).
   */
  startGroup(): void {
    this.groups.push(this.runs.length);
    this.chunkRun = undefined;
  }

  /**
   * Every finding written so far as the records of one sorted run, however many runs were written:
   * what a merge shard stores, so that whoever reads it merges one run of it, not one per flush.
   */
  encodedAsOneRun(): Uint8Array[] {
    const records: Uint8Array[] = [];
    let block: Finding[] = [];
    let echoes = new Map<number, LineEcho>();
    const encode = () => {
      records.push(...encodeRecords(block, (line) => echoes.get(line)!));
      block = [];
      echoes = new Map();
    };
    for (const { finding, echo } of this.finish().rows()) {
      block.push(finding);
      echoes.set(finding.line, echo);
      if (block.length === FINDINGS_PER_RECORD) encode();
    }
    if (block.length > 0) encode();
    return records;
  }

  /** Every finding written so far. The runs are re-read on each pass, so the store must keep them. */
  finish(): BatchFindings {
    const { spill, tally } = this;
    const groups = [...this.groups, this.runs.length].map((start, at, all) =>
      this.runs.slice(start, all[at + 1] ?? start),
    );
    return {
      tally,
      *rows() {
        for (const runs of groups) yield* mergeRuns(runs.map((run) => readRun(spill, run)));
      },
    };
  }

  private newRun(): string {
    const run = `${this.prefix}-${this.runs.length}`;
    this.runs.push(run);
    return run;
  }

  private write(run: string, findings: readonly Finding[], echoOf: (line: number) => LineEcho): void {
    for (const item of findings) this.tally.add(item, echoOf(item.line));
    for (const record of encodeRecords(findings, echoOf)) this.spill.append(run, record);
  }
}

/** The rows of one run, in order. */
function* readRun(spill: Pick<SpillStore, 'records'>, run: string): Generator<FlaggedFinding> {
  for (const record of spill.records(run, { keep: true })) yield* decodeRecord(record, run);
}

/** The rows of one record of `run`, in order. */
function* decodeRecord(record: Uint8Array, run: string): Generator<FlaggedFinding> {
  const { findings, echoes } = decodeFindingRecord(record, run);
  let echo = -1;
  let last = -1;
  for (const finding of findings) {
    if (finding.line !== last) echo += 1;
    last = finding.line;
    yield { finding, echo: echoes[echo]! };
  }
}

/**
 * Sorted runs merged into one sorted sequence. Runs never hold the same (line, rule): a finding
 * comes from one chunk or one partition.
 */
export function* mergeRuns(runs: readonly Iterable<FlaggedFinding>[]): Generator<FlaggedFinding> {
  const iterators = runs.map((run) => run[Symbol.iterator]());
  try {
    const heads: { row: FlaggedFinding; from: Iterator<FlaggedFinding> }[] = [];
    for (const from of iterators) {
      const next = from.next();
      if (!next.done) heads.push({ row: next.value, from });
    }
    const heap = new RowHeap(heads);
    while (heap.size > 0) {
      const top = heap.top();
      yield top.row;
      const next = top.from.next();
      if (next.done) heap.pop();
      else {
        top.row = next.value;
        heap.siftDown(0);
      }
    }
  } finally {
    for (const iterator of iterators) iterator.return?.();
  }
}

interface Head {
  row: FlaggedFinding;
  readonly from: Iterator<FlaggedFinding>;
}

const before = (a: Head, b: Head): boolean => byLineThenRule(a.row.finding, b.row.finding) < 0;

/** A binary min-heap of run heads. */
class RowHeap {
  constructor(private readonly items: Head[]) {
    for (let at = (items.length >> 1) - 1; at >= 0; at -= 1) this.siftDown(at);
  }

  get size(): number {
    return this.items.length;
  }

  top(): Head {
    return this.items[0]!;
  }

  pop(): void {
    const last = this.items.pop()!;
    if (this.items.length === 0) return;
    this.items[0] = last;
    this.siftDown(0);
  }

  siftDown(from: number): void {
    const { items } = this;
    let at = from;
    for (;;) {
      const left = 2 * at + 1;
      if (left >= items.length) return;
      const right = left + 1;
      const child = right < items.length && before(items[right]!, items[left]!) ? right : left;
      if (!before(items[child]!, items[at]!)) return;
      [items[at], items[child]] = [items[child]!, items[at]!];
      at = child;
    }
  }
}
