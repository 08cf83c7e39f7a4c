/** Fast lookups derived from the rule catalog (the catalog stays the one place the facts live). */
import { parseDate } from '../engine/values.js';
import {
  ANESTHESIA_RANGE,
  CODES,
  INDEX_CODE,
  MODIFIERS,
  PLACES_OF_SERVICE,
  RETIRED_DIAGNOSES,
  RETIRED_PROCEDURES,
  RULE_IDS,
  RULES,
  type RuleDefinition,
  type RuleId,
} from './catalog.js';

const set = (codes: readonly string[]): ReadonlySet<string> => new Set(codes);

const retiredFrom = (
  entries: typeof RETIRED_PROCEDURES,
): ReadonlyMap<string, { from: number; text: string }> =>
  new Map(
    entries.flatMap(({ codes, from }) => codes.map((code) => [code, { from: parseDate(from)!, text: from }])),
  );

/** The code list a rule's catalog entry names, if any. */
function listOf(ruleId: RuleId): readonly string[] | undefined {
  const rule: RuleDefinition = RULES[ruleId];
  return rule.codes === undefined ? undefined : CODES[rule.codes];
}

const LISTED = new Map<RuleId, ReadonlySet<string>>();
for (const ruleId of RULE_IDS) {
  const codes = listOf(ruleId);
  if (codes !== undefined) LISTED.set(ruleId, set(codes));
}

/** The codes a rule looks for, as its catalog entry names them. */
export function codesOf(ruleId: RuleId): ReadonlySet<string> {
  const codes = LISTED.get(ruleId);
  if (codes === undefined) throw new Error(`${ruleId} names no code list in the catalog`);
  return codes;
}

export const SETS = {
  frequencyCounted: codesOf('FREQUENCY_EXCEEDED'),
  bilateral: set(MODIFIERS.bilateral),
  notAllowedOnIndex: set(MODIFIERS.notAllowedOnIndex),
  liability: set(MODIFIERS.liability),
  posUnusual: set(PLACES_OF_SERVICE.unusualForIndex),
  posFacility: set(PLACES_OF_SERVICE.facility),
  cisternography: set(CODES.cisternography),
  retiredProcedures: retiredFrom(RETIRED_PROCEDURES),
  retiredDiagnoses: retiredFrom(RETIRED_DIAGNOSES),
} as const;

const FIVE_DIGITS = /^\d{5}$/;

/** An anesthesia code (CPT 00100–01999): a range, not a list, so it is tested rather than looked up. */
export function isAnesthesiaCode(code: string): boolean {
  if (!FIVE_DIGITS.test(code)) return false;
  const value = Number(code);
  return value >= ANESTHESIA_RANGE.from && value <= ANESTHESIA_RANGE.to;
}

/**
 * Codes that take part in some cross-line rule: only these lines are carried to the merge. The
 * union of every rule's list in catalog order (a code's position is its id in a partial), and the
 * index code, which every cross-line rule looks at.
 */
export const CROSS_LINE_CODES: ReadonlySet<string> = new Set([
  ...RULE_IDS.flatMap((ruleId) => listOf(ruleId) ?? []),
  INDEX_CODE,
]);
