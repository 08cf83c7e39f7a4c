/**
 * Merges chunk partials into the result of the whole batch. Adding partials is order-free for
 * correctness: any chunking, added in any order, gives the same findings. When the caller promises
 * that partials arrive in line order (the CLI and the pipeline merge chunks in sequence), the
 * duplicate table need not remember an echo for every line, which is what keeps memory flat.
 */

import type { SessionRecordInput } from '../history-port.js';
import type { RejectedRecord } from '../intake/framer.js';
import { FACT_WIDTH, FactStore } from '../memory/fact-store.js';
import { LineNumberIndex } from '../memory/line-number-index.js';
import { CELL, cellText, KEY_CELL_COUNT, type PackedKeys } from '../memory/packed-keys.js';
import { StringTable } from '../memory/string-table.js';
import { BUILT_IN_BOOKS, type RuleBooks } from '../rules/books.js';
import { CODES } from '../rules/catalog.js';
import { duplicateLine, type MemberContext, type PriorSession } from '../rules/history.js';
import type { FindingSink } from './batch-findings.js';
import type { ChunkPartial } from './check-chunk.js';
import { echoOf, type LineEcho } from './claim-line.js';
import {
  type CrossFact,
  crossFactsAt,
  echoOfFact,
  isIndexFact,
  isSessionFact,
  sessionRecordAt,
} from './cross-facts.js';
import { evaluateMember, type SessionHistory } from './cross-rules.js';
import { type Finding, judge } from './finding.js';
import { breathe } from './time-slice.js';

/** Looks up earlier batches' sessions for the members that need them. */
export interface HistorySource {
  priorSessions(members: readonly string[]): Promise<SessionHistory>;
  /** Rows of history files read so far that were left out as unreadable (summary.json `history.ignoredRows`). */
  ignoredRows?(): number;
}

export const NO_HISTORY: HistorySource = { priorSessions: async () => new Map() };
const NO_SESSIONS: readonly PriorSession[] = [];

/** The cisternography code, as the bytes of a key cell. */
const CISTERNOGRAPHY = CODES.cisternography.map((code) => Buffer.from(code, 'utf8'));

export interface MergedBatch {
  readonly checked: number;
  readonly rejectedRecords: RejectedRecord[];
  readonly claims: number;
  readonly members: number;
  readonly indexLines: number;
  /** Checked lines judged by each pack (RuleBooks.packs order). */
  readonly packLines: readonly number[];
  /** All findings, sorted by line then rule id. */
  readonly findings: Finding[];
  /** The echo of every line that has a finding. */
  readonly echoes: ReadonlyMap<number, LineEcho>;
}

/**
 * What an accumulator decides. `batch`: everything. A partitioned merge (partitioned-merge.ts) gives
 * each partition one side: `duplicates` (lines grouped by claim id: DUPLICATE_LINE and the claim
 * count) or `members` (lines grouped by member: the cross-line rules and the member count).
 */
/** Findings a merge with a sink holds before it hands them on. */
const FLUSH_FINDINGS = 10_000;

export type AccumulatorScope = 'batch' | 'duplicates' | 'members';

export interface AccumulatorOptions {
  /** Partials arrive in ascending line order with no overlap (lets the duplicate table stay lean). */
  readonly linesInOrder?: boolean;
  /** The batch's rule books (the built-in rule set's when absent). */
  readonly books?: RuleBooks;
  readonly scope?: AccumulatorScope;
  /** About how many lines will be added: sizes the tables up front. */
  readonly expectedLines?: number;
  /**
   * Where findings go, a few thousand at a time, instead of into the result: a partition whose
   * every line is flagged then holds no more than that.
   */
  readonly sink?: FindingSink;
  /** Findings held before they go to the sink (FLUSH_FINDINGS; tests make it small). */
  readonly findingsPerFlush?: number;
  /** Where the batch's sessions go, for the history of later batches (packs.md "Member history"). */
  readonly sessions?: SessionSink;
}

/** Takes a batch's sessions as the merge finds them, a member partition at a time. */
export interface SessionSink {
  readonly batchId: string;
  add(records: readonly SessionRecordInput[]): void;
}

