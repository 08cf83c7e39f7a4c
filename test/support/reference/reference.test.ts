/**
 * The reference checker against small hand-built batches. Every expected value here comes from
 * reading rules.md, packs.md and formats.md — not from running the checker — so that the oracle the
 * engine is compared against is itself held to the spec.
 */
import { describe, expect, it } from 'vitest';
import { csvRecord } from '../csv.js';
import { addDays } from '../dates.js';
import { NPI_A, NPI_B, NPI_BAD_CHECK, NPI_C } from '../npi.js';
import { type ReferenceInput, type ReferenceResult, referenceCheck, V2_RULE_IDS } from './index.js';
import { randomV2Batch } from './random-batch.js';

const COLUMNS = [
  'claim_id',
  'line_no',
  'member_id',
  'patient_dob',
  'date_of_service',
  'date_of_service_to',
  'procedure_code',
  'modifiers',
  'diagnosis_codes',
  'units',
  'place_of_service',
  'rendering_npi',
  'billing_npi',
  'charge',
  'prior_auth',
  'payer',
  'claim_frequency',
] as const;
type Column = (typeof COLUMNS)[number];
type Row = Partial<Record<Column, string>>;

const AS_OF = '2026-06-15';
const DOS = '2026-06-01';
/** A clean 62323 line: no finding of its own. */
const BASE: Record<Column, string> = {
  claim_id: 'C1',
  line_no: '',
  member_id: 'M1',
  patient_dob: '1970-01-01',
  date_of_service: DOS,
  date_of_service_to: '',
  procedure_code: '62323',
  modifiers: '',
  diagnosis_codes: 'M5416',
  units: '1',
  place_of_service: '11',
  rendering_npi: NPI_A,
  billing_npi: '',
  charge: '100.00',
  prior_auth: 'PA1',
  payer: 'Medicare',
  claim_frequency: '1',
};

/** The batch text; line_no defaults to the row's position so rows are never duplicates by accident. */
function batchCsv(rows: readonly Row[], columns: readonly Column[] = COLUMNS): string {
  const records = rows.map((row, index) =>
    csvRecord(
      columns.map((column) => row[column] ?? (column === 'line_no' ? String(index + 1) : BASE[column])),
    ),
  );
  return [columns.join(','), ...records].join('\n') + '\n';
}

const check = (rows: readonly Row[], extra: Partial<ReferenceInput> = {}): ReferenceResult =>
  referenceCheck({ csv: batchCsv(rows), asOf: AS_OF, ...extra });

/** `line RULE_ID` of every finding, in report order. */
const hits = (result: ReferenceResult): string[] => result.findings.map((f) => `${f.line} ${f.rule_id}`);
/** Lines with a finding of this rule. */
const linesOf = (result: ReferenceResult, rule: string): number[] =>
  result.findings.filter((f) => f.rule_id === rule).map((f) => f.line);
function finding(result: ReferenceResult, line: number, rule: string) {
  const found = result.findings.find((f) => f.line === line && f.rule_id === rule);
  if (found === undefined) throw new Error(`no ${rule} on line ${line}: ${hits(result).join(', ')}`);
  return found;
}

/** A non-index line of the same claim and encounter as BASE (no diagnosis needed). */
const other = (code: string, over: Row = {}): Row => ({ procedure_code: code, diagnosis_codes: '', ...over });
const day = (offset: number): string => addDays(DOS, offset);

const HISTORY_HEADER =
  'member_id,date_of_service,procedure_code,provider_npi,claim_id,line_no,claim_frequency,batch_id,line';
const history = (...rows: string[]): string => [HISTORY_HEADER, ...rows].join('\n') + '\n';

const pack = (name: string, payers: string[], body: object = {}): object => ({
  name,
  version: '1',
  payers,
  rules: {},
  ...body,
});

describe('reference checker: clean lines', () => {
  it('finds nothing on a clean 62323 line or a lone E/M line', () => {
    const result = check([{}, other('99213', { claim_id: 'C2', member_id: 'M2' })]);
    expect(hits(result)).toEqual([]);
    expect(result.checked).toBe(2);
    expect(result.rejectedLines).toEqual([]);
    expect(result.packLines).toEqual({ '62323/v2': 2 });
  });

  it('gives a finding the line, severity, pack, encounter NPI and payer as written (trimmed)', () => {
    const result = check([{ prior_auth: '', payer: '  Some Payer ' }]);
    expect(result.findings).toEqual([
      {
        line: 2,
        rule_id: 'PRIOR_AUTH_MISSING',
        severity: 'warning',
        related: [],
        rule_pack: '62323/v2',
        provider_npi: NPI_A,
        payer: 'Some Payer',
      },
    ]);
  });

  it('sorts findings by line, then rule id', () => {
    const result = check([
      { claim_id: 'C2' },
      { member_id: 'M2', modifiers: 'RT KX', prior_auth: '', place_of_service: '23' },
    ]);
    expect(hits(result)).toEqual([
      '3 BILATERAL_MODIFIER',
      '3 KX_ON_INTERLAMINAR',
      '3 POS_UNUSUAL',
      '3 PRIOR_AUTH_MISSING',
    ]);
  });
});

describe('MISSING_FIELD', () => {
  it.each([
    'claim_id',
    'line_no',
    'member_id',
    'date_of_service',
    'procedure_code',
    'units',
    'place_of_service',
    'charge',
  ] as const)('fires once, and nothing else, when %s is empty', (column) => {
    expect(hits(check([{ [column]: '' }]))).toEqual(['2 MISSING_FIELD']);
  });

  it('treats a value of spaces as empty', () => {
    expect(hits(check([{ member_id: '   ' }]))).toEqual(['2 MISSING_FIELD']);
  });

  it('asks for rendering_npi only when billing_npi is empty too', () => {
    expect(hits(check([{ rendering_npi: '', billing_npi: NPI_B }]))).toEqual([]);
    expect(hits(check([{ rendering_npi: '', billing_npi: '' }]))).toEqual(['2 MISSING_FIELD']);
  });

  it('asks for a diagnosis on an index line only', () => {
    expect(hits(check([{ diagnosis_codes: '' }]))).toEqual(['2 MISSING_FIELD']);
    expect(hits(check([other('99213')]))).toEqual([]);
  });

  it('gives one finding per missing field', () => {
    expect(hits(check([{ claim_id: '', units: '', diagnosis_codes: '' }]))).toEqual([
      '2 MISSING_FIELD',
      '2 MISSING_FIELD',
      '2 MISSING_FIELD',
    ]);
  });
});

