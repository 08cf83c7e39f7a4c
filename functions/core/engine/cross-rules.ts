/**
 * Rules that need other lines: encounter, session and frequency rules. A chunk keeps only the facts
 * these rules need (lines whose code takes part in one of them, packed into numbers); facts from any
 * chunks, merged in any order, give the same findings as the whole batch at once.
 */
import { FREQUENCY, INDEX_CODE, MODIFIERS, type RuleId } from '../rules/catalog.js';
import type { ClaimLine } from './claim-line.js';
import { CROSS_LINE_CODES, SETS } from './code-sets.js';
import { type Finding, finding } from './finding.js';
import { formatDay } from './values.js';

/**
 * What a cross-line rule needs to know of one line. Numbers where the rules only compare: the
 * fact store echoes a flagged line's cells from its row, so unflagged lines never become strings.
 */
export interface CrossFact {
  readonly line: number;
  /** Where the fact store keeps the line (for its echo). */
  readonly row: number;
  readonly dos: number;
  /** The rendering NPI's table id: equal ids, equal NPIs (an empty NPI is one more id). */
  readonly npi: number;
  readonly code: string;
  /** 0 when the units are not a whole number ≥ 1 (left out of unit sums). */
  readonly units: number;
  readonly has25: boolean;
  readonly pos: string;
}

/** Member → dates (day numbers) of earlier sessions that count toward the frequency limit. */
export type SessionHistory = ReadonlyMap<string, readonly number[]>;

/** Codes a fact can carry, by id (the id is what a partial stores). */
export const FACT_CODES: readonly string[] = [...CROSS_LINE_CODES];
const FACT_CODE_ID = new Map(FACT_CODES.map((code, id) => [code, id]));
const TWO_DIGITS = /^\d{2}$/;

/**
 * The code, modifier 25 and place of service of a line that cross-line rules need, in one number:
 * code id (bits 0–6), modifier 25 (bit 7), place of service + 1 (bits 8–15; 0 when not two digits).
 * Undefined for lines no cross-line rule looks at.
 */
export function packedFactOf(line: ClaimLine): number | undefined {
  if (line.memberKey === '' || line.dos === undefined) return undefined;
  const code = FACT_CODE_ID.get(line.code);
  if (code === undefined) return undefined;
  const pos = TWO_DIGITS.test(line.pos) ? Number(line.pos) + 1 : 0;
  return code | (line.modifiers.includes(MODIFIERS.separateEvaluation) ? 0x80 : 0) | (pos << 8);
}

/** Places of service as written (`01` … `99`), by packed value. */
const POS_TEXT = Array.from({ length: 100 }, (_, pos) => String(pos).padStart(2, '0'));

export const factCode = (packed: number): string => FACT_CODES[packed & 0x7f]!;
export const factHas25 = (packed: number): boolean => (packed & 0x80) !== 0;
export const factPos = (packed: number): string => {
  const pos = ((packed >> 8) & 0xff) - 1;
  return pos < 0 ? '' : POS_TEXT[pos]!;
};

export const isIndexFact = (packed: number): boolean => (packed & 0x7f) === FACT_CODE_ID.get(INDEX_CODE);

const ascending = (a: number, b: number) => a - b;
const linesOf = (facts: readonly CrossFact[]): number[] => facts.map((fact) => fact.line).sort(ascending);

/** Cross-line findings of one member: `memberFacts` are all of the member's facts in the batch. */
export function evaluateMember(
  memberFacts: readonly CrossFact[],
  earlierDates: readonly number[],
  frequencyLimit: number,
  out: Finding[],
): void {
  if (!memberFacts.some((fact) => fact.code === INDEX_CODE)) return;
  for (const session of groupBy(memberFacts, (fact) => fact.dos).values()) checkSession(session, out);
  checkFrequency(memberFacts, earlierDates, frequencyLimit, out);
}