export class BatchAccumulator {
  private checked = 0;
  private indexLines = 0;
  private readonly rejected: RejectedRecord[] = [];
  private readonly findings: Finding[] = [];
  private readonly echoes = new Map<number, LineEcho>();
  private readonly claims: StringTable;
  private readonly members: StringTable;
  private readonly facts: FactStore;
  /**
   * (claim, line_no) → first line seen. Plain line numbers live in the compact index (keyed there by
   * entry), others in a map keyed by claim id and text.
   */
  private readonly lineNumbers = new LineNumberIndex();
  private readonly firstByText = new Map<string, number>();
  /** Echo of each first occurrence: only kept when partials may arrive out of order. */
  private readonly firstEchoes = new Map<number | string, LineEcho>();
  /** Book of each first occurrence: only kept when partials may arrive out of order. */
  private readonly firstBooks = new Map<number | string, number>();
  /** Later occurrences: their line, key and book. */
  private readonly repeats: { line: number; key: number | string; book: number }[] = [];
  /** Claims with a cisternography line (claim table ids). */
  private readonly cisternographyClaims = new Set<number>();
  /** Diagnosis findings waiting to learn whether their claim has a cisternography line. */
  private readonly pendingClaimFindings: { finding: Finding; claim: number; echo: LineEcho }[] = [];
  private readonly packLines: number[];
  private lastLine = 0;
  private readonly linesInOrder: boolean;
  private readonly books: RuleBooks;
  private readonly scope: AccumulatorScope;
  private readonly sink: FindingSink | undefined;
  private readonly flushAt: number;
  private readonly sessionSink: SessionSink | undefined;

  constructor(options: AccumulatorOptions = {}) {
    this.linesInOrder = options.linesInOrder ?? false;
    this.books = options.books ?? BUILT_IN_BOOKS;
    this.packLines = this.books.packs.map(() => 0);
    this.scope = options.scope ?? 'batch';
    this.sink = options.sink;
    this.flushAt = options.findingsPerFlush ?? FLUSH_FINDINGS;
    this.sessionSink = options.sessions;
    this.claims = new StringTable(this.scope === 'members' ? 0 : options.expectedLines);
    this.members = new StringTable(this.scope === 'duplicates' ? 0 : options.expectedLines);
    this.facts = new FactStore(this.members, this.claims);
  }

  /** Records rejected before any chunk (by the framer). */
  addRejected(records: readonly RejectedRecord[]): void {
    for (const record of records) this.rejected.push(record);
  }

  add(partial: ChunkPartial): void {
    this.checked += partial.checked;
    this.indexLines += partial.indexLines;
    this.addRejected(partial.rejected);
    for (const item of partial.findings) this.findings.push(item);
    for (const { line, echo } of partial.echoes) this.echoes.set(line, echo);
    partial.packLines.forEach((count, pack) => {
      this.packLines[pack]! += count;
    });

    const { lines, keys, facts } = partial;
    const { bytes, ends } = keys;
    const countsMembers = this.scope !== 'duplicates';
    const tracksDuplicates = this.scope !== 'members';
    let nextFact = 0;
    let nextClaimFinding = 0;
    const payerIds = facts.length === 0 ? [] : partial.payers.map((payer) => this.facts.payerId(payer));
    for (let position = 0; position < lines.length; position += 1) {
      const line = lines[position]!;
      const base = position * KEY_CELL_COUNT;
      const claimStart = base === 0 ? 0 : ends[base - 1]!;
      const claimEnd = ends[base + CELL.claimId]!;
      const lineNoEnd = ends[base + CELL.lineNo]!;
      const memberEnd = ends[base + CELL.memberKey]!;
      const claim = claimEnd === claimStart ? -1 : this.claims.internBytes(bytes, claimStart, claimEnd);
      const member =
        countsMembers && memberEnd > lineNoEnd ? this.members.internBytes(bytes, lineNoEnd, memberEnd) : -1;
      if (tracksDuplicates && claim >= 0)
        nextClaimFinding = this.noteClaimLine(partial, position, claim, nextClaimFinding);
      // Facts are a subset of the lines, in the same order: reuse the ids just looked up.
      if (nextFact < facts.length && facts[nextFact] === position) {
        this.facts.add(
          line,
          member,
          claim,
          facts[nextFact + 1]!,
          facts[nextFact + 2]!,
          facts[nextFact + 3]!,
          partial.plainLineNos[position]!,
          facts[nextFact + 4]!,
          payerIds[facts[nextFact + 5]!]!,
          keys,
          position,
        );
        nextFact += FACT_WIDTH;
      }
      if (!tracksDuplicates || claim < 0 || lineNoEnd === claimEnd) continue;
      const lineNumber = partial.plainLineNos[position]!;
      this.trackOccurrence(claim, lineNumber, bytes, claimEnd, lineNoEnd, line, partial, position);
    }
    // With a sink and lines in order, a merge of the whole batch hands on its findings as they pile up.
    if (this.linesInOrder) this.flush(this.flushAt);
  }