describe('INVALID_DATE', () => {
  it.each(['06/01/2026', '6/1/2026', '20260601', ' 2026-06-01 '])('accepts %s', (written) => {
    expect(hits(check([{ date_of_service: written }]))).toEqual([]);
  });

  it.each(['2026-02-30', '2026/06/01', '1-6-2026', '2026-6-1', '13/01/2026', '20261301', 'June 1'])(
    'rejects %s (and the line takes no part in date rules)',
    (written) => {
      expect(hits(check([{ date_of_service: written }]))).toEqual(['2 INVALID_DATE']);
    },
  );

  it('knows leap years, and judges patient_dob and date_of_service_to too', () => {
    expect(hits(check([{ patient_dob: '2000-02-29' }]))).toEqual([]);
    expect(hits(check([{ patient_dob: '1900-02-29' }]))).toEqual(['2 INVALID_DATE']);
    expect(hits(check([{ date_of_service_to: '2026-06-31' }]))).toEqual(['2 INVALID_DATE']);
  });

  it('gives one finding for several invalid dates on a line', () => {
    expect(hits(check([{ date_of_service: '2026-02-30', patient_dob: '19700230' }]))).toEqual([
      '2 INVALID_DATE',
    ]);
  });
});

describe('DATE_OUT_OF_RANGE', () => {
  it('fires for a date of service after the as-of date, not on it', () => {
    expect(hits(check([{ date_of_service: AS_OF }]))).toEqual([]);
    expect(hits(check([{ date_of_service: addDays(AS_OF, 1) }]))).toEqual(['2 DATE_OUT_OF_RANGE']);
  });

  it('fires for a date of service before the date of birth, not on it', () => {
    expect(hits(check([{ patient_dob: DOS }]))).toEqual([]);
    expect(hits(check([{ patient_dob: day(1) }]))).toEqual(['2 DATE_OUT_OF_RANGE']);
  });

  it('fires when date_of_service_to is before date_of_service', () => {
    expect(hits(check([other('99213', { date_of_service_to: day(-1) })]))).toEqual(['2 DATE_OUT_OF_RANGE']);
    expect(hits(check([other('99213', { date_of_service_to: DOS })]))).toEqual([]);
  });

  it('gives one finding when several ranges are broken', () => {
    const row = { date_of_service: addDays(AS_OF, 2), patient_dob: addDays(AS_OF, 3) };
    expect(hits(check([other('99213', row)]))).toEqual(['2 DATE_OUT_OF_RANGE']);
  });
});

describe('TIMELY_FILING', () => {
  it('fires more than 365 days before the as-of date: 366 does, 365 does not', () => {
    expect(hits(check([{ date_of_service: addDays(AS_OF, -365) }]))).toEqual([]);
    expect(hits(check([{ date_of_service: addDays(AS_OF, -366) }]))).toEqual(['2 TIMELY_FILING']);
  });

  it('takes its days from the pack', () => {
    const packs = [pack('um', ['Acme'], { rules: { TIMELY_FILING: { days: 90 } } })];
    const row = (offset: number): Row => ({ payer: 'Acme', date_of_service: addDays(AS_OF, offset) });
    expect(hits(check([row(-90)], { packs }))).toEqual([]);
    const result = check([row(-91)], { packs });
    expect(hits(result)).toEqual(['2 TIMELY_FILING']);
    expect(result.findings[0]!.rule_pack).toBe('um');
  });
});

describe('INVALID_NPI', () => {
  it.each([
    ['a bad check digit', { rendering_npi: NPI_BAD_CHECK }],
    ['a bad billing NPI', { billing_npi: NPI_BAD_CHECK }],
    ['nine digits', { rendering_npi: '123456789' }],
    ['a first digit 3', { rendering_npi: `3${NPI_A.slice(1)}` }],
    ['both bad (one finding)', { rendering_npi: NPI_BAD_CHECK, billing_npi: '12345' }],
  ])('fires for %s', (_, row) => {
    expect(hits(check([row]))).toEqual(['2 INVALID_NPI']);
  });

  it('accepts valid NPIs', () => {
    expect(hits(check([{ rendering_npi: NPI_B, billing_npi: NPI_C }]))).toEqual([]);
  });
});

describe('INVALID_PROCEDURE_CODE', () => {
  it.each(['6232', '62323A', '1234X', 'AB123', '6 2323'])('fires for %s', (code) => {
    expect(hits(check([other(code)]))).toEqual(['2 INVALID_PROCEDURE_CODE']);
  });

  it.each(['0001F', '1234T', '0275U', 'G0260', 'j3301', ' 99213 '])('accepts %s', (code) => {
    expect(hits(check([other(code)]))).toEqual([]);
  });
});

describe('INVALID_MODIFIER', () => {
  it.each(['5', 'ABC', '5-9', '59 XU XS XE XP'])('fires for %s', (modifiers) => {
    expect(hits(check([other('99213', { modifiers })]))).toEqual(['2 INVALID_MODIFIER']);
  });

  it('accepts four modifiers, in lower case too', () => {
    expect(hits(check([other('99213', { modifiers: '59 xu,XS;XE' })]))).toEqual([]);
  });
});

describe('INVALID_DIAGNOSIS', () => {
  it('fires for a code that is not ICD-10-CM shaped', () => {
    expect(hits(check([{ diagnosis_codes: 'M5416 M5' }]))).toEqual(['2 INVALID_DIAGNOSIS']);
    expect(hits(check([{ diagnosis_codes: 'M5416,5416' }]))).toEqual(['2 INVALID_DIAGNOSIS']);
    expect(hits(check([{ diagnosis_codes: 'M5416 M5416123' }]))).toEqual(['2 INVALID_DIAGNOSIS']);
  });

  it('accepts codes with the dot, in lower case, up to 7 characters', () => {
    expect(hits(check([{ diagnosis_codes: 'm54.16 M51.361 S32.009A' }]))).toEqual([]);
  });
});

describe('INVALID_UNITS, INVALID_CHARGE, INVALID_POS', () => {
  it.each(['0', '1.5', 'x', '-1'])('INVALID_UNITS for %s', (units) => {
    expect(hits(check([{ units }]))).toEqual(['2 INVALID_UNITS']);
  });

  it.each(['0', '0.00', '-45.00', 'abc', '1,25.00', '$'])('INVALID_CHARGE for %s', (charge) => {
    expect(hits(check([{ charge }]))).toEqual(['2 INVALID_CHARGE']);
  });

  it.each(['$1,250.00', '1250', '0.01', '$12,345,678.90'])('accepts the charge %s', (charge) => {
    expect(hits(check([{ charge }]))).toEqual([]);
  });

  it.each(['00', '1', 'AB', '111'])('INVALID_POS (and no POS_NOT_ALLOWED) for %s', (pos) => {
    expect(hits(check([{ place_of_service: pos }]))).toEqual(['2 INVALID_POS']);
  });
});

describe('DUPLICATE_LINE', () => {
  it('flags every later (claim_id, line_no) with the first as related', () => {
    const row = other('99213', { line_no: '1' });
    const result = check([row, row, { ...row, line_no: ' 1 ' }, { ...row, claim_id: 'C2' }]);
    expect(hits(result)).toEqual(['3 DUPLICATE_LINE', '4 DUPLICATE_LINE']);
    expect(finding(result, 4, 'DUPLICATE_LINE').related).toEqual([2]);
  });
});

