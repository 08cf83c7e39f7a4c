/**
 * Frequency and history rules: what a member's other sessions say about a 62323 line. They count
 * the member's epidural session dates in this batch and in earlier batches' history; each 62323 line
 * is judged by the windows and days of its own book. DUPLICATE_LINE is decided where the merge sees
 * every (claim, line number) pair (engine/accumulator.ts).
 */
import type { CrossFact } from '../engine/cross-facts.js';
import { type Finding, finding } from '../engine/finding.js';
import { ascending, countBetween, groupBy, lowerBound } from '../engine/grouping.js';
import { lowestOfBoth, RELATED_LIMIT, withTotal } from '../engine/related.js';
import { formatDay } from '../engine/values.js';
import { CORRECTING_FREQUENCIES, INDEX_CODE } from './catalog.js';
import { SETS } from './code-sets.js';

/** A session of an earlier batch, as the rules read it (history-port.ts has the stored record). */
export interface PriorSession {
  readonly day: number;
  readonly code: string;
  /** The encounter NPI as written ('' when unknown). */
  readonly npi: string;
  readonly claimId: string;
  readonly batchId: string;
}

/** What a member rule knows besides the member's facts in this batch. */
export interface MemberContext {
  /** The member's sessions of earlier batches, any order. */
  readonly prior: readonly PriorSession[];
  readonly claimIdOf: (fact: CrossFact) => string;
  readonly npiOf: (fact: CrossFact) => string;
}

/** A rule over all of one member's facts. */
export type MemberRule = (memberFacts: readonly CrossFact[], context: MemberContext, out: Finding[]) => void;

const isSession = (fact: CrossFact): boolean => SETS.frequencyCounted.has(fact.code);
const CORRECTING: ReadonlySet<string> = new Set(CORRECTING_FREQUENCIES);
const isIndex = (fact: CrossFact): boolean => fact.code === INDEX_CODE;

/**
 * A member's session dates (batch and history) and its 62323 lines by date. Only the dates and the
 * 62323 lines are made up front: most members exceed nothing, so what messages and related lines need
 * is made when a rule fires.
 */
class MemberSessions {
  /** Distinct session dates, ascending. */
  readonly dates: number[];
  readonly indexByDate: Map<number, CrossFact[]>;
  /** Distinct dates with 62323 lines in this batch, ascending. */
  readonly indexDates: number[];
  private lowest: ((from: number, to: number) => readonly number[]) | undefined;
  private made: { before: Int32Array; sessionLines: Map<number, number[]> } | undefined;

  constructor(
    private readonly memberFacts: readonly CrossFact[],
    private readonly prior: readonly PriorSession[],
  ) {
    const dates = new Set<number>();
    for (const fact of memberFacts) if (isSession(fact)) dates.add(fact.dos);
    for (const session of prior) if (SETS.frequencyCounted.has(session.code)) dates.add(session.day);
    this.dates = [...dates].sort(ascending);
    this.indexByDate = groupBy(memberFacts.filter(isIndex), (fact) => fact.dos);
    this.indexDates = [...this.indexByDate.keys()].sort(ascending);
  }

  /** 62323 lines before each index date (totals), and the session lines of this batch by date. */
  private details(): { before: Int32Array; sessionLines: Map<number, number[]> } {
    if (this.made !== undefined) return this.made;
    const before = new Int32Array(this.indexDates.length + 1);
    this.indexDates.forEach((date, at) => {
      before[at + 1] = before[at]! + this.indexByDate.get(date)!.length;
    });
    const sessionLines = new Map<number, number[]>();
    for (const fact of this.memberFacts) {
      if (!isSession(fact)) continue;
      const lines = sessionLines.get(fact.dos);
      if (lines) lines.push(fact.line);
      else sessionLines.set(fact.dos, [fact.line]);
    }
    for (const lines of sessionLines.values()) lines.sort(ascending);
    this.made = { before, sessionLines };
    return this.made;
  }

  /** The batches history says billed `day` (none when this batch has a session that day). */
  private historyBatchesOn(day: number): string[] {
    if (this.details().sessionLines.has(day)) return [];
    const batches = new Set<string>();
    for (const session of this.prior)
      if (session.day === day && SETS.frequencyCounted.has(session.code)) batches.add(session.batchId);
    return [...batches].sort();
  }

