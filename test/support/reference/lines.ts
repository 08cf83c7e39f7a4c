/** A checked line: the record's fields, trimmed and normalised as rules.md says, and its judging pack. */
import type { BatchColumns, Field } from './header.js';
import type { Judge } from './packs.js';
import {
  claimFrequency,
  memberKey,
  normCode,
  normDiagnosis,
  parseDate,
  parseUnits,
  splitList,
} from './values.js';

export interface Line {
  readonly line: number;
  /** Trimmed text of each single-valued field; an absent column reads as empty. */
  readonly text: Readonly<Record<Field, string>>;
  readonly code: string;
  readonly modifiers: readonly string[];
  readonly diagnoses: readonly string[];
  /** Undefined when the member id is empty (the line then takes no part in cross-line rules). */
  readonly member: string | undefined;
  readonly dos: number | undefined;
  readonly dob: number | undefined;
  readonly dosTo: number | undefined;
  readonly units: number | undefined;
  readonly encounterNpi: string;
  readonly frequency: '1' | '7' | '8';
  readonly judge: Judge;
}

const FIELDS: readonly Field[] = [
  'claim_id',
  'line_no',
  'member_id',
  'patient_dob',
  'date_of_service',
  'date_of_service_to',
  'procedure_code',
  'units',
  'place_of_service',
  'rendering_npi',
  'billing_npi',
  'charge',
  'prior_auth',
  'payer',
  'claim_frequency',
];

/** Codes of numbered columns (one code each) and list columns (split on the separators). */
function codesOf(fields: readonly string[], numbered: readonly number[], lists: readonly number[]): string[] {
  const codes = numbered.map((index) => fields[index]!.trim()).filter((code) => code !== '');
  for (const index of lists) codes.push(...splitList(fields[index]!));
  return codes;
}

export function toLine(
  line: number,
  fields: readonly string[],
  columns: BatchColumns,
  judgeFor: (payer: string) => Judge,
): Line {
  const text = Object.fromEntries(
    FIELDS.map((field) => {
      const index = columns.single[field];
      return [field, index === undefined ? '' : fields[index]!.trim()];
    }),
  ) as Record<Field, string>;
  const optionalDate = (value: string): number | undefined => (value === '' ? undefined : parseDate(value));
  return {
    line,
    text,
    code: normCode(text.procedure_code),
    modifiers: codesOf(fields, columns.modifierColumns, columns.modifierLists).map(normCode),
    diagnoses: codesOf(fields, columns.diagnosisColumns, columns.diagnosisLists).map(normDiagnosis),
    member: text.member_id === '' ? undefined : memberKey(text.member_id),
    dos: optionalDate(text.date_of_service),
    dob: optionalDate(text.patient_dob),
    dosTo: optionalDate(text.date_of_service_to),
    units: parseUnits(text.units),
    encounterNpi: text.rendering_npi !== '' ? text.rendering_npi : text.billing_npi,
    frequency: claimFrequency(text.claim_frequency),
    judge: judgeFor(text.payer),
  };
}

/** Lines that take part in encounter, session, frequency and history rules: valid member and date. */
export const takesPart = (line: Line): boolean => line.member !== undefined && line.dos !== undefined;