describe('CODE_RETIRED', () => {
  it.each([
    ['62310', '2017-01-01'],
    ['62319', '2017-01-01'],
    ['99143', '2017-01-01'],
    ['99150', '2017-01-01'],
    ['01935', '2022-01-01'],
    ['01936', '2022-01-01'],
    ['J1020', '2024-04-01'],
    ['J1040', '2024-04-01'],
  ])('retires %s from %s, not the day before', (code, from) => {
    const asOf = addDays(from, 30);
    expect(hits(check([other(code, { date_of_service: from })], { asOf }))).toEqual(['2 CODE_RETIRED']);
    expect(hits(check([other(code, { date_of_service: addDays(from, -1) })], { asOf }))).toEqual([]);
  });
});

describe('DIAGNOSIS_RETIRED', () => {
  it.each([
    ['M48.06', '2017-10-01'],
    ['M54.5', '2021-10-01'],
    ['M51.36', '2024-10-01'],
    ['M5137', '2024-10-01'],
  ])('retires %s from %s, not the day before', (dx, from) => {
    const asOf = addDays(from, 30);
    const row = (dos: string): Row => other('99213', { diagnosis_codes: dx, date_of_service: dos });
    expect(hits(check([row(from)], { asOf }))).toEqual(['2 DIAGNOSIS_RETIRED']);
    expect(hits(check([row(addDays(from, -1))], { asOf }))).toEqual([]);
  });
});

describe('ABN_MODIFIER_CONFLICT', () => {
  it.each(['GA GY', 'GY|GZ', 'GA GY GZ', 'GA:KX'])('fires for %s', (modifiers) => {
    expect(hits(check([other('99213', { modifiers })]))).toEqual(['2 ABN_MODIFIER_CONFLICT']);
  });

  it.each(['GZ', 'GY KX', 'GA'])('does not fire for %s', (modifiers) => {
    expect(hits(check([other('99213', { modifiers })]))).toEqual([]);
  });
});

describe('encounter rules (finding on the other line, related = index lines)', () => {
  it.each([
    ['77003', 'IMAGING_BUNDLED', 'error'],
    ['77012', 'IMAGING_BUNDLED', 'error'],
    ['76000', 'IMAGING_BUNDLED', 'error'],
    ['72275', 'IMAGING_BUNDLED', 'error'],
    ['62322', 'NO_IMAGING_TWIN', 'error'],
    ['62324', 'CATHETER_TWIN', 'warning'],
    ['62327', 'CATHETER_TWIN', 'warning'],
    ['99213', 'EM_SAME_DAY_NO_25', 'error'],
    ['00100', 'ANESTHESIA_BY_PROCEDURALIST', 'error'],
    ['00630', 'ANESTHESIA_BY_PROCEDURALIST', 'error'],
    ['01999', 'ANESTHESIA_BY_PROCEDURALIST', 'error'],
  ])('%s in the encounter gives %s', (code, rule, severity) => {
    const result = check([{}, other(code)]);
    expect(hits(result)).toEqual([`3 ${rule}`]);
    expect(finding(result, 3, rule)).toMatchObject({ severity, related: [2] });
  });

  it.each(['77003', '62322', '62325', '99213', '00630', 'J3301'])(
    'ignores %s billed by another NPI, for another member or on another date',
    (code) => {
      const steroid = { units: '9', place_of_service: '22' };
      const rows = [
        {},
        other(code, { rendering_npi: NPI_B, ...steroid }),
        other(code, { member_id: 'M2', ...steroid }),
        other(code, { date_of_service: day(-1), ...steroid }),
      ];
      expect(hits(check(rows))).toEqual([]);
    },
  );

  it('bundles imaging whatever its modifier, and whatever the order of the lines', () => {
    const result = check([other('77003', { modifiers: '59 XS' }), {}]);
    expect(hits(result)).toEqual(['2 IMAGING_BUNDLED']);
    expect(finding(result, 2, 'IMAGING_BUNDLED').related).toEqual([3]);
  });

  it('matches members trimmed and case-insensitively, and dates written differently', () => {
    const result = check([{ member_id: ' m1 ' }, other('77003', { date_of_service: '06/01/2026' })]);
    expect(hits(result)).toEqual(['3 IMAGING_BUNDLED']);
  });

  it('uses billing_npi as the encounter NPI when rendering_npi is empty', () => {
    const result = check([{ rendering_npi: '', billing_npi: NPI_A }, other('77003')]);
    expect(hits(result)).toEqual(['3 IMAGING_BUNDLED']);
    const reverse = check([{}, other('77003', { rendering_npi: '', billing_npi: NPI_A })]);
    expect(finding(reverse, 3, 'IMAGING_BUNDLED').provider_npi).toBe(NPI_A);
  });

  it('does not use billing_npi when rendering_npi is present', () => {
    expect(hits(check([{ rendering_npi: NPI_B, billing_npi: NPI_A }, other('77003')]))).toEqual([]);
  });

  it('relates every index line of the encounter (the 20 lowest)', () => {
    const result = check([other('77003'), ...Array.from({ length: 22 }, (_, n) => ({ claim_id: `K${n}` }))]);
    expect(finding(result, 2, 'IMAGING_BUNDLED').related).toEqual(
      Array.from({ length: 20 }, (_, n) => n + 3),
    );
  });

  it('takes no part when the member or date is missing or invalid', () => {
    const rows = [
      { member_id: '' },
      other('77003', { member_id: '' }),
      { claim_id: 'C2', date_of_service: '2026-02-30' },
    ];
    expect(
      linesOf(
        check([...rows, other('77003', { claim_id: 'C2', date_of_service: '2026-02-30' })]),
        'IMAGING_BUNDLED',
      ),
    ).toEqual([]);
  });
});

describe('EM_SAME_DAY_NO_25', () => {
  const EM = [
    ...['99202', '99205', '99211', '99215', '99221', '99222', '99223', '99231', '99233'],
    ...['99238', '99239', '99242', '99245', '99281', '99283', '99285'],
  ];
  it.each(EM)('fires for %s without modifier 25', (code) => {
    expect(hits(check([{}, other(code)]))).toEqual(['3 EM_SAME_DAY_NO_25']);
  });

  it.each(['99201', '99241', '99216', '99286'])('ignores %s (not on the list)', (code) => {
    expect(hits(check([{}, other(code)]))).toEqual([]);
  });

  it('does not fire with modifier 25', () => {
    expect(hits(check([{}, other('99283', { modifiers: '25' })]))).toEqual([]);
  });
});

