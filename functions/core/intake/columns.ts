/**
 * Header mapping: which input column feeds which field. Names are matched case-insensitively,
 * trimmed, with spaces and hyphens read as underscores; each field has the aliases billing systems use.
 */
import type { ClaimLine } from '../engine/claim-line.js';

export const SCALAR_FIELDS = [
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
] as const;

export type ScalarField = (typeof SCALAR_FIELDS)[number];

/**
 * Fields a record cannot do without, each with how a checked line reads it: a header must have these
 * columns, and MISSING_FIELD flags each one that is empty, in this order. (Diagnoses are required only
 * on 62323 lines: a rule, not a column.)
 */
export const REQUIRED_FIELDS = {
  claim_id: (line) => line.claimId,
  line_no: (line) => line.lineNo,
  member_id: (line) => line.memberId,
  date_of_service: (line) => line.dosText,
  procedure_code: (line) => line.code,
  units: (line) => line.unitsText,
  place_of_service: (line) => line.pos,
  // The billing provider rendered the service when no rendering NPI is given (rules.md).
  rendering_npi: (line) => line.encounterNpi,
  charge: (line) => line.chargeText,
} as const satisfies { readonly [F in ScalarField]?: (line: ClaimLine) => string };

export type RequiredField = keyof typeof REQUIRED_FIELDS;

/** The required fields in order (the filter only narrows: Object.keys types its keys as strings). */
export const REQUIRED_FIELD_NAMES: readonly RequiredField[] = Object.keys(REQUIRED_FIELDS).filter(
  (field): field is RequiredField => Object.hasOwn(REQUIRED_FIELDS, field),
);

/** The header names (normalized) each field is read from; the history file reuses them. */
export const SCALAR_ALIASES: Record<ScalarField, readonly string[]> = {
  claim_id: ['claim_id', 'claim_number', 'claim', 'patient_account_number'],
  line_no: ['line_no', 'line_number', 'line'],
  member_id: ['member_id', 'patient_id', 'subscriber_id', 'mbi'],
  patient_dob: ['patient_dob', 'dob', 'date_of_birth'],
  date_of_service: ['date_of_service', 'dos', 'service_date', 'dos_from'],
  date_of_service_to: ['date_of_service_to', 'dos_to'],
  procedure_code: ['procedure_code', 'cpt', 'cpt_code', 'hcpcs', 'hcpcs_code'],
  units: ['units', 'quantity', 'service_units'],
  place_of_service: ['place_of_service', 'pos'],
  rendering_npi: ['rendering_npi', 'npi', 'provider_npi'],
  billing_npi: ['billing_npi'],
  charge: ['charge', 'charge_amount', 'billed_amount', 'amount'],
  prior_auth: ['prior_auth', 'prior_authorization', 'auth_number'],
  payer: ['payer', 'payer_name'],
  claim_frequency: ['claim_frequency', 'frequency_code', 'claim_frequency_code'],
};

const ALIAS_TO_FIELD = new Map<string, ScalarField>(
  SCALAR_FIELDS.flatMap((field) => SCALAR_ALIASES[field].map((alias) => [alias, field] as const)),
);

/** Numbered columns: modifier_1..4 (or mod1..4) and dx_1..4 (or diagnosis_1..4, icd10_1..4). */
const MODIFIER_COLUMN = /^(?:modifier|mod)_?([1-4])$/;
const DIAGNOSIS_COLUMN = /^(?:dx|diagnosis|icd10)_?([1-4])$/;
/** Or one column holding the whole list. */
const MODIFIER_LIST_COLUMN = new Set(['modifiers']);
const DIAGNOSIS_LIST_COLUMN = new Set(['diagnosis_codes']);

export const normalizeHeaderName = (name: string): string =>
  name
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');

/** Where each field sits in a record. List fields may come from several numbered columns or one list column. */
export interface ColumnLayout {
  /** Number of fields every record must have. */
  readonly width: number;
  /** Column index of each scalar field, or -1 when the batch has no such column. */
  readonly scalar: Readonly<Record<ScalarField, number>>;
  /** Columns holding one modifier each, in order. */
  readonly modifierColumns: readonly number[];
  /** Columns holding a separated list of modifiers. */
  readonly modifierListColumns: readonly number[];
  readonly diagnosisColumns: readonly number[];
  readonly diagnosisListColumns: readonly number[];
  /**
   * Later columns named for a scalar field already mapped (`npi` then `rendering_npi`), in order:
   * they give the value where the first column is empty. Absent when no field is named twice.
   */
  readonly alternates?: Readonly<Partial<Record<ScalarField, readonly number[]>>>;
  /** Header names that matched nothing, as written. */
  readonly unknownColumns: readonly string[];
}

export type HeaderProblem =
  | {
      readonly code: 'MISSING_COLUMNS';
      readonly missing: readonly string[];
      /** The names as written; empty when no cell is a known name (the line is likely a record: not echoed). */
      readonly seen: readonly string[];
      /** No cell of the line is a known column name: it does not look like a header at all. */
      readonly notAHeader: boolean;
    }
  | { readonly code: 'NOT_COMMA_SEPARATED'; readonly delimiter: string; readonly seen: readonly string[] };