  /**
   * Notes a line of claim `claim`: whether it is a cisternography line, and the claim findings on it
   * (in line order, as the lines are; `next` is the first not yet taken). Returns the next one.
   */
  private noteClaimLine(partial: ChunkPartial, position: number, claim: number, next: number): number {
    const { keys, claimFindings } = partial;
    const line = partial.lines[position]!;
    if (isCisternography(keys, position)) this.cisternographyClaims.add(claim);
    let at = next;
    while (at < claimFindings.length && claimFindings[at]!.line === line) {
      const echo = this.echoes.get(line) ?? echoAt(keys, position, this.packName(partial.books[position]!));
      this.pendingClaimFindings.push({ finding: claimFindings[at++]!, claim, echo });
    }
    return at;
  }

  /** Hands every session line (62323, 64483, 64484 with a valid member and date) to the session sink. */
  private recordSessions(): void {
    const sink = this.sessionSink;
    if (sink === undefined) return;
    const { facts } = this;
    const records: SessionRecordInput[] = [];
    facts.forEachRowWhere(isSessionFact, (row) => {
      records.push(sessionRecordAt(facts, row, sink.batchId));
      if (records.length >= SESSIONS_PER_HANDOFF) {
        sink.add(records);
        records.length = 0;
      }
    });
    if (records.length > 0) sink.add(records);
  }

  private packName(book: number): string {
    return this.books.books[book]!.packName;
  }

  /** DUPLICATE_LINE on `line`, judged by the line's book. */
  private pushDuplicate(line: number, first: number, book: number): void {
    const at = this.findings.length;
    this.findings.push(duplicateLine(line, first));
    judge(this.findings, at, () => this.books.books[book]!);
  }

  private first(key: number | string): number | undefined {
    return typeof key === 'number' ? this.lineNumbers.firstLine(key) : this.firstByText.get(key);
  }

  private setFirst(key: number | string, line: number): void {
    if (typeof key === 'number') this.lineNumbers.setFirstLine(key, line);
    else this.firstByText.set(key, line);
  }

  /**
   * Notes the line's (claim, line_no) pair. `number` is line_no when plain, else -1; then line_no is
   * bytes [start, end) of the keys.
   */
  private trackOccurrence(
    claim: number,
    number: number,
    bytes: Uint8Array,
    start: number,
    end: number,
    line: number,
    partial: ChunkPartial,
    position: number,
  ): void {
    const { keys } = partial;
    const book = partial.books[position]!;
    if (this.linesInOrder) {
      if (line <= this.lastLine) throw new Error(`partials out of line order at line ${line}`);
      this.lastLine = line;
    }
    let key: number | string;
    let first: number | undefined;
    if (number >= 0) {
      key = this.lineNumbers.find(claim, number);
      if (key < 0) key = this.lineNumbers.add(claim, number, line);
      else first = this.lineNumbers.firstLine(key);
    } else {
      key = `${claim}\u001f${Buffer.from(bytes.subarray(start, end)).toString('utf8')}`;
      first = this.firstByText.get(key);
      if (first === undefined) this.firstByText.set(key, line);
    }
    if (first === undefined) {
      if (!this.linesInOrder) {
        this.firstEchoes.set(key, echoAt(keys, position, this.packName(book)));
        this.firstBooks.set(key, book);
      }
      return;
    }
    if (line > first) {
      this.echoes.set(line, this.echoes.get(line) ?? echoAt(keys, position, this.packName(book)));
      // In line order a first occurrence stays first: the finding is final now.
      if (this.linesInOrder) {
        this.pushDuplicate(line, first, book);
        this.flush(this.flushAt);
      } else this.repeats.push({ line, key, book });
      return;
    }
    // An earlier occurrence arrived late: the old first becomes a repeat.
    this.repeats.push({ line: first, key, book: this.firstBooks.get(key)! });
    this.echoes.set(first, this.echoes.get(first) ?? this.firstEchoes.get(key)!);
    this.setFirst(key, line);
    this.firstEchoes.set(key, echoAt(keys, position, this.packName(book)));
    this.firstBooks.set(key, book);
  }

