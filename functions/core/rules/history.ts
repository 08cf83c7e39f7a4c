/**
 * Frequency and history rules: what earlier lines say about a line. FREQUENCY_EXCEEDED counts a
 * member's session dates, in this batch and in earlier batches' history; DUPLICATE_LINE is decided
 * where the merge sees every (claim, line number) pair (engine/accumulator.ts).
 */
import type { CrossFact } from '../engine/cross-facts.js';
import { type Finding, finding } from '../engine/finding.js';
import { ascending, countBetween, groupBy, lowerBound } from '../engine/grouping.js';
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
  for (const [position, date] of indexDates.entries()) {
    const from = date - FREQUENCY.lookbackDays;
    const inWindow = countBetween(sorted, from, date);
    if (inWindow <= limit) continue;
    // Index dates in the window are a contiguous run of the sorted dates ending here.
    const related: number[] = [];
    for (let other = lowerBound(indexDates, from); other < position; other += 1) {
      for (const fact of indexByDate.get(indexDates[other]!)!) related.push(fact.line);
    }
    related.sort(ascending);
    const message = `${inWindow} session dates in the 12 months ending ${formatDay(date)} (from ${formatDay(from)}); the limit is ${limit}`;
    for (const fact of indexByDate.get(date)!)
      out.push(finding(fact.line, 'FREQUENCY_EXCEEDED', message, related));
  }
}

export const MEMBER_RULES: readonly MemberRule[] = [frequencyExceeded];

/** A later line with the claim id and line number of `firstLine`. */
export const duplicateLine = (line: number, firstLine: number): Finding =>
  finding(line, 'DUPLICATE_LINE', `claim and line number already appear on line ${firstLine}`, [firstLine]);
