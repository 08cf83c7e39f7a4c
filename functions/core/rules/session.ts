/**
 * Encounter and session rules: what may not be billed beside a 62323 line. An encounter is the
 * lines of one member, date of service and encounter NPI; a session, of one member and date.
 */
import type { CrossFact } from '../engine/cross-facts.js';
import { type Finding, finding } from '../engine/finding.js';
import type { RelatedLines } from '../engine/related.js';
import { type RuleId, STEROID_DOSE_CEILING } from './catalog.js';
import { isAnesthesiaCode, SETS } from './code-sets.js';

/**
 * A line of a listed kind in the encounter or the session of a 62323 line: that line is flagged,
 * related to the 62323 lines of the encounter or session. The kind is the rule's catalog list
 * (RULES[ruleId].codes) unless `isListed` says otherwise (a pack's list, a code range).
 */
export interface CodeListRule {
  readonly ruleId: RuleId;
  readonly within: 'encounter' | 'session';
  /** Whether the line is of the kind, when not by the catalog list. */
  readonly isListed?: (fact: CrossFact) => boolean;
  /** A further condition on the listed line. */
  readonly when?: (fact: CrossFact) => boolean;
  readonly message: (fact: CrossFact) => string;
}

export const CODE_LIST_RULES: readonly CodeListRule[] = [
  {
    ruleId: 'IMAGING_BUNDLED',
    within: 'encounter',
    // The pack of the imaging line decides what counts as imaging.
    isListed: (fact) => fact.book.lists.imagingCodes.has(fact.code),
    message: ({ code }) => `${code} imaging guidance is included in 62323; no modifier unbundles it`,
  },
  {
    ruleId: 'NO_IMAGING_TWIN',
    within: 'encounter',
    message: () => '62322 (without imaging) and 62323 (with imaging) exclude each other',
  },
  {
    ruleId: 'CATHETER_TWIN',
    within: 'encounter',
    message: ({ code }) => `catheter epidural ${code} billed with 62323 in one encounter`,
  },
  {
    ruleId: 'EM_SAME_DAY_NO_25',
    within: 'encounter',
    when: (fact) => !fact.has25,
    message: ({ code }) => `E/M ${code} on the day of 62323 needs modifier 25 for a separate evaluation`,
  },
  {
    ruleId: 'ANESTHESIA_BY_PROCEDURALIST',
    within: 'encounter',
    isListed: (fact) => isAnesthesiaCode(fact.code),
    message: ({ code }) => `anesthesia ${code} billed by the provider who performed the 62323 injection`,
  },
  {
    ruleId: 'DRUG_IN_FACILITY',
    within: 'encounter',
    when: (fact) => SETS.posFacility.has(fact.pos),
    message: ({ code, pos }) => `steroid ${code} in place of service ${pos}: the drug is the facility's cost`,
  },
  {
    ruleId: 'DRUG_UNITS_HIGH',
    within: 'encounter',
    when: (fact) => fact.units > (STEROID_DOSE_CEILING[fact.code]?.units ?? Number.POSITIVE_INFINITY),
    message: ({ code, units }) => {
      const ceiling = STEROID_DOSE_CEILING[code]!;
      return `${units} units of ${code}; one epidural dose is at most ${ceiling.units} (${ceiling.dose})`;
    },
  },
  {
    ruleId: 'ONE_REGION_PER_SESSION',
    within: 'session',
    message: ({ code }) => `${code} is a cervical/thoracic epidural: one spinal region per session`,
  },
  {
    ruleId: 'SAME_SESSION_OTHER_SPINAL',
    within: 'session',
    message: ({ code }) => `${code} is another spinal procedure in the 62323 session`,
  },
  {
    ruleId: 'SEDATION_SAME_SESSION',
    within: 'session',
    message: ({ code }) => `sedation ${code} with 62323: not routinely necessary`,
  },
];

/** A rule over the 62323 lines of one encounter (`indexLines`: their line numbers). */
export type EncounterRule = (
  indexFacts: readonly CrossFact[],
  indexLines: RelatedLines,
  out: Finding[],
) => void;

/** Units of 62323 in one encounter above 1: every 62323 line of it, related to the others. */
export function unitsExceedMue(
  indexFacts: readonly CrossFact[],
  indexLines: RelatedLines,
  out: Finding[],
): void {
  let units = 0;
  for (const fact of indexFacts) units += fact.units;
  if (units <= 1) return;
  const message = `${units} units of 62323 in one encounter; the limit is 1 (one level per session)`;
  for (const { line } of indexFacts)
    out.push(finding(line, 'UNITS_EXCEED_MUE', indexLines.message(message, line), indexLines.of(line)));
}

export const ENCOUNTER_RULES: readonly EncounterRule[] = [unitsExceedMue];