export type HeaderResult =
  | { readonly ok: true; readonly layout: ColumnLayout }
  | { readonly ok: false; readonly problem: HeaderProblem };

const OTHER_DELIMITERS: readonly [string, string][] = [
  [';', 'semicolon'],
  ['\t', 'tab'],
  ['|', 'pipe'],
];

/** Whether a (normalized) header name is one this tool reads. */
const isKnownName = (name: string): boolean =>
  ALIAS_TO_FIELD.has(name) ||
  MODIFIER_COLUMN.test(name) ||
  DIAGNOSIS_COLUMN.test(name) ||
  MODIFIER_LIST_COLUMN.has(name) ||
  DIAGNOSIS_LIST_COLUMN.has(name);

/** The header without its empty cells at the end: those are not columns (spreadsheets export them). */
export function withoutTrailingEmpty(names: readonly string[]): readonly string[] {
  let length = names.length;
  while (length > 1 && (names[length - 1] ?? '').trim() === '') length -= 1;
  return length === names.length ? names : names.slice(0, length);
}

export function mapHeader(written: readonly string[]): HeaderResult {
  const names = withoutTrailingEmpty(written);
  const scalar = Object.fromEntries(SCALAR_FIELDS.map((field) => [field, -1])) as Record<ScalarField, number>;
  const modifierColumns: [number, number][] = [];
  const diagnosisColumns: [number, number][] = [];
  const modifierListColumns: number[] = [];
  const diagnosisListColumns: number[] = [];
  const unknownColumns: string[] = [];
  const alternates: Partial<Record<ScalarField, number[]>> = {};

  for (const [index, raw] of names.entries()) {
    const name = normalizeHeaderName(raw);
    const field = ALIAS_TO_FIELD.get(name);
    if (field !== undefined) {
      if (scalar[field] === -1) scalar[field] = index;
      else alternates[field] = [...(alternates[field] ?? []), index];
      continue;
    }
    const modifier = MODIFIER_COLUMN.exec(name);
    const diagnosis = DIAGNOSIS_COLUMN.exec(name);
    if (modifier) modifierColumns.push([Number(modifier[1]), index]);
    else if (diagnosis) diagnosisColumns.push([Number(diagnosis[1]), index]);
    else if (MODIFIER_LIST_COLUMN.has(name)) modifierListColumns.push(index);
    else if (DIAGNOSIS_LIST_COLUMN.has(name)) diagnosisListColumns.push(index);
    else unknownColumns.push(raw);
  }

  const missing = REQUIRED_FIELD_NAMES.filter(
    (field) => scalar[field] === -1 && !(field === 'rendering_npi' && scalar.billing_npi !== -1),
  );
  if (missing.length > 0) return { ok: false, problem: headerProblem(names, missing) };

  const byNumber = (a: [number, number], b: [number, number]) => a[0] - b[0] || a[1] - b[1];
  return {
    ok: true,
    layout: {
      width: names.length,
      scalar,
      modifierColumns: modifierColumns.sort(byNumber).map(([, index]) => index),
      modifierListColumns,
      diagnosisColumns: diagnosisColumns.sort(byNumber).map(([, index]) => index),
      diagnosisListColumns,
      ...(Object.keys(alternates).length > 0 ? { alternates } : {}),
      unknownColumns,
    },
  };
}

/**
 * Why a header with required columns missing is refused. Names are echoed only when the line holds
 * at least one known column name: a line with none is most likely a record (a file exported without
 * its header), and its cells are claim data.
 */
function headerProblem(names: readonly string[], missing: readonly string[]): HeaderProblem {
  const known = names.some((name) => isKnownName(normalizeHeaderName(name)));
  if (names.length === 1) {
    const line = names[0] ?? '';
    for (const [delimiter, label] of OTHER_DELIMITERS) {
      const cells = line.split(delimiter);
      if (cells.length < 2) continue;
      if (cells.some((cell) => isKnownName(normalizeHeaderName(cell))))
        return { code: 'NOT_COMMA_SEPARATED', delimiter: label, seen: [line] };
    }
  }
  return { code: 'MISSING_COLUMNS', missing, seen: known ? [...names] : [], notAHeader: !known };
}

export function describeHeaderProblem(problem: HeaderProblem): string {
  const seen = problem.seen.length > 0 ? problem.seen.map((name) => JSON.stringify(name)).join(', ') : 'none';
  if (problem.code === 'MISSING_COLUMNS' && problem.notAHeader) {
    return `The first line does not look like a header: none of its cells is a known column name (was the file exported without its header?). Line 1 must name the columns; the required ones are ${REQUIRED_FIELD_NAMES.join(', ')} (rendering_npi may be billing_npi instead).`;
  }
  if (problem.code === 'NOT_COMMA_SEPARATED') {
    return `The file is not comma-separated: its header looks ${problem.delimiter}-separated (one column seen: ${seen}). Export the batch as CSV with commas.`;
  }
  return `The header lacks required column(s) ${problem.missing.join(', ')}; headers seen: ${seen}.`;
}
