/** Fast lookups derived from the rule catalog (the catalog stays the one place the facts live). */
import {
  AXIAL_DIAGNOSES,
  CODES,
  COVERED_DIAGNOSES,
  EXEMPT_DIAGNOSES,
  MODIFIERS,
  PLACES_OF_SERVICE,
  RETIRED_DIAGNOSES,
  RETIRED_PROCEDURES,
} from '../rules/catalog.js';
import { parseDate } from './values.js';

const set = (codes: readonly string[]): ReadonlySet<string> => new Set(codes);

const retiredFrom = (
  entries: typeof RETIRED_PROCEDURES,
): ReadonlyMap<string, { from: number; text: string }> =>
  new Map(
    entries.flatMap(({ codes, from }) => codes.map((code) => [code, { from: parseDate(from)!, text: from }])),
  );

export const SETS = {
  imaging: set(CODES.imaging),
  noImagingTwin: set(CODES.noImagingTwin),
  catheter: set(CODES.catheter),
  otherRegion: set(CODES.otherRegion),
  otherSpinal: set(CODES.otherSpinal),
  evaluationAndManagement: set(CODES.evaluationAndManagement),
  sedation: set(CODES.sedation),
  steroid: set(CODES.steroid),
  frequencyCounted: set(CODES.frequencyCounted),
  bilateral: set(MODIFIERS.bilateral),
  notAllowedOnIndex: set(MODIFIERS.notAllowedOnIndex),
  liability: set(MODIFIERS.liability),
  posAllowed: set(PLACES_OF_SERVICE.allowedForIndex),
  posUnusual: set(PLACES_OF_SERVICE.unusualForIndex),
  posFacility: set(PLACES_OF_SERVICE.facility),
  axial: set(AXIAL_DIAGNOSES),
  exempt: set(EXEMPT_DIAGNOSES),
  covered: set(COVERED_DIAGNOSES.flatMap((group) => group.codes)),
  retiredProcedures: retiredFrom(RETIRED_PROCEDURES),
  retiredDiagnoses: retiredFrom(RETIRED_DIAGNOSES),
} as const;

/** Codes that take part in some cross-line rule: only these lines are carried to the merge. */
export const CROSS_LINE_CODES: ReadonlySet<string> = new Set([
  ...CODES.imaging,
  ...CODES.noImagingTwin,
  ...CODES.catheter,
  ...CODES.otherRegion,
  ...CODES.otherSpinal,
  ...CODES.evaluationAndManagement,
  ...CODES.sedation,
  ...CODES.steroid,
  ...CODES.frequencyCounted,
]);
