/** A checked record, normalised: codes trimmed and upper-case, dates as day numbers, charge in cents. */
import type { ColumnLayout, ScalarField } from '../intake/columns.js';
import {
  formatCents,
  formatDay,
  normalizeDiagnosis,
  parseCents,
  parseDate,
  parseUnits,
  splitList,
} from './values.js';

export interface ClaimLine {
  readonly line: number;
  readonly claimId: string;
  readonly lineNo: string;
  /** As written (trimmed): echoed in reports. */
  readonly memberId: string;
  /** For grouping: upper-case, so `m123` and `M123` are one member. */
  readonly memberKey: string;
  readonly dobText: string;
  readonly dob: number | undefined;
  readonly dosText: string;
  readonly dos: number | undefined;
  readonly dosToText: string;
  readonly dosTo: number | undefined;
  readonly code: string;
  readonly modifiers: readonly string[];
  readonly diagnoses: readonly string[];
  readonly unitsText: string;
  readonly units: number | undefined;
  readonly pos: string;
  readonly renderingNpi: string;
  readonly billingNpi: string;
  readonly chargeText: string;
  readonly chargeCents: number | undefined;
  readonly priorAuth: string;
}

/** What a report shows of a line: the normalised input. */
export interface LineEcho {
  readonly claimId: string;
  readonly lineNo: string;
  readonly memberId: string;
  readonly dateOfService: string;
  readonly procedureCode: string;
  /** Plain amount (`1250.00`), empty when invalid. */
  readonly charge: string;
  readonly renderingNpi: string;
}

const EMPTY: readonly string[] = [];

export function toClaimLine(fields: readonly string[], layout: ColumnLayout, line: number): ClaimLine {
  const cell = (field: ScalarField): string => {
    const index = layout.scalar[field];
    return index < 0 ? '' : (fields[index] ?? '').trim();
  };
  const dobText = cell('patient_dob');
  const dosText = cell('date_of_service');
  const dosToText = cell('date_of_service_to');
  const unitsText = cell('units');
  const chargeText = cell('charge');
  const memberId = cell('member_id');
  return {
    line,
    claimId: cell('claim_id'),
    lineNo: cell('line_no'),
    memberId,
    memberKey: memberId.toUpperCase(),
    dobText,
    dob: dobText === '' ? undefined : parseDate(dobText),
    dosText,
    dos: dosText === '' ? undefined : parseDate(dosText),
    dosToText,
    dosTo: dosToText === '' ? undefined : parseDate(dosToText),
    code: cell('procedure_code').toUpperCase(),
    modifiers: collect(fields, layout.modifierColumns, layout.modifierListColumns, (code) =>
      code.trim().toUpperCase(),
    ),
    diagnoses: collect(fields, layout.diagnosisColumns, layout.diagnosisListColumns, normalizeDiagnosis),
    unitsText,
    units: parseUnits(unitsText),
    pos: cell('place_of_service'),
    renderingNpi: cell('rendering_npi'),
    billingNpi: cell('billing_npi'),
    chargeText,
    chargeCents: chargeText === '' ? undefined : parseCents(chargeText),
    priorAuth: cell('prior_auth'),
  };
}

function collect(
  fields: readonly string[],
  singleColumns: readonly number[],
  listColumns: readonly number[],
  normalize: (code: string) => string,
): readonly string[] {
  let codes: string[] | undefined;
  const add = (code: string) => {
    if (codes === undefined) codes = [code];
    else codes.push(code);
  };
  for (const index of singleColumns) {
    const value = normalize(fields[index] ?? '');
    if (value !== '') add(value);
  }
  for (const index of listColumns) {
    const cell = fields[index] ?? '';
    if (cell.trim() !== '') for (const part of splitList(cell)) add(normalize(part));
  }
  return codes ?? EMPTY;
}

export const echoOf = (line: ClaimLine): LineEcho =>
  echoFromRaw(
    line.claimId,
    line.lineNo,
    line.memberId,
    line.dosText,
    line.code,
    line.chargeText,
    line.renderingNpi,
  );

/** The echo of a line from its trimmed cells (dates and charges normalised for the report). */
export function echoFromRaw(
  claimId: string,
  lineNo: string,
  memberId: string,
  dosText: string,
  procedureCode: string,
  chargeText: string,
  renderingNpi: string,
): LineEcho {
  const dos = parseDate(dosText);
  const cents = parseCents(chargeText);
  return {
    claimId,
    lineNo,
    memberId,
    dateOfService: dos === undefined ? dosText : formatDay(dos),
    procedureCode,
    charge: cents !== undefined && cents > 0 ? formatCents(cents) : '',
    renderingNpi,
  };
}
