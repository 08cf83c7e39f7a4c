/** Rules that look at one line only: the data rules (rules.md A) and the index line's own rules (B). */
import { isValidNpi } from '../npi.js';
import {
  ABN_MODIFIERS,
  BILATERAL_MODIFIERS,
  INDEX_CODE,
  NOT_ALLOWED_MODIFIERS,
  RETIRED_CODES,
  RETIRED_DIAGNOSES,
  UNUSUAL_POS,
} from './catalog.js';
import type { FindingList } from './findings.js';
import type { Line } from './lines.js';
import {
  isDiagnosis,
  isModifier,
  isoDay,
  isProcedureCode,
  isValidCharge,
  isValidPos,
  parseDate,
} from './values.js';

const REQUIRED = [
  'claim_id',
  'line_no',
  'member_id',
  'date_of_service',
  'procedure_code',
  'units',
  'place_of_service',
  'charge',
] as const;

function missingFields(line: Line, out: FindingList): void {
  const { text } = line;
  for (const field of REQUIRED) if (text[field] === '') out.add(line, 'MISSING_FIELD');
  if (text.rendering_npi === '' && text.billing_npi === '') out.add(line, 'MISSING_FIELD');
  // An absent diagnosis column counts as no diagnosis (spec silent on the column being required).
  if (line.code === INDEX_CODE && line.diagnoses.length === 0) out.add(line, 'MISSING_FIELD');
}

function dateRules(line: Line, asOf: number, out: FindingList): void {
  const { text, dos } = line;
  const dates = [text.date_of_service, text.patient_dob, text.date_of_service_to];
  if (dates.some((value) => value !== '' && parseDate(value) === undefined)) out.add(line, 'INVALID_DATE');
  if (dos === undefined) return;
  const beforeBirth = line.dob !== undefined && dos < line.dob;
  const endsBeforeStart = line.dosTo !== undefined && line.dosTo < dos;
  if (dos > asOf || beforeBirth || endsBeforeStart) out.add(line, 'DATE_OUT_OF_RANGE');
  if (asOf - dos > line.judge.settings('TIMELY_FILING', dos).days) out.add(line, 'TIMELY_FILING');
}

function shapeRules(line: Line, out: FindingList): void {
  const { text } = line;
  const npis = [text.rendering_npi, text.billing_npi];
  if (npis.some((npi) => npi !== '' && !isValidNpi(npi))) out.add(line, 'INVALID_NPI');
  if (line.code !== '' && !isProcedureCode(line.code)) out.add(line, 'INVALID_PROCEDURE_CODE');
  if (line.modifiers.length > 4 || !line.modifiers.every(isModifier)) out.add(line, 'INVALID_MODIFIER');
  if (!line.diagnoses.every(isDiagnosis)) out.add(line, 'INVALID_DIAGNOSIS');
  if (text.units !== '' && line.units === undefined) out.add(line, 'INVALID_UNITS');
  if (text.charge !== '' && !isValidCharge(text.charge)) out.add(line, 'INVALID_CHARGE');
  if (text.place_of_service !== '' && !isValidPos(text.place_of_service)) out.add(line, 'INVALID_POS');
}

const retiredBy = (dos: number | undefined, from: string | undefined): boolean =>
  dos !== undefined && from !== undefined && dos >= isoDay(from);

function codeSetRules(line: Line, out: FindingList): void {
  if (retiredBy(line.dos, RETIRED_CODES.get(line.code))) out.add(line, 'CODE_RETIRED');
  if (line.diagnoses.some((dx) => retiredBy(line.dos, RETIRED_DIAGNOSES.get(dx)))) {
    out.add(line, 'DIAGNOSIS_RETIRED');
  }
  const abn = ABN_MODIFIERS.filter((modifier) => line.modifiers.includes(modifier));
  const gaWithKx = line.modifiers.includes('GA') && line.modifiers.includes('KX');
  if (abn.length >= 2 || gaWithKx) out.add(line, 'ABN_MODIFIER_CONFLICT');
}

/** Rules A on every checked line, except DUPLICATE_LINE (a cross-line rule, see group-rules.ts). */
export function dataRules(line: Line, asOf: number, out: FindingList): void {
  missingFields(line, out);
  dateRules(line, asOf, out);
  shapeRules(line, out);
  codeSetRules(line, out);
}

function diagnosisRules(line: Line, claimHasCisternography: boolean, out: FindingList): void {
  const { judge, dos, diagnoses } = line;
  if (diagnoses.length === 0) return;
  const exempt = claimHasCisternography || diagnoses.some((dx) => judge.inList('exemptDiagnoses', dx, dos));
  if (exempt) return;
  const axialOnly = diagnoses.every((dx) => judge.inList('axialDiagnoses', dx, dos));
  // "DX_AXIAL_ONLY does not fire" read as its trigger, so a pack disabling it does not turn axial lines
  // into DX_NOT_COVERED (a payer that drops the axial rule accepts axial pain).
  const covered = diagnoses.some((dx) => judge.inList('coveredDiagnoses', dx, dos));
  if (axialOnly) out.add(line, 'DX_AXIAL_ONLY');
  else if (!covered) out.add(line, 'DX_NOT_COVERED');
}

/** The index line's own rules (rules.md B, "finding on: the index line"), except the history rules. */
export function indexLineRules(line: Line, claimHasCisternography: boolean, out: FindingList): void {
  const has = (codes: readonly string[]): boolean => codes.some((code) => line.modifiers.includes(code));
  if (has(BILATERAL_MODIFIERS)) out.add(line, 'BILATERAL_MODIFIER');
  if (has(NOT_ALLOWED_MODIFIERS)) out.add(line, 'MODIFIER_NOT_ALLOWED');
  if (has(['KX'])) out.add(line, 'KX_ON_INTERLAMINAR');
  diagnosisRules(line, claimHasCisternography, out);
  if (line.text.prior_auth === '') out.add(line, 'PRIOR_AUTH_MISSING');
  const pos = line.text.place_of_service;
  if (UNUSUAL_POS.has(pos)) out.add(line, 'POS_UNUSUAL');
  if (isValidPos(pos) && !line.judge.inList('allowedPlacesOfService', pos, line.dos)) {
    out.add(line, 'POS_NOT_ALLOWED');
  }
  // Compared as dates, so 2026-03-02 and 03/02/2026 are the same day; an invalid date compares with nothing.
  if (line.dos !== undefined && line.dosTo !== undefined && line.dosTo !== line.dos) {
    out.add(line, 'MULTI_DAY_SPAN');
  }
}