describe('UNITS_EXCEED_MUE', () => {
  it('fires on an index line of 2 units', () => {
    const result = check([{ units: '2' }]);
    expect(hits(result)).toEqual(['2 UNITS_EXCEED_MUE']);
    expect(finding(result, 2, 'UNITS_EXCEED_MUE').related).toEqual([]);
  });

  it('fires on every index line of the encounter, each relating the others', () => {
    const result = check([{}, { claim_id: 'C2' }, { claim_id: 'C3', rendering_npi: NPI_B }]);
    expect(hits(result)).toEqual(['2 UNITS_EXCEED_MUE', '3 UNITS_EXCEED_MUE']);
    expect(finding(result, 3, 'UNITS_EXCEED_MUE').related).toEqual([2]);
  });

  it('keeps related to the 20 lowest other lines', () => {
    const result = check(Array.from({ length: 22 }, (_, n) => ({ claim_id: `K${n}` })));
    expect(linesOf(result, 'UNITS_EXCEED_MUE')).toHaveLength(22);
    expect(finding(result, 2, 'UNITS_EXCEED_MUE').related).toEqual(
      Array.from({ length: 20 }, (_, n) => n + 3),
    );
    expect(finding(result, 23, 'UNITS_EXCEED_MUE').related).toEqual(
      Array.from({ length: 20 }, (_, n) => n + 2),
    );
  });

  it('leaves invalid units out of the sum', () => {
    expect(hits(check([{}, { claim_id: 'C2', units: 'x' }]))).toEqual(['3 INVALID_UNITS']);
  });

  it('counts a 76 repeat', () => {
    const result = check([{}, { claim_id: 'C2', modifiers: '76' }]);
    expect(hits(result)).toEqual(['2 UNITS_EXCEED_MUE', '3 MODIFIER_NOT_ALLOWED', '3 UNITS_EXCEED_MUE']);
  });
});

describe('index line modifiers', () => {
  it.each(['50', 'RT', 'LT'])('BILATERAL_MODIFIER for %s', (modifiers) => {
    expect(hits(check([{ modifiers }]))).toEqual(['2 BILATERAL_MODIFIER']);
  });

  it.each(['26', 'TC', '25', '76', '77'])('MODIFIER_NOT_ALLOWED for %s', (modifiers) => {
    expect(hits(check([{ modifiers }]))).toEqual(['2 MODIFIER_NOT_ALLOWED']);
  });

  it('KX_ON_INTERLAMINAR (warning) for KX; nothing for 59; nothing on a non-index line', () => {
    const result = check([{ modifiers: 'kx' }]);
    expect(hits(result)).toEqual(['2 KX_ON_INTERLAMINAR']);
    expect(result.findings[0]!.severity).toBe('warning');
    expect(hits(check([{ modifiers: '59' }]))).toEqual([]);
    expect(hits(check([other('99213', { modifiers: '50 KX 26' })]))).toEqual([]);
  });
});

describe('DX_AXIAL_ONLY and DX_NOT_COVERED', () => {
  it.each(['M54.50', 'M5451 M5459', 'M47.816, M47.817', 'M51360|M51370'])('DX_AXIAL_ONLY for %s', (dx) => {
    expect(hits(check([{ diagnosis_codes: dx }]))).toEqual(['2 DX_AXIAL_ONLY']);
  });

  it('M545 is axial (and retired)', () => {
    expect(hits(check([{ diagnosis_codes: 'M54.5' }]))).toEqual(['2 DIAGNOSIS_RETIRED', '2 DX_AXIAL_ONLY']);
  });

  it('needs every code axial, and a covered code clears both rules', () => {
    expect(hits(check([{ diagnosis_codes: 'M5450 M5416' }]))).toEqual([]);
    expect(hits(check([{ diagnosis_codes: 'M5450 M5489' }]))).toEqual(['2 DX_NOT_COVERED']);
  });

  it.each([
    ...['M5416', 'M5417', 'M5418', 'M5116', 'M5117', 'M5126', 'M5127', 'M51361', 'M51362', 'M51371'],
    ...['M51372', 'M48061', 'M48062', 'M4807', 'M4808', 'M4726', 'M4727', 'M4728', 'M5430', 'M5431'],
    ...['M5432', 'M5440', 'M5441', 'M5442', 'M961', 'B0223', 'B0229'],
  ])('%s is covered', (dx) => {
    expect(hits(check([{ diagnosis_codes: dx }]))).toEqual([]);
  });

  it.each(['B0222', 'M5489', 'M5136', 'Z9981'])('DX_NOT_COVERED for %s alone', (dx) => {
    expect(linesOf(check([{ diagnosis_codes: dx }]), 'DX_NOT_COVERED')).toEqual([2]);
  });

  it('exempts index lines carrying G8912 or G8918', () => {
    expect(hits(check([{ diagnosis_codes: 'B0222 G89.18' }]))).toEqual([]);
    expect(hits(check([{ diagnosis_codes: 'M5450 G8912' }]))).toEqual([]);
  });

  it('exempts index lines whose claim has a 78630 line, on any date and NPI', () => {
    const cisternography = other('78630', { date_of_service: day(-3), rendering_npi: NPI_B });
    expect(hits(check([{ diagnosis_codes: 'B0222' }, cisternography]))).toEqual([]);
    expect(hits(check([cisternography, { diagnosis_codes: 'M5450' }]))).toEqual([]);
  });

  it('does not exempt for a 78630 line of another claim, even in the same encounter', () => {
    const result = check([
      { diagnosis_codes: 'B0222' },
      { diagnosis_codes: 'M5450', claim_id: 'C9', rendering_npi: NPI_B },
      other('78630', { claim_id: 'C2' }),
    ]);
    expect(hits(result)).toEqual(['2 DX_NOT_COVERED', '3 DX_AXIAL_ONLY']);
  });
});

describe('session rules (any provider)', () => {
  it.each([
    ['62320', 'ONE_REGION_PER_SESSION', 'error'],
    ['62321', 'ONE_REGION_PER_SESSION', 'error'],
    ['64479', 'ONE_REGION_PER_SESSION', 'error'],
    ['64480', 'ONE_REGION_PER_SESSION', 'error'],
    ...['64483', '64484', '64490', '64495', '64633', '64636', '27096', 'G0260', '20552', '20553'].map(
      (code) => [code, 'SAME_SESSION_OTHER_SPINAL', 'warning'],
    ),
    ...['99152', '99153', '99155', '99156', '99157', '01937', '01938'].map((code) => [
      code,
      'SEDATION_SAME_SESSION',
      'warning',
    ]),
  ])('%s by another NPI on the same day gives %s', (code, rule, severity) => {
    const result = check([{}, other(code!, { rendering_npi: NPI_B, claim_id: 'C2' })]);
    expect(hits(result)).toEqual([`3 ${rule}`]);
    expect(finding(result, 3, rule!)).toMatchObject({ severity, related: [2] });
  });

  it('ignores them on another day or for another member, and ignores 99151', () => {
    const rows = [
      {},
      other('62321', { date_of_service: day(1) }),
      other('64483', { member_id: 'M2' }),
      other('99151'),
    ];
    expect(hits(check(rows))).toEqual([]);
  });

  it('01937 by the injecting NPI is sedation and anesthesia by the proceduralist', () => {
    expect(hits(check([{}, other('01937')]))).toEqual([
      '3 ANESTHESIA_BY_PROCEDURALIST',
      '3 SEDATION_SAME_SESSION',
    ]);
  });
});