  /** Hands the findings so far to the sink, once there are `atLeast` of them. */
  private flush(atLeast: number): void {
    const { findings, sink } = this;
    if (sink === undefined || findings.length < atLeast) return;
    sink.addRun(findings, (line) => this.echoes.get(line)!);
    // A line flagged again after its flush gets its echo again (echoAt, echoOfFact): the same echo.
    for (const { line } of findings) this.echoes.delete(line);
    findings.length = 0;
  }

  async finish(history: HistorySource = NO_HISTORY): Promise<MergedBatch> {
    const findings = this.findings;
    for (const { line, key, book } of this.repeats) this.pushDuplicate(line, this.first(key)!, book);
    for (const { finding, claim, echo } of this.pendingClaimFindings) {
      if (this.cisternographyClaims.has(claim)) continue;
      findings.push(finding);
      if (!this.echoes.has(finding.line)) this.echoes.set(finding.line, echo);
    }
    this.pendingClaimFindings.length = 0;
    this.flush(this.flushAt);
    const facts = this.facts;
    const earlier: SessionHistory = await history.priorSessions(facts.membersWhere(isIndexFact));
    const context = (prior: readonly PriorSession[]): MemberContext => ({
      prior,
      claimIdOf: (fact: CrossFact) => facts.claimIdAt(fact.row),
      npiOf: (fact: CrossFact) => facts.npiTextAt(fact.row),
    });
    await facts.forEachMemberWhere(
      isIndexFact,
      (rows, from, to) => {
        const memberFacts = crossFactsAt(facts, rows, from, to, this.books);
        const before = findings.length;
        const prior =
          earlier.size === 0 ? NO_SESSIONS : (earlier.get(facts.memberKeyAt(rows[from]!)) ?? NO_SESSIONS);
        evaluateMember(memberFacts, context(prior), findings);
        if (findings.length === before) return;
        // Each finding is judged by the book of the line it is on.
        const factAt = new Map(memberFacts.map((fact) => [fact.line, fact]));
        judge(findings, before, (line) => factAt.get(line)!.book);
        // Echo the newly flagged lines now: the member's facts are garbage once this call returns.
        for (let index = before; index < findings.length; index += 1) {
          const { line } = findings[index]!;
          if (!this.echoes.has(line)) this.echoes.set(line, echoOfFact(facts, factAt.get(line)!));
        }
        this.flush(this.flushAt);
      },
      breathe,
    );
    this.flush(1);
    this.recordSessions();

    findings.sort(byLineThenRule);
    const echoes = new Map<number, LineEcho>();
    for (const item of findings)
      if (!echoes.has(item.line)) echoes.set(item.line, this.echoes.get(item.line)!);
    this.echoes.clear();

    return {
      checked: this.checked,
      rejectedRecords: [...this.rejected].sort((a, b) => a.line - b.line),
      // A members partition interns claim ids only to echo them; the duplicates side counts claims.
      claims: this.scope === 'members' ? 0 : this.claims.size,
      members: this.members.size,
      indexLines: this.indexLines,
      packLines: this.packLines,
      findings,
      echoes,
    };
  }
}

/** Sessions handed to the sink at once: the sink copies or writes them before the next. */
const SESSIONS_PER_HANDOFF = 5000;

function isCisternography(keys: PackedKeys, position: number): boolean {
  const cell = position * KEY_CELL_COUNT + CELL.code;
  const start = keys.ends[cell - 1]!;
  const length = keys.ends[cell]! - start;
  // Runs for every line with a claim id: a plain loop, nothing allocated.
  for (const code of CISTERNOGRAPHY) {
    if (code.length !== length) continue;
    let at = 0;
    while (at < length && keys.bytes[start + at] === code[at]) at += 1;
    if (at === length) return true;
  }
  return false;
}

export const byLineThenRule = (a: Finding, b: Finding): number =>
  a.line - b.line || (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0);

function echoAt(keys: PackedKeys, position: number, rulePack: string): LineEcho {
  const cell = (name: keyof typeof CELL) => cellText(keys, position, CELL[name]);
  const memberId = cell('memberId');
  return echoOf(
    {
      claimId: cell('claimId'),
      lineNo: cell('lineNo'),
      memberId: memberId === '' ? cell('memberKey') : memberId,
      dosText: cell('dosText'),
      code: cell('code'),
      chargeText: cell('chargeText'),
      encounterNpi: cell('npi'),
      payer: cell('payer'),
    },
    rulePack,
  );
}
