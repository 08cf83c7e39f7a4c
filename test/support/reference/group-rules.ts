/**
 * Cross-line rules over groups of the batch: duplicates (claim_id, line_no), and the encounter and
 * session rules of rules.md B, each found through a map — never by comparing every pair of lines.
 */
import {
  CATHETER_CODES,
  EM_CODES,
  FACILITY_POS,
  INDEX_CODE,
  isAnesthesiaCode,
  NO_IMAGING_TWIN_CODES,
  OTHER_REGION_CODES,
  OTHER_SPINAL_CODES,
  type RuleId,
  SEDATION_CODES,
  STEROID_CEILINGS,
  STEROID_CODES,
} from './catalog.js';
import type { FindingList } from './findings.js';
import { type Line, takesPart } from './lines.js';

/** Lines grouped by a key, each group in file order; lines without a key are left out. */
export function groupBy(
  lines: readonly Line[],
  keyOf: (line: Line) => string | undefined,
): Map<string, Line[]> {
  const groups = new Map<string, Line[]>();
  for (const line of lines) {
    const key = keyOf(line);
    if (key === undefined) continue;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [line]);
    else group.push(line);
  }
  return groups;
}

const SEP = '\u0000';
const encounterKey = (line: Line): string | undefined =>
  takesPart(line) ? [line.member, line.dos, line.encounterNpi].join(SEP) : undefined;
const sessionKey = (line: Line): string | undefined =>
  takesPart(line) ? [line.member, line.dos].join(SEP) : undefined;

/** Lines with an empty claim_id or line_no are not duplicates of each other (they are MISSING_FIELD). */
export function duplicateRule(lines: readonly Line[], out: FindingList): void {
  const keyOf = (line: Line): string | undefined =>
    line.text.claim_id === '' || line.text.line_no === ''
      ? undefined
      : line.text.claim_id + SEP + line.text.line_no;
  for (const group of groupBy(lines, keyOf).values()) {
    const [first, ...later] = group;
    for (const line of later) out.add(line, 'DUPLICATE_LINE', [first!.line]);
  }
}

interface PairRule {
  readonly id: RuleId;
  readonly scope: 'encounter' | 'session';
  /** Whether a (non-index) line of a group with an index line gets this finding. */
  readonly matches: (line: Line) => boolean;
}

const steroidOverCeiling = (line: Line): boolean => {
  const ceiling = STEROID_CEILINGS.get(line.code);
  return ceiling !== undefined && line.units !== undefined && line.units > ceiling;
};

const PAIR_RULES: readonly PairRule[] = [
  {
    id: 'IMAGING_BUNDLED',
    scope: 'encounter',
    // The imaging line's own pack and date decide what counts as imaging.
    matches: (line) => line.judge.inList('imagingCodes', line.code, line.dos),
  },
  { id: 'NO_IMAGING_TWIN', scope: 'encounter', matches: (line) => NO_IMAGING_TWIN_CODES.has(line.code) },
  { id: 'CATHETER_TWIN', scope: 'encounter', matches: (line) => CATHETER_CODES.has(line.code) },
  {
    id: 'EM_SAME_DAY_NO_25',
    scope: 'encounter',
    matches: (line) => EM_CODES.has(line.code) && !line.modifiers.includes('25'),
  },
  { id: 'ANESTHESIA_BY_PROCEDURALIST', scope: 'encounter', matches: (line) => isAnesthesiaCode(line.code) },
  {
    id: 'DRUG_IN_FACILITY',
    scope: 'encounter',
    matches: (line) => STEROID_CODES.has(line.code) && FACILITY_POS.has(line.text.place_of_service),
  },
  { id: 'DRUG_UNITS_HIGH', scope: 'encounter', matches: steroidOverCeiling },
  { id: 'ONE_REGION_PER_SESSION', scope: 'session', matches: (line) => OTHER_REGION_CODES.has(line.code) },
  { id: 'SAME_SESSION_OTHER_SPINAL', scope: 'session', matches: (line) => OTHER_SPINAL_CODES.has(line.code) },
  { id: 'SEDATION_SAME_SESSION', scope: 'session', matches: (line) => SEDATION_CODES.has(line.code) },
];

/** Findings on the other lines of groups that hold an index line; related = the group's index lines. */
function pairRules(groups: Map<string, Line[]>, scope: PairRule['scope'], out: FindingList): void {
  const rules = PAIR_RULES.filter((rule) => rule.scope === scope);
  for (const group of groups.values()) {
    const indexLines = group.filter((line) => line.code === INDEX_CODE).map((line) => line.line);
    if (indexLines.length === 0) continue;
    // Index lines are not "the other line" even if a pack lists 62323 as imaging (a nonsense list).
    for (const line of group) {
      if (line.code === INDEX_CODE) continue;
      for (const rule of rules) if (rule.matches(line)) out.add(line, rule.id, indexLines);
    }
  }
}

/** UNITS_EXCEED_MUE: 62323 units over an encounter above 1; units that are not whole numbers ≥ 1 add nothing. */
function unitsRule(encounters: Map<string, Line[]>, out: FindingList): void {
  for (const group of encounters.values()) {
    const indexLines = group.filter((line) => line.code === INDEX_CODE);
    const units = indexLines.reduce((sum, line) => sum + (line.units ?? 0), 0);
    if (units <= 1) continue;
    const numbers = indexLines.map((line) => line.line);
    for (const line of indexLines) out.add(line, 'UNITS_EXCEED_MUE', numbers);
  }
}

export function encounterAndSessionRules(lines: readonly Line[], out: FindingList): void {
  const encounters = groupBy(lines, encounterKey);
  pairRules(encounters, 'encounter', out);
  unitsRule(encounters, out);
  pairRules(groupBy(lines, sessionKey), 'session', out);
}