describe('DRUG_IN_FACILITY and DRUG_UNITS_HIGH', () => {
  it.each(['19', '21', '22', '23', '24'])('DRUG_IN_FACILITY for a steroid at place of service %s', (pos) => {
    const result = check([{}, other('J3301', { place_of_service: pos, units: '4' })]);
    expect(hits(result)).toEqual(['3 DRUG_IN_FACILITY']);
    expect(finding(result, 3, 'DRUG_IN_FACILITY')).toMatchObject({ severity: 'warning', related: [2] });
  });

  it('no DRUG_IN_FACILITY in the office, and a retired steroid in a facility is both', () => {
    expect(hits(check([{}, other('J0702', { units: '2' })]))).toEqual([]);
    expect(hits(check([{}, other('J1040', { place_of_service: '22' })]))).toEqual([
      '3 CODE_RETIRED',
      '3 DRUG_IN_FACILITY',
    ]);
  });

  it.each([
    ['J3301', 8],
    ['J0702', 2],
    ['J1100', 15],
    ['J1010', 80],
  ] as const)('DRUG_UNITS_HIGH for %s above %i units, not at it', (code, ceiling) => {
    expect(hits(check([{}, other(code, { units: String(ceiling) })]))).toEqual([]);
    const result = check([{}, other(code, { units: String(ceiling + 1) })]);
    expect(hits(result)).toEqual(['3 DRUG_UNITS_HIGH']);
    expect(finding(result, 3, 'DRUG_UNITS_HIGH')).toMatchObject({ severity: 'warning', related: [2] });
  });

  it('no DRUG_UNITS_HIGH without a 62323 in the encounter, or for a steroid without a ceiling', () => {
    expect(hits(check([other('J3301', { units: '9' })]))).toEqual([]);
    expect(hits(check([{}, other('J3301', { units: '9', rendering_npi: NPI_B })]))).toEqual([]);
    const before = { date_of_service: '2024-03-01' };
    const j1030 = other('J1030', { units: '500', ...before });
    expect(hits(check([before, j1030], { asOf: '2024-03-15' }))).toEqual([]);
  });
});

describe('index line place of service, prior auth, span', () => {
  it.each(['21', '23'])('POS_UNUSUAL (warning) only for %s', (pos) => {
    const result = check([{ place_of_service: pos }]);
    expect(hits(result)).toEqual(['2 POS_UNUSUAL']);
    expect(result.findings[0]!.severity).toBe('warning');
  });

  it.each(['12', '99', '02'])('POS_NOT_ALLOWED, a warning, for %s', (pos) => {
    const result = check([{ place_of_service: pos }]);
    expect(hits(result)).toEqual(['2 POS_NOT_ALLOWED']);
    expect(result.findings[0]!.severity).toBe('warning');
  });

  it.each(['11', '19', '22', '24'])('nothing for %s', (pos) => {
    expect(hits(check([{ place_of_service: pos }]))).toEqual([]);
  });

  it('PRIOR_AUTH_MISSING when empty, and when the column is absent', () => {
    expect(hits(check([{ prior_auth: ' ' }]))).toEqual(['2 PRIOR_AUTH_MISSING']);
    const columns = COLUMNS.filter((column) => column !== 'prior_auth');
    const result = referenceCheck({ csv: batchCsv([{}], columns), asOf: AS_OF });
    expect(hits(result)).toEqual(['2 PRIOR_AUTH_MISSING']);
  });

  it('MULTI_DAY_SPAN when date_of_service_to is another day, compared as dates', () => {
    expect(hits(check([{ date_of_service_to: day(1) }]))).toEqual(['2 MULTI_DAY_SPAN']);
    expect(hits(check([{ date_of_service_to: '06/01/2026' }]))).toEqual([]);
    expect(hits(check([other('99213', { date_of_service_to: day(1) })]))).toEqual([]);
  });
});

