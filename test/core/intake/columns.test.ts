/** Header mapping (formats.md, input table): aliases, list columns, unknown and missing columns. */
import { describe, expect, it } from 'vitest';
import {
  type ColumnLayout,
  describeHeaderProblem,
  mapHeader,
  REQUIRED_FIELD_NAMES,
} from '../../../functions/core/intake/columns.js';

/** The accepted header names of formats.md, per field. */
const ALIASES: Record<string, readonly string[]> = {
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
};

function layoutOf(names: readonly string[]): ColumnLayout {
  const result = mapHeader(names);
  if (!result.ok) throw new Error(`header rejected: ${describeHeaderProblem(result.problem)}`);
  return result.layout;
}

/** A header holding every required field by its canonical name, plus `extra`. */
const withRequired = (...extra: string[]): string[] => [...REQUIRED_FIELD_NAMES, ...extra];

describe('mapHeader', () => {
  for (const [field, aliases] of Object.entries(ALIASES)) {
    it.each(aliases)(`maps %s to ${field}`, (alias) => {
      const names = [...REQUIRED_FIELD_NAMES.filter((name) => name !== field), alias];
      const layout = layoutOf(names);
      expect(layout.scalar[field as keyof ColumnLayout['scalar']]).toBe(names.length - 1);
      expect(layout.unknownColumns).toEqual([]);
    });
  }

  it('matches names case-insensitively, trimmed, with spaces and hyphens as underscores', () => {
    const layout = layoutOf([
      ' Claim-Number ',
      'LINE NO',
      'Member ID',
      'Date of Service',
      'CPT',
      'Units',
      'POS',
      'NPI',
      'Charge Amount',
    ]);
    expect(layout.scalar.claim_id).toBe(0);
    expect(layout.scalar.line_no).toBe(1);
    expect(layout.scalar.member_id).toBe(2);
    expect(layout.scalar.date_of_service).toBe(3);
    expect(layout.scalar.procedure_code).toBe(4);
    expect(layout.scalar.rendering_npi).toBe(7);
    expect(layout.scalar.charge).toBe(8);
  });

  it('takes numbered modifier and diagnosis columns in number order', () => {
    const layout = layoutOf(
      withRequired('mod2', 'modifier_1', 'Modifier 4', 'MOD3', 'dx_2', 'diagnosis_1', 'icd10_3', 'DX 4'),
    );
    expect(layout.modifierColumns).toEqual([10, 9, 12, 11]);
    expect(layout.diagnosisColumns).toEqual([14, 13, 15, 16]);
    expect(layout.unknownColumns).toEqual([]);
  });

  it('takes one modifiers column and one diagnosis_codes column as lists', () => {
    const layout = layoutOf(withRequired('modifiers', 'Diagnosis Codes'));
    expect(layout.modifierListColumns).toEqual([9]);
    expect(layout.diagnosisListColumns).toEqual([10]);
  });

  it('lists unknown columns as written, in order; a second column for one field is its alternate', () => {
    const layout = layoutOf(withRequired('Notes', 'npi', 'modifier_5', 'Rendering Provider Name'));
    expect(layout.unknownColumns).toEqual(['Notes', 'modifier_5', 'Rendering Provider Name']);
    expect(layout.scalar.rendering_npi).toBe(REQUIRED_FIELD_NAMES.indexOf('rendering_npi'));
    expect(layout.alternates).toEqual({ rendering_npi: [REQUIRED_FIELD_NAMES.length + 1] });
    expect(layoutOf(withRequired('Notes')).alternates).toBeUndefined();
    expect(layout.width).toBe(REQUIRED_FIELD_NAMES.length + 4);
  });

  it('marks optional fields without a column as absent', () => {
    const layout = layoutOf(REQUIRED_FIELD_NAMES);
    for (const field of [
      'patient_dob',
      'date_of_service_to',
      'billing_npi',
      'prior_auth',
      'payer',
    ] as const) {
      expect(layout.scalar[field]).toBe(-1);
    }
  });

  it.each(REQUIRED_FIELD_NAMES)(
    'rejects a header without %s, naming what is missing and what was seen',
    (field) => {
      const names = [...REQUIRED_FIELD_NAMES.filter((name) => name !== field), 'notes'];
      const result = mapHeader(names);
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.problem).toEqual({
        code: 'MISSING_COLUMNS',
        missing: [field],
        seen: names,
        notAHeader: false,
      });
      const message = describeHeaderProblem(result.problem);
      expect(message).toContain(field);
      for (const name of names) expect(message).toContain(name);
    },
  );

  it.each([
    [';', 'semicolon'],
    ['\t', 'tab'],
    ['|', 'pipe'],
  ])('recognises a %j-separated header as not comma-separated', (delimiter, word) => {
    const result = mapHeader([REQUIRED_FIELD_NAMES.join(delimiter)]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problem.code).toBe('NOT_COMMA_SEPARATED');
    expect(describeHeaderProblem(result.problem)).toContain(word);
  });
});

describe('headers that are not headers, and trailing empty cells', () => {
  it('a first line with no known column name is not echoed: it says it does not look like a header', () => {
    const record = ['C1', '1', 'M-SECRET-77', '2026-03-02', '62323', '', 'M54.16', '1', '11', '1234567893'];
    const result = mapHeader(record);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problem).toMatchObject({ code: 'MISSING_COLUMNS', seen: [], notAHeader: true });
    const message = describeHeaderProblem(result.problem);
    expect(message).toMatch(/does not look like a header/);
    for (const field of REQUIRED_FIELD_NAMES) expect(message).toContain(field);
    for (const cell of ['C1', 'M-SECRET-77', '2026-03-02', '62323', 'M54.16', '1234567893'])
      expect(message).not.toContain(cell);
  });

  it('a semicolon-separated record (not a header) is not echoed either', () => {
    const result = mapHeader(['C1;1;M-SECRET-77;2026-03-02']);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(describeHeaderProblem(result.problem)).not.toContain('SECRET');
  });

  it('empty cells at the end of the header are not columns', () => {
    const result = mapHeader([...REQUIRED_FIELD_NAMES, '', ' ', '']);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.layout.width).toBe(REQUIRED_FIELD_NAMES.length);
    expect(result.layout.unknownColumns).toEqual([]);
  });

  it('an empty cell between columns stays a column', () => {
    const result = mapHeader(['', ...REQUIRED_FIELD_NAMES]);
    expect(result.ok && result.layout.width).toBe(REQUIRED_FIELD_NAMES.length + 1);
  });
});

describe('columns outside the contract', () => {
  it('ignores dx_5 and other unlisted list names, and lists them as unknown', () => {
    const result = mapHeader([...REQUIRED_FIELD_NAMES, 'dx_1', 'dx_5', 'diagnoses', 'modifier']);
    if (!result.ok) throw new Error('header should map');
    expect(result.layout.diagnosisColumns).toEqual([9]);
    expect(result.layout.unknownColumns).toEqual(['dx_5', 'diagnoses', 'modifier']);
  });
});