  /** The 62323 lines of the index dates in [from, d), lowest first, and how many there are. */
  indexLinesBefore(from: number, position: number): { lines: readonly number[]; total: number } {
    const first = lowerBound(this.indexDates, from);
    this.lowest ??= lowestInRuns(this.indexDates.map((day) => lowestLines(this.indexByDate.get(day)!)));
    const { before } = this.details();
    return { lines: this.lowest(first, position), total: before[position]! - before[first]! };
  }

  /** Session lines of this batch on the dates in [from, to], lowest first, and how many there are. */
  sessionLinesBetween(from: number, to: number): { lines: readonly number[]; total: number } {
    let lines: readonly number[] = NONE;
    let total = 0;
    const { sessionLines } = this.details();
    for (let at = lowerBound(this.dates, from); at < this.dates.length && this.dates[at]! <= to; at += 1) {
      const found = sessionLines.get(this.dates[at]!);
      if (found === undefined) continue;
      total += found.length;
      lines = lowestOfBoth(lines, found.slice(0, RELATED_LIMIT));
    }
    return { lines, total };
  }

  /** "2026-03-02 (batch b1)" for the history-only dates in [from, to]; at most a few, then a count. */
  historyDatesBetween(from: number, to: number): string {
    const named: string[] = [];
    let more = 0;
    for (let at = lowerBound(this.dates, from); at < this.dates.length && this.dates[at]! <= to; at += 1) {
      const day = this.dates[at]!;
      const batches = this.historyBatchesOn(day);
      if (batches.length === 0) continue;
      if (named.length < HISTORY_NAMED)
        named.push(`${formatDay(day)} (${batches.map(batchName).join(', ')})`);
      else more += 1;
    }
    if (named.length === 0) return '';
    return `; from earlier batches: ${named.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
  }
}

/**
 * The member rules run back to back on one member's arrays: the rules that count sessions share the
 * MemberSessions of the member before them instead of building it again.
 */
let lastSessions:
  | { facts: readonly CrossFact[]; prior: readonly PriorSession[]; sessions: MemberSessions }
  | undefined;
function sessionsOf(memberFacts: readonly CrossFact[], prior: readonly PriorSession[]): MemberSessions {
  if (lastSessions?.facts === memberFacts && lastSessions.prior === prior) return lastSessions.sessions;
  const sessions = new MemberSessions(memberFacts, prior);
  lastSessions = { facts: memberFacts, prior, sessions };
  return sessions;
}

/** How a message names the batch of a prior session (a history file row may have none). */
const batchName = (batchId: string): string => (batchId === '' ? 'an earlier batch' : `batch ${batchId}`);

/** History dates a message names before it only counts the rest. */
const HISTORY_NAMED = 6;

/**
 * Every 62323 line on a date whose window (ending that date) holds more session dates than the
 * limit, for any window of the line's book; related to the 62323 lines of the earlier dates in the
 * widest window that is exceeded.
 */
export function frequencyExceeded(
  memberFacts: readonly CrossFact[],
  context: MemberContext,
  out: Finding[],
): void {
  const member = sessionsOf(memberFacts, context.prior);
  for (const [position, date] of member.indexDates.entries()) {
    const onDate = member.indexByDate.get(date)!;
    // Lines of one date nearly always share a book: group only when they do not.
    const sameBook = onDate.every((fact) => fact.book === onDate[0]!.book);
    for (const facts of sameBook ? [onDate] : groupBy(onDate, (fact) => fact.book).values())
      flagExceeded(member, position, date, facts, out);
  }
}

/** FREQUENCY_EXCEEDED on `facts` (62323 lines of one date and book) when a window of the book is exceeded. */
function flagExceeded(
  member: MemberSessions,
  position: number,
  date: number,
  facts: readonly CrossFact[],
  out: Finding[],
): void {
  const { windows } = facts[0]!.book.options.FREQUENCY_EXCEEDED;
  let exceeded: { limit: number; days: number; from: number; count: number }[] | undefined;
  for (const window of windows) {
    const from = date - (window.days - 1);
    const count = countBetween(member.dates, from, date);
    if (count <= window.limit) continue;
    exceeded ??= [];
    exceeded.push({ ...window, from, count });
  }
  if (exceeded === undefined) return;
  const widest = exceeded.reduce((a, b) => (b.days > a.days ? b : a));
  const related = member.indexLinesBefore(widest.from, position);
  const said = exceeded
    .map(
      (w) =>
        `${w.count} session dates in the ${w.days} days ending ${formatDay(date)}; the limit is ${w.limit}`,
    )
    .join('; ');
  const message = withTotal(`${said}${member.historyDatesBetween(widest.from, date)}`, related.total);
  for (const fact of facts) out.push(finding(fact.line, 'FREQUENCY_EXCEEDED', message, related.lines));
}

/** A 62323 line with another session date of the member fewer than the book's days before it. */
export function repeatTooSoon(
  memberFacts: readonly CrossFact[],
  context: MemberContext,
  out: Finding[],
): void {
  const index = memberFacts.filter((fact) => isIndex(fact) && fact.book.rules.REPEAT_TOO_SOON.enabled);
  if (index.length === 0) return;
  const member = sessionsOf(memberFacts, context.prior);
  for (const fact of index) {
    const { days } = fact.book.options.REPEAT_TOO_SOON;
    const from = fact.dos - (days - 1);
    const at = lowerBound(member.dates, fact.dos) - 1;
    const latest = at >= 0 ? member.dates[at]! : undefined;
    if (latest === undefined || latest < from) continue;
    const related = member.sessionLinesBetween(from, fact.dos - 1);
    const message = withTotal(
      `${fact.dos - latest} days after the session of ${formatDay(latest)}; the minimum is ${days}${member.historyDatesBetween(from, fact.dos - 1)}`,
      related.total,
    );
    out.push(finding(fact.line, 'REPEAT_TOO_SOON', message, related.lines));
  }
}

/** A 62323 line that an earlier batch billed for the same member, date and provider on another claim. */
export function priorBatchDuplicate(
  memberFacts: readonly CrossFact[],
  context: MemberContext,
  out: Finding[],
): void {
  const prior = context.prior.filter((session) => session.code === INDEX_CODE);
  if (prior.length === 0) return;
  const byDay = groupBy(prior, (session) => session.day);
  for (const fact of memberFacts) {
    if (!isIndex(fact) || CORRECTING.has(fact.claimFrequency)) continue;
    const sameDay = byDay.get(fact.dos);
    if (sameDay === undefined) continue;
    const npi = context.npiOf(fact);
    const claimId = context.claimIdOf(fact);
    const earlier = sameDay
      // A history row without provider or claim cannot show the same service on another claim.
      .filter((s) => s.npi !== '' && s.claimId !== '' && s.npi === npi && s.claimId !== claimId)
      .sort((a, b) =>
        a.batchId < b.batchId ? -1 : a.batchId > b.batchId ? 1 : a.claimId < b.claimId ? -1 : 1,
      )[0];
    if (earlier === undefined) continue;
    out.push(
      finding(
        fact.line,
        'PRIOR_BATCH_DUPLICATE',
        `${batchName(earlier.batchId)} already billed 62323 for this member, date and provider on claim ${earlier.claimId}`,
      ),
    );
  }
}

const lowestLines = (facts: readonly CrossFact[]): readonly number[] =>
  facts
    .map((fact) => fact.line)
    .sort(ascending)
    .slice(0, RELATED_LIMIT);

/**
 * The lowest lines of any run of consecutive groups (`lists`: each group's lowest lines, ascending),
 * from a segment tree: a run's answer merges a few nodes' lists, so a member with many dates stays linear.
 */
function lowestInRuns(
  lists: readonly (readonly number[])[],
): (from: number, to: number) => readonly number[] {
  let size = 1;
  while (size < lists.length) size <<= 1;
  const tree: (readonly number[])[] = new Array(2 * size).fill(NONE);
  lists.forEach((list, at) => {
    tree[size + at] = list;
  });
  for (let node = size - 1; node >= 1; node -= 1)
    tree[node] = lowestOfBoth(tree[2 * node]!, tree[2 * node + 1]!);
  return (from, to) => {
    let result = NONE;
    for (let left = from + size, right = to + size; left < right; left >>= 1, right >>= 1) {
      if (left & 1) result = lowestOfBoth(result, tree[left++]!);
      if (right & 1) result = lowestOfBoth(result, tree[--right]!);
    }
    return result;
  };
}

const NONE: readonly number[] = [];

export const MEMBER_RULES: readonly MemberRule[] = [frequencyExceeded, repeatTooSoon, priorBatchDuplicate];

/** A later line with the claim id and line number of `firstLine`. */
export const duplicateLine = (line: number, firstLine: number): Finding =>
  finding(line, 'DUPLICATE_LINE', `claim and line number already appear on line ${firstLine}`, [firstLine]);