function checkSession(session: readonly CrossFact[], out: Finding[]): void {
  const indexFacts = session.filter((fact) => fact.code === INDEX_CODE);
  if (indexFacts.length === 0) return;
  const sessionIndexLines = linesOf(indexFacts);
  const flag = (fact: CrossFact, ruleId: RuleId, message: string, related: readonly number[]) =>
    out.push(finding(fact.line, ruleId, message, related));

  for (const encounter of groupBy(session, (fact) => fact.npi).values()) {
    const encounterIndex = encounter.filter((fact) => fact.code === INDEX_CODE);
    const encounterIndexLines = linesOf(encounterIndex);
    const units = encounterIndex.reduce((sum, fact) => sum + fact.units, 0);
    if (units > 1) {
      for (const fact of encounterIndex) {
        const others = encounterIndexLines.filter((line) => line !== fact.line);
        flag(
          fact,
          'UNITS_EXCEED_MUE',
          `${units} units of 62323 in one encounter; the limit is 1 (one level per session)`,
          others,
        );
      }
    }
    if (encounterIndex.length === 0) continue;
    for (const fact of encounter) {
      const { code } = fact;
      if (SETS.imaging.has(code)) {
        flag(
          fact,
          'IMAGING_BUNDLED',
          `${code} imaging guidance is included in 62323; no modifier unbundles it`,
          encounterIndexLines,
        );
      } else if (SETS.noImagingTwin.has(code)) {
        flag(
          fact,
          'NO_IMAGING_TWIN',
          '62322 (without imaging) and 62323 (with imaging) exclude each other',
          encounterIndexLines,
        );
      } else if (SETS.catheter.has(code)) {
        flag(
          fact,
          'CATHETER_TWIN',
          `catheter epidural ${code} billed with 62323 in one encounter`,
          encounterIndexLines,
        );
      } else if (SETS.evaluationAndManagement.has(code) && !fact.has25) {
        flag(
          fact,
          'EM_SAME_DAY_NO_25',
          `E/M ${code} on the day of 62323 needs modifier 25 for a separate evaluation`,
          encounterIndexLines,
        );
      } else if (SETS.steroid.has(code) && SETS.posFacility.has(fact.pos)) {
        flag(
          fact,
          'DRUG_IN_FACILITY',
          `steroid ${code} in place of service ${fact.pos}: the drug is the facility's cost`,
          encounterIndexLines,
        );
      }
    }
  }

  for (const fact of session) {
    const { code } = fact;
    if (SETS.otherRegion.has(code)) {
      flag(
        fact,
        'ONE_REGION_PER_SESSION',
        `${code} is a cervical/thoracic epidural: one spinal region per session`,
        sessionIndexLines,
      );
    } else if (SETS.otherSpinal.has(code)) {
      flag(
        fact,
        'SAME_SESSION_OTHER_SPINAL',
        `${code} is another spinal procedure in the 62323 session`,
        sessionIndexLines,
      );
    } else if (SETS.sedation.has(code)) {
      flag(
        fact,
        'SEDATION_SAME_SESSION',
        `sedation ${code} with 62323: not routinely necessary`,
        sessionIndexLines,
      );
    }
  }
}

function checkFrequency(
  memberFacts: readonly CrossFact[],
  earlier: readonly number[],
  limit: number,
  out: Finding[],
): void {
  const dates = new Set<number>(earlier);
  for (const fact of memberFacts) if (SETS.frequencyCounted.has(fact.code)) dates.add(fact.dos);
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

/** Values of sorted `values` within [from, to]. */
function countBetween(values: readonly number[], from: number, to: number): number {
  return lowerBound(values, to + 1) - lowerBound(values, from);
}

function lowerBound(values: readonly number[], target: number): number {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (values[middle]! < target) low = middle + 1;
    else high = middle;
  }
  return low;
}

function groupBy<T, K>(items: Iterable<T>, keyOf: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}