describe('FREQUENCY_EXCEEDED', () => {
  const monthly = ['2026-01-05', '2026-02-05', '2026-03-05', '2026-04-05', '2026-05-05'];
  const sessions = (dates: readonly string[], over: Row = {}): Row[] =>
    dates.map((date, n) => ({ claim_id: `F${n}`, date_of_service: date, ...over }));

  it('fires on the fifth session date in 365 days, relating the index lines of the others', () => {
    const result = check(sessions(monthly));
    expect(linesOf(result, 'FREQUENCY_EXCEEDED')).toEqual([6]);
    expect(finding(result, 6, 'FREQUENCY_EXCEEDED')).toMatchObject({
      severity: 'error',
      related: [2, 3, 4, 5],
    });
  });

  it('does not count the same date twice, or dates after the line', () => {
    const twice = sessions(['2026-01-05', '2026-02-05', '2026-03-05', '2026-04-05', '2026-04-05']);
    twice[4] = { ...twice[4], rendering_npi: NPI_B };
    expect(linesOf(check(twice), 'FREQUENCY_EXCEEDED')).toEqual([]);
    expect(linesOf(check(sessions([...monthly].reverse())), 'FREQUENCY_EXCEEDED')).toEqual([2]);
  });

  it('counts d − 364 in the window and leaves d − 365 out', () => {
    const dates = (first: number) => [first, -300, -200, -100, 0].map((offset) => day(offset));
    expect(linesOf(check(sessions(dates(-364))), 'FREQUENCY_EXCEEDED')).toEqual([6]);
    expect(linesOf(check(sessions(dates(-365))), 'FREQUENCY_EXCEEDED')).toEqual([]);
  });

  it('counts 64483/64484 dates as sessions, relating index lines only', () => {
    const rows = [
      ...sessions(monthly.slice(0, 4), { procedure_code: '64483', diagnosis_codes: '' }),
      { claim_id: 'X' },
    ];
    const result = check(rows);
    expect(linesOf(result, 'FREQUENCY_EXCEEDED')).toEqual([6]);
    expect(finding(result, 6, 'FREQUENCY_EXCEEDED').related).toEqual([]);
  });

  it('fires on every index line of the date', () => {
    const rows = [...sessions(monthly), { claim_id: 'Z', date_of_service: monthly[4], rendering_npi: NPI_B }];
    expect(linesOf(check(rows), 'FREQUENCY_EXCEEDED')).toEqual([6, 7]);
    expect(finding(check(rows), 7, 'FREQUENCY_EXCEEDED').related).toEqual([2, 3, 4, 5]);
  });

  it('takes no part for another member', () => {
    const rows = sessions(monthly).map((row, n) => ({ ...row, member_id: n === 4 ? 'M2' : 'M1' }));
    expect(linesOf(check(rows), 'FREQUENCY_EXCEEDED')).toEqual([]);
  });

  it('uses the pack windows; fires when any window is exceeded; related = the firing windows', () => {
    const windows = [
      { limit: 3, days: 183 },
      { limit: 4, days: 365 },
    ];
    const packs = [pack('um', ['Acme'], { rules: { FREQUENCY_EXCEEDED: { windows } } })];
    const run = (offsets: number[]) =>
      check(
        sessions(
          offsets.map((offset) => day(offset)),
          { payer: 'Acme' },
        ),
        { packs },
      );
    // Only the 183-day window: 4 dates in it.
    expect(finding(run([-100, -50, -20, 0]), 5, 'FREQUENCY_EXCEEDED').related).toEqual([2, 3, 4]);
    // Only the 365-day window: its related lines reach back a year.
    expect(finding(run([-300, -250, -200, -190, 0]), 6, 'FREQUENCY_EXCEEDED').related).toEqual([2, 3, 4, 5]);
    expect(linesOf(run([-300, -250, -200, 0]), 'FREQUENCY_EXCEEDED')).toEqual([]);
  });

  it('relates only the dates of the firing window', () => {
    const windows = [
      { limit: 1, days: 30 },
      { limit: 10, days: 365 },
    ];
    const packs = [pack('um', ['Acme'], { rules: { FREQUENCY_EXCEEDED: { windows } } })];
    const result = check(sessions([day(-200), day(-10), DOS], { payer: 'Acme' }), { packs });
    expect(linesOf(result, 'FREQUENCY_EXCEEDED')).toEqual([4]);
    expect(finding(result, 4, 'FREQUENCY_EXCEEDED').related).toEqual([3]);
  });

  it('a 30-day window holds d − 29, not d − 30', () => {
    const packs = [
      pack('um', ['Acme'], { rules: { FREQUENCY_EXCEEDED: { windows: [{ limit: 1, days: 30 }] } } }),
    ];
    const run = (offset: number) => check(sessions([day(offset), DOS], { payer: 'Acme' }), { packs });
    expect(linesOf(run(-29), 'FREQUENCY_EXCEEDED')).toEqual([3]);
    expect(linesOf(run(-30), 'FREQUENCY_EXCEEDED')).toEqual([]);
  });

  it('limit 0 fires on every index line', () => {
    const packs = [
      pack('none', ['Acme'], { rules: { FREQUENCY_EXCEEDED: { windows: [{ limit: 0, days: 1 }] } } }),
    ];
    expect(hits(check([{ payer: 'Acme' }], { packs }))).toEqual(['2 FREQUENCY_EXCEEDED']);
  });

  it('is judged by the index line’s pack', () => {
    const packs = [
      pack('um', ['Acme'], { rules: { FREQUENCY_EXCEEDED: { windows: [{ limit: 1, days: 30 }] } } }),
    ];
    const rows = (first: string, second: string) => [
      { claim_id: 'A', date_of_service: day(-10), payer: first },
      { claim_id: 'B', payer: second },
    ];
    expect(linesOf(check(rows('Acme', 'Medicare'), { packs }), 'FREQUENCY_EXCEEDED')).toEqual([]);
    expect(linesOf(check(rows('Medicare', 'Acme'), { packs }), 'FREQUENCY_EXCEEDED')).toEqual([3]);
  });

  it('counts history session dates (62323, 64483, 64484), not other codes or this batch’s own rows', () => {
    const prior = ['2026-01-05,62323', '2026-02-05,64483', '2026-03-05,64484', '2026-04-05,62323'];
    const rows = (batch: string) => prior.map((row) => ` m1 ,${row},${NPI_B},H1,1,1,${batch},2`);
    const result = check([{}], { history: history(...rows('prior-1')), batchId: 'tonight' });
    expect(hits(result)).toEqual(['2 FREQUENCY_EXCEEDED']);
    expect(result.findings[0]!.related).toEqual([]);
    expect(hits(check([{}], { history: history(...rows('tonight')), batchId: 'tonight' }))).toEqual([]);
    const others = prior.map((row) => `M1,${row.slice(0, 10)},99213,${NPI_B},H1,1,1,prior-1,2`);
    expect(hits(check([{}], { history: history(...others) }))).toEqual([]);
  });
});

describe('REPEAT_TOO_SOON', () => {
  const on = (extra: object = {}) => [
    pack('um', ['Acme'], { rules: { REPEAT_TOO_SOON: { enabled: true, ...extra } } }),
  ];
  const pair = (offset: number, over: Row = {}): Row[] => [
    { claim_id: 'A', date_of_service: day(offset), payer: 'Acme', ...over },
    { claim_id: 'B', payer: 'Acme' },
  ];

  it('is off in the default pack', () => {
    expect(hits(check(pair(-5)))).toEqual([]);
  });

  it('fires (warning) on the later line when on: d − 13 does, d − 14 does not', () => {
    const result = check(pair(-13), { packs: on() });
    expect(hits(result)).toEqual(['3 REPEAT_TOO_SOON']);
    expect(finding(result, 3, 'REPEAT_TOO_SOON')).toMatchObject({
      severity: 'warning',
      related: [2],
      rule_pack: 'um',
    });
    expect(hits(check(pair(-14), { packs: on() }))).toEqual([]);
  });

  it('takes its days from the pack', () => {
    expect(hits(check(pair(-29), { packs: on({ days: 30 }) }))).toEqual(['3 REPEAT_TOO_SOON']);
    expect(hits(check(pair(-30), { packs: on({ days: 30 }) }))).toEqual([]);
  });

  it('ignores the same day', () => {
    expect(linesOf(check(pair(0, { rendering_npi: NPI_B }), { packs: on() }), 'REPEAT_TOO_SOON')).toEqual([]);
  });

  it('relates the session lines of the earlier date, and counts history', () => {
    const rows = [...pair(-5), other('64483', { date_of_service: day(-5), rendering_npi: NPI_B })];
    expect(finding(check(rows, { packs: on() }), 3, 'REPEAT_TOO_SOON').related).toEqual([2, 4]);
    const result = check([{ payer: 'Acme' }], {
      packs: on(),
      history: history(`M1,${day(-5)},64484,,,,,p,`),
    });
    expect(result.findings).toMatchObject([{ rule_id: 'REPEAT_TOO_SOON', related: [] }]);
  });
});

