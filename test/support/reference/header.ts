/**
 * The batch header (formats.md): accepted names per field, matched case-insensitively, ignoring
 * surrounding spaces, with spaces and hyphens counting as underscores.
 */

export const FIELD_ALIASES = {
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
} as const;

export type Field = keyof typeof FIELD_ALIASES;

/** Columns the header must have; rendering_npi may be replaced by billing_npi. */
export const REQUIRED_COLUMNS: readonly Field[] = [
  'claim_id',
  'line_no',
  'member_id',
  'date_of_service',
  'procedure_code',
  'units',
  'place_of_service',
  'charge',
];

export const headerKey = (name: string): string => name.trim().toLowerCase().replace(/[ -]/g, '_');

const NUMBERED = [1, 2, 3, 4];
const MODIFIER_COLUMNS = new Set(NUMBERED.flatMap((n) => [`modifier_${n}`, `mod${n}`]));
const DIAGNOSIS_COLUMNS = new Set(NUMBERED.flatMap((n) => [`dx_${n}`, `diagnosis_${n}`, `icd10_${n}`]));

export interface BatchColumns {
  /** Column index of each single-valued field found. */
  readonly single: Partial<Record<Field, number>>;
  /** Numbered modifier columns (one code each). */
  readonly modifierColumns: number[];
  /** `modifiers` list columns (codes separated as formats.md says). */
  readonly modifierLists: number[];
  readonly diagnosisColumns: number[];
  readonly diagnosisLists: number[];
}

const aliasToField = new Map<string, Field>(
  Object.entries(FIELD_ALIASES).flatMap(([field, aliases]) =>
    aliases.map((alias) => [alias, field as Field] as const),
  ),
);

/** Maps header cells to fields. A field named twice keeps its first column (spec silent). */
export function batchColumns(header: readonly string[]): BatchColumns {
  const columns: BatchColumns = {
    single: {},
    modifierColumns: [],
    modifierLists: [],
    diagnosisColumns: [],
    diagnosisLists: [],
  };
  header.forEach((name, index) => {
    const key = headerKey(name);
    const field = aliasToField.get(key);
    if (field !== undefined) {
      if (columns.single[field] === undefined) columns.single[field] = index;
    } else if (MODIFIER_COLUMNS.has(key)) columns.modifierColumns.push(index);
    else if (key === 'modifiers') columns.modifierLists.push(index);
    else if (DIAGNOSIS_COLUMNS.has(key)) columns.diagnosisColumns.push(index);
    else if (key === 'diagnosis_codes') columns.diagnosisLists.push(index);
  });
  return columns;
}

/** Required columns the header lacks (empty when the header is usable). */
export function missingColumns(columns: BatchColumns): string[] {
  const missing: string[] = REQUIRED_COLUMNS.filter((field) => columns.single[field] === undefined);
  if (columns.single.rendering_npi === undefined && columns.single.billing_npi === undefined) {
    missing.push('rendering_npi');
  }
  return missing;
}
