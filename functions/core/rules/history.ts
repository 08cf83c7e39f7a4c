/**
 * Frequency and history rules: what earlier lines say about a line. FREQUENCY_EXCEEDED counts a
 * member's session dates, in this batch and in earlier batches' history; DUPLICATE_LINE is decided
 * where the merge sees every (claim, line number) pair (engine/accumulator.ts).
 */
import type { CrossFact } from '../engine/cross-facts.js';
import { type Finding, finding } from '../engine/finding.js';
import { ascending, countBetween, groupBy, lowerBound } from '../engine/grouping.js';
import { lowestOfBoth, RELATED_LIMIT, withTotal } from '../engine/related.js';
import { formatDay } from '../engine/values.js';
import { FREQUENCY, INDEX_CODE, type RulePack } from './catalog.js';
import { codesOf } from './code-sets.js';

/** A rule over all of one member's facts, with the dates of the member's earlier sessions. */
export type MemberRule = (
  memberFacts: readonly CrossFact[],
  earlierDates: readonly number[],
  rulePack: RulePack,
  out: Finding[],
) => void;

const COUNTED = codesOf('FREQUENCY_EXCEEDED');

/**
 * Every 62323 line on a date whose 12-month window (ending that date) holds more session dates than
 * the limit, related to the 62323 lines of the earlier dates in the window.
 */
export function frequencyExceeded(
  memberFacts: readonly CrossFact[],
  earlierDates: readonly number[],
  rulePack: RulePack,
  out: Finding[],
): void {
  const limit = rulePack.frequencyLimit;
  const dates = new Set<number>(earlierDates);
  for (const fact of memberFacts) if (COUNTED.has(fact.code)) dates.add(fact.dos);
  const sorted = [...dates].sort(ascending);
  const indexByDate = groupBy(
    memberFacts.filter((fact) => fact.code === INDEX_CODE),
    (fact) => fact.dos,
  );
  const indexDates = [...indexByDate.keys()].sort(ascending);
  // Index lines before each date (for the totals), and the lowest lines of each date (for the lists).
  const before = new Int32Array(indexDates.length + 1);
  indexDates.forEach((date, at) => {
    before[at + 1] = before[at]! + indexByDate.get(date)!.length;
  });
  let lowest: ((from: number, to: number) => readonly number[]) | undefined;
  for (const [position, date] of indexDates.entries()) {
    const from = date - FREQUENCY.lookbackDays;
    const inWindow = countBetween(sorted, from, date);
    if (inWindow <= limit) continue;
    // Index dates in the window are a contiguous run of the sorted dates ending here.
    const first = lowerBound(indexDates, from);
    lowest ??= lowestInRuns(indexDates.map((day) => lowestLines(indexByDate.get(day)!)));
    const related = lowest(first, position);
    const message = withTotal(
      `${inWindow} session dates in the 12 months ending ${formatDay(date)} (from ${formatDay(from)}); the limit is ${limit}`,
      before[position]! - before[first]!,
    );
    for (const fact of indexByDate.get(date)!)
      out.push(finding(fact.line, 'FREQUENCY_EXCEEDED', message, related));
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

export const MEMBER_RULES: readonly MemberRule[] = [frequencyExceeded];

/** A later line with the claim id and line number of `firstLine`. */
export const duplicateLine = (line: number, firstLine: number): Finding =>
  finding(line, 'DUPLICATE_LINE', `claim and line number already appear on line ${firstLine}`, [firstLine]);