describe('PRIOR_BATCH_DUPLICATE', () => {
  const prior = (over: { npi?: string; claim?: string; code?: string; batch?: string; date?: string } = {}) =>
    history(
      `m1 ,${over.date ?? DOS},${over.code ?? '62323'},${over.npi ?? NPI_A},${over.claim ?? 'OLD'},1,1,${over.batch ?? 'prior'},2`,
    );

  it('fires (warning) when an earlier batch billed the same member, date and NPI on another claim', () => {
    const result = check([{}], { history: prior(), batchId: 'tonight' });
    expect(result.findings).toMatchObject([
      { line: 2, rule_id: 'PRIOR_BATCH_DUPLICATE', severity: 'warning', related: [] },
    ]);
    expect(hits(check([{}], { history: prior({ date: '06/01/2026' }) }))).toEqual([
      '2 PRIOR_BATCH_DUPLICATE',
    ]);
  });

  it('uses the encounter NPI (billing when rendering is empty)', () => {
    expect(hits(check([{ rendering_npi: '', billing_npi: NPI_A }], { history: prior() }))).toEqual([
      '2 PRIOR_BATCH_DUPLICATE',
    ]);
  });

  it('treats a claim_frequency other than 7 or 8 as an original', () => {
    expect(hits(check([{ claim_frequency: 'X' }], { history: prior() }))).toEqual([
      '2 PRIOR_BATCH_DUPLICATE',
    ]);
    expect(hits(check([{ claim_frequency: '' }], { history: prior() }))).toEqual(['2 PRIOR_BATCH_DUPLICATE']);
  });

  it.each([
    ['the same claim id', {}, { claim: 'C1' }],
    ['a replacement (7)', { claim_frequency: '7' }, {}],
    ['a void (8)', { claim_frequency: ' 8 ' }, {}],
    ['another NPI', {}, { npi: NPI_B }],
    ['a 64483 in history', {}, { code: '64483' }],
    ['another date', {}, { date: day(-1) }],
    ['this batch’s own record', {}, { batch: 'tonight' }],
  ])('does not fire for %s', (_, row, over) => {
    const result = check([row], { history: prior(over), batchId: 'tonight' });
    expect(linesOf(result, 'PRIOR_BATCH_DUPLICATE')).toEqual([]);
  });

  it('needs provider_npi in the history', () => {
    const text = `member_id,date_of_service,procedure_code,claim_id\nM1,${DOS},62323,OLD\n`;
    expect(hits(check([{}], { history: text }))).toEqual([]);
  });
});

describe('history file', () => {
  it('ignores and counts rows with an empty or invalid member id, date or code', () => {
    const text = history(
      ',2026-05-01,62323,,,,,p,',
      'M1,2026-13-01,62323,,,,,p,',
      'M1,2026-05-01,,,,,,p,',
      'M1,2026-05-01,ABC,,,,,p,',
      'M1,2026-05-01,99213,,,,,p,',
      '',
    );
    expect(check([{}], { history: text }).ignoredHistoryRows).toBe(4);
  });

  it('reads the batch header aliases', () => {
    const rows = ['2026-01-05', '2026-02-05', '2026-03-05', '2026-04-05'].map((date) => `M1,${date},62323`);
    const text = ['Patient ID,Service Date,HCPCS', ...rows].join('\r\n');
    expect(hits(check([{}], { history: text }))).toEqual(['2 FREQUENCY_EXCEEDED']);
  });
});

describe('rule packs', () => {
  const acme = (body: object) => [pack('acme', ['Acme Health'], body)];

  it('changes a severity and turns rules off, for its payers only', () => {
    const packs = acme({
      rules: { PRIOR_AUTH_MISSING: { severity: 'error' }, KX_ON_INTERLAMINAR: { enabled: false } },
    });
    const result = check(
      [
        { prior_auth: '', modifiers: 'KX', payer: 'Acme Health' },
        { claim_id: 'C2', prior_auth: '', modifiers: 'KX', member_id: 'M2' },
      ],
      { packs },
    );
    expect(result.findings).toMatchObject([
      { line: 2, rule_id: 'PRIOR_AUTH_MISSING', severity: 'error', rule_pack: 'acme' },
      { line: 3, rule_id: 'KX_ON_INTERLAMINAR', severity: 'warning', rule_pack: '62323/v2' },
      { line: 3, rule_id: 'PRIOR_AUTH_MISSING', severity: 'warning', rule_pack: '62323/v2' },
    ]);
    expect(result.packLines).toEqual({ acme: 1, '62323/v2': 1 });
  });

  it('matches payers trimmed and case-insensitively, not with other inner spacing', () => {
    const packs = acme({ rules: { PRIOR_AUTH_MISSING: { severity: 'info' } } });
    const rows = ['  ACME health ', 'acme health', 'Acme  Health', ''].map((payer, n) => ({
      payer,
      prior_auth: '',
      member_id: `M${n}`,
    }));
    const result = check(rows, { packs });
    expect(result.findings.map((f) => [f.severity, f.rule_pack, f.payer])).toEqual([
      ['info', 'acme', 'ACME health'],
      ['info', 'acme', 'acme health'],
      ['warning', '62323/v2', 'Acme  Health'],
      ['warning', '62323/v2', ''],
    ]);
  });

  it('judges unclaimed payers with the default pack', () => {
    const packs = [...acme({}), pack('house', [], { rules: { PRIOR_AUTH_MISSING: { enabled: false } } })];
    const result = check(
      [
        { payer: 'Acme Health', prior_auth: '' },
        { member_id: 'M2', payer: 'Other', prior_auth: '' },
        { member_id: 'M3', prior_auth: '' },
      ],
      { packs, defaultPack: 'house' },
    );
    expect(hits(result)).toEqual(['2 PRIOR_AUTH_MISSING']);
    expect(result.packLines).toEqual({ acme: 1, house: 2 });
  });

  it('replaces a whole list', () => {
    const packs = acme({ lists: { imagingCodes: ['77003'] } });
    const rows = [
      { payer: 'Acme Health' },
      other('77003', { payer: 'Acme Health' }),
      other('77012', { payer: 'Acme Health' }),
    ];
    expect(hits(check(rows, { packs }))).toEqual(['3 IMAGING_BUNDLED']);
  });

  it('adds to and removes from a list', () => {
    const packs = acme({
      lists: {
        coveredDiagnoses: { add: ['M54.89'], remove: ['M5430'] },
        allowedPlacesOfService: { add: ['12'], remove: ['21'] },
      },
    });
    const row = (over: Row): Row[] => [{ payer: 'Acme Health', ...over }];
    expect(hits(check(row({ diagnosis_codes: 'M5489' }), { packs }))).toEqual([]);
    expect(hits(check(row({ diagnosis_codes: 'M5430' }), { packs }))).toEqual(['2 DX_NOT_COVERED']);
    expect(hits(check(row({ place_of_service: '12' }), { packs }))).toEqual([]);
    expect(hits(check(row({ place_of_service: '21' }), { packs }))).toEqual([
      '2 POS_NOT_ALLOWED',
      '2 POS_UNUSUAL',
    ]);
  });

  it('changes the axial and exempt lists', () => {
    const packs = acme({
      lists: { axialDiagnoses: { add: ['M5489'] }, exemptDiagnoses: { remove: ['G8918'] } },
    });
    expect(hits(check([{ payer: 'Acme Health', diagnosis_codes: 'M5489' }], { packs }))).toEqual([
      '2 DX_AXIAL_ONLY',
    ]);
    expect(hits(check([{ payer: 'Acme Health', diagnosis_codes: 'B0222 G8918' }], { packs }))).toEqual([
      '2 DX_NOT_COVERED',
    ]);
  });

  it('counts a dated list entry only for dates of service in its range (both ends inclusive)', () => {
    const from = acme({ lists: { coveredDiagnoses: { add: [{ code: 'M5489', effectiveFrom: DOS }] } } });
    const to = acme({ lists: { coveredDiagnoses: { add: [{ code: 'M5489', effectiveTo: DOS }] } } });
    const run = (packs: object[], date: string) =>
      linesOf(
        check([{ payer: 'Acme Health', diagnosis_codes: 'M5489', date_of_service: date }], { packs }),
        'DX_NOT_COVERED',
      );
    expect(run(from, day(-1))).toEqual([2]);
    expect(run(from, DOS)).toEqual([]);
    expect(run(to, DOS)).toEqual([]);
    expect(run(to, day(1))).toEqual([2]);
  });

  it('does not count a dated list entry for a line without a valid date of service', () => {
    const dated = acme({
      lists: { coveredDiagnoses: { add: [{ code: 'M5489', effectiveFrom: '2000-01-01' }] } },
    });
    const plain = acme({ lists: { coveredDiagnoses: { add: ['M5489'] } } });
    const row = { payer: 'Acme Health', diagnosis_codes: 'M5489', date_of_service: '2026-02-30' };
    expect(hits(check([row], { packs: dated }))).toEqual(['2 DX_NOT_COVERED', '2 INVALID_DATE']);
    expect(hits(check([row], { packs: plain }))).toEqual(['2 INVALID_DATE']);
  });

  it('applies a dated rule entry only inside its range, the base rule set outside it', () => {
    const packs = acme({
      rules: { PRIOR_AUTH_MISSING: { severity: 'error', effectiveFrom: DOS, effectiveTo: day(10) } },
    });
    const severityOn = (date: string) =>
      check([{ payer: 'Acme Health', prior_auth: '', date_of_service: date }], { packs }).findings[0]!
        .severity;
    expect(severityOn(day(-1))).toBe('warning');
    expect(severityOn(DOS)).toBe('error');
    expect(severityOn(day(10))).toBe('error');
    expect(severityOn(day(11))).toBe('warning');
  });

  it('judges a cross-line finding by the pack of the line it is on', () => {
    const packs = acme({
      lists: { imagingCodes: { remove: ['77003'] } },
      rules: { NO_IMAGING_TWIN: { severity: 'warning' } },
    });
    const imagingAcme = check([{}, other('77003', { payer: 'Acme Health' })], { packs });
    expect(hits(imagingAcme)).toEqual([]);
    const indexAcme = check(
      [{ payer: 'Acme Health' }, other('77003'), other('62322', { payer: 'ACME HEALTH' })],
      { packs },
    );
    expect(indexAcme.findings).toMatchObject([
      { line: 3, rule_id: 'IMAGING_BUNDLED', severity: 'error', rule_pack: '62323/v2', related: [2] },
      { line: 4, rule_id: 'NO_IMAGING_TWIN', severity: 'warning', rule_pack: 'acme', related: [2] },
    ]);
  });
});

