/**
 * Merges chunk partials into the result of the whole batch. Adding partials is order-free for
 * correctness: any chunking, added in any order, gives the same findings. When the caller promises
 * that partials arrive in line order (the CLI and the pipeline merge chunks in sequence), the
 * duplicate table need not remember an echo for every line, which is what keeps memory flat.
 */
import type { RejectedRecord } from '../intake/framer.js';
import { FACT_WIDTH, FactStore } from '../memory/fact-store.js';
import { LineNumberIndex } from '../memory/line-number-index.js';
import { CELL, cellText, KEY_CELL_COUNT, type PackedKeys } from '../memory/packed-keys.js';
import { StringTable } from '../memory/string-table.js';
import { DEFAULT_RULE_PACK, type RulePack } from '../rules/catalog.js';
import { duplicateLine } from '../rules/history.js';
import type { FindingSink } from './batch-findings.js';
import type { ChunkPartial } from './check-chunk.js';
import { echoFromRaw, type LineEcho } from './claim-line.js';
import { crossFactsAt, echoOfFact, isIndexFact } from './cross-facts.js';
import { evaluateMember, type SessionHistory } from './cross-rules.js';
import type { Finding } from './finding.js';
import { breathe } from './time-slice.js';

/** Looks up earlier sessions for the members that need them. */
export interface HistorySource {
  sessionDates(members: readonly string[]): Promise<SessionHistory>;
}

export const NO_HISTORY: HistorySource = { sessionDates: async () => new Map() };

export interface MergedBatch {
  readonly checked: number;
  readonly rejectedRecords: RejectedRecord[];
  readonly claims: number;
  readonly members: number;
  readonly indexLines: number;
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
  readonly rulePack?: RulePack;
  readonly scope?: AccumulatorScope;
  /** About how many lines will be added: sizes the tables up front. */
  readonly expectedLines?: number;
  /**
   * Where findings go, a few thousand at a time, instead of into the result: a partition whose
   * every line is flagged then holds no more than that.
   */
  readonly sink?: FindingSink;
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
  /** Later occurrences: their line and key. */
  private readonly repeats: { line: number; key: number | string }[] = [];
  private lastLine = 0;
  private readonly linesInOrder: boolean;
  private readonly rulePack: RulePack;
  private readonly scope: AccumulatorScope;
  private readonly sink: FindingSink | undefined;

  constructor(options: AccumulatorOptions = {}) {
    this.linesInOrder = options.linesInOrder ?? false;
    this.rulePack = options.rulePack ?? DEFAULT_RULE_PACK;
    this.scope = options.scope ?? 'batch';
    this.sink = options.sink;
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

    const { lines, keys, facts } = partial;
    const { bytes, ends } = keys;
    const countsMembers = this.scope !== 'duplicates';
    const tracksDuplicates = this.scope !== 'members';
    let nextFact = 0;
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
          keys,
          position,
        );
        nextFact += FACT_WIDTH;
      }
      if (!tracksDuplicates || claim < 0 || lineNoEnd === claimEnd) continue;
      const lineNumber = partial.plainLineNos[position]!;
      this.trackOccurrence(claim, lineNumber, bytes, claimEnd, lineNoEnd, line, keys, position);
    }
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
    keys: PackedKeys,
    position: number,
  ): void {
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
      if (!this.linesInOrder) this.firstEchoes.set(key, echoAt(keys, position));
      return;
    }
    if (line > first) {
      this.echoes.set(line, this.echoes.get(line) ?? echoAt(keys, position));
      // In line order a first occurrence stays first: the finding is final now.
      if (this.linesInOrder) {
        this.findings.push(duplicateLine(line, first));
        this.flush(FLUSH_FINDINGS);
      } else this.repeats.push({ line, key });
      return;
    }
    // An earlier occurrence arrived late: the old first becomes a repeat.
    this.repeats.push({ line: first, key });
    this.echoes.set(first, this.echoes.get(first) ?? this.firstEchoes.get(key)!);
    this.setFirst(key, line);
    this.firstEchoes.set(key, echoAt(keys, position));
  }

  /** Hands the findings so far to the sink, once there are `atLeast` of them. */
  private flush(atLeast: number): void {
    const { findings, sink } = this;
    if (sink === undefined || findings.length < atLeast) return;
    sink.addRun(findings, (line) => this.echoes.get(line)!);
    // A line's findings of this merge are all in one flush: one repeat, or one member's.
    for (const { line } of findings) this.echoes.delete(line);
    findings.length = 0;
  }

  async finish(history: HistorySource = NO_HISTORY): Promise<MergedBatch> {
    const findings = this.findings;
    for (const { line, key } of this.repeats) findings.push(duplicateLine(line, this.first(key)!));
    this.flush(FLUSH_FINDINGS);
    const facts = this.facts;
    const earlier: SessionHistory = await history.sessionDates(facts.membersWhere(isIndexFact));
    await facts.forEachMemberWhere(
      isIndexFact,
      (rows, from, to) => {
        const memberFacts = crossFactsAt(facts, rows, from, to);
        const before = findings.length;
        const earlierDates = earlier.size === 0 ? [] : (earlier.get(facts.memberKeyAt(rows[from]!)) ?? []);
        evaluateMember(memberFacts, earlierDates, this.rulePack, findings);
        if (findings.length === before) return;
        // Echo the newly flagged lines now: the member's facts are garbage once this call returns.
        const factAt = new Map(memberFacts.map((fact) => [fact.line, fact]));
        for (let index = before; index < findings.length; index += 1) {
          const { line } = findings[index]!;
          if (!this.echoes.has(line)) this.echoes.set(line, echoOfFact(facts, factAt.get(line)!));
        }
        this.flush(FLUSH_FINDINGS);
      },
      breathe,
    );
    this.flush(1);

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
      findings,
      echoes,
    };
  }
}

export const byLineThenRule = (a: Finding, b: Finding): number =>
  a.line - b.line || (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0);

function echoAt(keys: PackedKeys, position: number): LineEcho {
  const cell = (name: keyof typeof CELL) => cellText(keys, position, CELL[name]);
  const memberId = cell('memberId');
  return echoFromRaw(
    cell('claimId'),
    cell('lineNo'),
    memberId === '' ? cell('memberKey') : memberId,
    cell('dosText'),
    cell('code'),
    cell('chargeText'),
    cell('npi'),
  );
}