describe('reading the batch', () => {
  it('matches header aliases case-insensitively, spaces and hyphens as underscores; numbered columns', () => {
    const header =
      'Claim Number,LINE-NUMBER, Patient ID ,DOS,CPT Code,Mod1,Modifier 2,DX_1,dx-2,ICD10_3,Quantity,POS,NPI,Billed Amount,Auth Number,Payer Name,Frequency Code';
    const row = `C1,1,M1,${DOS},62323,50,,M54.50,,M47.816,1,11,${NPI_A},"$1,250.00",PA1,Medicare,1`;
    expect(hits(referenceCheck({ csv: `${header}\n${row}\n`, asOf: AS_OF }))).toEqual([
      '2 BILATERAL_MODIFIER',
      '2 DX_AXIAL_ONLY',
    ]);
  });

  it('reads diagnosis_N columns and billing_npi without a rendering column', () => {
    const header =
      'claim_id,line_no,member_id,service_date,hcpcs,diagnosis_1,diagnosis_2,units,place_of_service,billing_npi,amount';
    const csv = `${header}\nC1,1,M1,${DOS},62323,M5450,B0222,1,11,${NPI_A},100\n`;
    const result = referenceCheck({ csv, asOf: AS_OF });
    expect(hits(result)).toEqual(['2 DX_NOT_COVERED', '2 PRIOR_AUTH_MISSING']);
    expect(result.findings[0]!.provider_npi).toBe(NPI_A);
  });

  it('numbers lines physically: blank lines skipped, multi-line fields, BOM and CRLF', () => {
    const rows = [
      csvRecord(COLUMNS.map((c) => ({ ...BASE, line_no: '1', prior_auth: 'PA\n1' })[c])),
      '',
      csvRecord(COLUMNS.map((c) => ({ ...BASE, line_no: '2', units: '0' })[c])),
    ];
    const csv = `\uFEFF${COLUMNS.join(',')}\r\n${rows.join('\r\n')}\r\n`;
    const result = referenceCheck({ csv, asOf: AS_OF });
    expect(result.checked).toBe(2);
    expect(hits(result)).toEqual(['5 INVALID_UNITS']);
  });

  it('ignores empty trailing fields; rejects records of another width', () => {
    const header = `${COLUMNS.join(',')},,`;
    const good = csvRecord(COLUMNS.map((c) => ({ ...BASE, line_no: '1' })[c]));
    const lineNo = (n: number) => good.replace(',1,', `,${n},`);
    const csv = [header, good, `${lineNo(2)},,,`, `${lineNo(3)},x`, good.split(',').slice(0, 5).join(',')];
    const result = referenceCheck({ csv: `${csv.join('\n')}\n`, asOf: AS_OF });
    expect(result.checked).toBe(2);
    expect(result.rejectedLines).toEqual([4, 5]);
  });

  it('rejects the batch when the header lacks a required column', () => {
    const columns = COLUMNS.filter((column) => column !== 'charge');
    const result = referenceCheck({ csv: batchCsv([{}], columns), asOf: AS_OF });
    expect(result).toMatchObject({
      checked: 0,
      findings: [],
      batchRejected: { code: 'MISSING_COLUMNS', columns: ['charge'] },
    });
  });
});

describe('randomV2Batch', () => {
  it('is the same batch for the same seed', () => {
    expect(randomV2Batch(7)).toEqual(randomV2Batch(7));
    expect(randomV2Batch(7).csv).not.toBe(randomV2Batch(8).csv);
  });

  it('exercises every v2 rule, with no rejected records', () => {
    const fired = new Set<string>();
    for (const seed of [1, 2, 3]) {
      const result = referenceCheck(randomV2Batch(seed));
      expect(result.rejectedLines).toEqual([]);
      expect(result.checked).toBe(400);
      expect(Object.keys(result.packLines).length).toBeGreaterThanOrEqual(3);
      for (const f of result.findings) fired.add(f.rule_id);
    }
    expect([...fired].sort()).toEqual([...V2_RULE_IDS].sort());
  });

  it('checks 20,000 lines in a few seconds', () => {
    const batch = randomV2Batch(11, { lines: 20_000 });
    const started = Date.now();
    const result = referenceCheck(batch);
    expect(result.checked).toBe(20_000);
    expect(result.ignoredHistoryRows).toBe(3);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
