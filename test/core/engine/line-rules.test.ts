/**
 * Rules decided by one line: the data rules (rules.md §A, except DUPLICATE_LINE, which is in
 * cross-rules.test.ts) and the 62323 rules that need no other line (§B). Each rule: a case that fires
 * (line, related lines and severity read back from findings.csv) and near misses that must not fire.
 */
import { describe, expect, it } from 'vitest';
import { REQUIRED_FIELD_NAMES } from '../../../functions/core/intake/columns.js';
import { batch, type LineInput, lineOf } from '../../support/batch.js';
import { NPI_A, NPI_B, NPI_BAD_CHECK, npi } from '../../support/npi.js';
import {
  expectFinding,
  expectNoRule,
  expectRuleLines,
  type Run,
  type RunOptions,
  rowsOf,
  rulesOn,
  scrub,
} from '../../support/run.js';
import { AS_OF } from '../../support/spec.js';

const LINE = lineOf(0);
/** A batch of one line (physical line 2). */
const one = (
  line: LineInput,
  options?: RunOptions & { omit?: string[]; listColumns?: boolean },
): Promise<Run> =>
  scrub(batch([line], { omit: options?.omit ?? [], listColumns: options?.listColumns ?? false }), options);

/** A line that is not a 62323 line and needs no diagnosis: data rules only. */
const OTHER: LineInput = { procedure_code: '99213', prior_auth: '' };

describe('MISSING_FIELD', () => {
  it.each(REQUIRED_FIELD_NAMES)(
    'fires once when %s is empty, names the field, and no INVALID_* judges the empty value',
    async (field) => {
      const run = await one({ [field]: '' });
      const row = expectFinding(run, 'MISSING_FIELD', LINE);
      expect(row.message).toContain(field);
      expect(rulesOn(run, LINE)).toEqual(['MISSING_FIELD']);
    },
  );

  it('gives one finding per missing field', async () => {
    const empty = Object.fromEntries(REQUIRED_FIELD_NAMES.map((field) => [field, '']));
    const run = await one(empty);
    const rows = rowsOf(run, 'MISSING_FIELD');
    expect(rows).toHaveLength(REQUIRED_FIELD_NAMES.length);
    for (const field of REQUIRED_FIELD_NAMES) {
      expect(
        rows.filter((row) => new RegExp(`\\b${field}\\b`).test(row.message)),
        field,
      ).toHaveLength(1);
    }
    expect(rulesOn(run, LINE)).toEqual(REQUIRED_FIELD_NAMES.map(() => 'MISSING_FIELD'));
  });

  it('fires on a 62323 line with no diagnosis code at all', async () => {
    const run = await one({ dx: [] });
    const row = expectFinding(run, 'MISSING_FIELD', LINE);
    expect(row.message).toMatch(/diagnos/i);
    expect(rulesOn(run, LINE)).toEqual(['MISSING_FIELD']);
  });

  it('fires on a 62323 line when the batch has no diagnosis column', async () => {
    const run = await one({}, { omit: ['dx_1', 'dx_2', 'dx_3', 'dx_4'] });
    expect(rowsOf(run, 'MISSING_FIELD').map((row) => row.line)).toEqual([LINE]);
  });

  it('combines a missing field with the missing diagnosis on a 62323 line', async () => {
    const run = await one({ dx: [], charge: '' });
    expectRuleLines(run, 'MISSING_FIELD', [LINE, LINE]);
  });

  it('does not fire for a line without diagnoses that is not a 62323 line', async () => {
    const run = await one({ ...OTHER, dx: [] });
    expect(run.rows).toEqual([]);
  });

  it('does not fire for empty optional fields (dob, dos_to, billing NPI, modifiers, payer)', async () => {
    const run = await one({
      patient_dob: '',
      date_of_service_to: '',
      billing_npi: '',
      modifiers: [],
      payer: '',
    });
    expect(run.rows).toEqual([]);
  });

  it('does not fire when optional columns are absent from the file', async () => {
    const run = await one(
      {},
      { omit: ['patient_dob', 'date_of_service_to', 'billing_npi', 'payer', 'modifier_1'] },
    );
    expect(run.rows).toEqual([]);
  });
});

describe('MISSING_FIELD: rendering_npi and billing_npi', () => {
  it('does not fire when rendering_npi is empty and billing_npi is filled (the billing NPI rendered)', async () => {
    const run = await one({ rendering_npi: '', billing_npi: NPI_B, prior_auth: '' });
    expect(rulesOn(run, LINE)).toEqual(['PRIOR_AUTH_MISSING']);
    // The encounter NPI is then the billing NPI.
    expect(rowsOf(run, 'PRIOR_AUTH_MISSING')[0]!.provider_npi).toBe(NPI_B);
  });

  it('fires once, naming rendering_npi, when both NPIs are empty', async () => {
    const run = await one({ rendering_npi: '', billing_npi: '' });
    const row = expectFinding(run, 'MISSING_FIELD', LINE);
    expect(row.message).toContain('rendering_npi');
    expect(rulesOn(run, LINE)).toEqual(['MISSING_FIELD']);
  });

  it('names the rendering NPI as the encounter NPI when both are filled', async () => {
    const run = await one({ rendering_npi: NPI_A, billing_npi: NPI_B, prior_auth: '' });
    expect(rowsOf(run, 'PRIOR_AUTH_MISSING')[0]!.provider_npi).toBe(NPI_A);
  });
});

describe('INVALID_DATE', () => {
  it.each(['2026-11-02', '11/02/2026', '11/2/2026', '20261102'])(
    'accepts %s and echoes it as 2026-11-02',
    async (date) => {
      // PRIOR_AUTH_MISSING makes the line appear in findings.csv, so its echo can be read.
      const run = await one({ date_of_service: date, prior_auth: '' });
      expect(rulesOn(run, LINE)).toEqual(['PRIOR_AUTH_MISSING']);
      expect(rowsOf(run, 'PRIOR_AUTH_MISSING')[0]!.date_of_service).toBe('2026-11-02');
    },
  );

  it.each([
    ['Feb 30, ISO', '2026-02-30'],
    ['Feb 30, US', '02/30/2026'],
    ['Feb 30, compact', '20260230'],
    ['Feb 29 in a common year', '2023-02-29'],
    ['Feb 29 in a century year not divisible by 400', '02/29/2100'],
    ['month 13', '2026-13-01'],
    ['Nov 31', '20261131'],
    ['day 0', '2026-11-00'],
    ['D/M/Y order', '28/11/2026'],
    ['dashes in US order', '11-02-2026'],
    ['slashes in ISO order', '2026/11/02'],
    ['words', 'yesterday'],
  ])('fires on date_of_service with %s (%s)', async (_, date) => {
    const run = await one({ date_of_service: date });
    expectFinding(run, 'INVALID_DATE', LINE);
    expectNoRule(run, 'DATE_OUT_OF_RANGE');
  });

  it.each(['2024-02-29', '02/29/2024', '20240229', '2000-02-29'])('accepts the leap day %s', async (date) => {
    const run = await one({ date_of_service: date });
    expectNoRule(run, 'INVALID_DATE');
  });

  it('fires on patient_dob and on date_of_service_to when present and invalid', async () => {
    const run = await scrub(
      batch([
        { ...OTHER, patient_dob: '1961-02-29' },
        { ...OTHER, date_of_service_to: '2026-11-31' },
      ]),
    );
    expectFinding(run, 'INVALID_DATE', lineOf(0));
    expectFinding(run, 'INVALID_DATE', lineOf(1));
  });

  it('gives one finding for a line with three invalid dates', async () => {
    const run = await one({
      date_of_service: '2026-02-30',
      patient_dob: '19610230',
      date_of_service_to: '13/01/2026',
    });
    expectFinding(run, 'INVALID_DATE', LINE);
  });

  it('does not fire on empty optional dates', async () => {
    const run = await one({ patient_dob: '', date_of_service_to: '' });
    expect(run.rows).toEqual([]);
  });
});

describe('DATE_OUT_OF_RANGE', () => {
  it('fires when the date of service is after the as-of date', async () => {
    const run = await one({ date_of_service: '2026-11-29' });
    expectFinding(run, 'DATE_OUT_OF_RANGE', LINE);
  });

  it('does not fire on the as-of date itself', async () => {
    const run = await one({ date_of_service: AS_OF });
    expect(run.rows).toEqual([]);
  });

  it('follows the as-of date given', async () => {
    const run = await one({ date_of_service: '2026-11-02' }, { asOf: '2026-11-01' });
    expectFinding(run, 'DATE_OUT_OF_RANGE', LINE);
  });

  it('fires when the date of service is before the date of birth; not on the birth date', async () => {
    const run = await scrub(
      batch([
        { patient_dob: '2026-11-03', date_of_service: '2026-11-02' },
        { patient_dob: '2026-11-02', date_of_service: '11/02/2026' },
      ]),
    );
    expectFinding(run, 'DATE_OUT_OF_RANGE', lineOf(0));
    expect(rulesOn(run, lineOf(1))).toEqual([]);
  });

  it('fires when date_of_service_to is before date_of_service (also on a non-62323 line)', async () => {
    const run = await one({ ...OTHER, date_of_service_to: '2026-11-01' });
    expectFinding(run, 'DATE_OUT_OF_RANGE', LINE);
    expect(rulesOn(run, LINE)).toEqual(['DATE_OUT_OF_RANGE']);
  });

  it('gives one finding when the date is both in the future and before birth', async () => {
    const run = await one({ date_of_service: '2026-12-01', patient_dob: '2026-12-05' });
    expectFinding(run, 'DATE_OUT_OF_RANGE', LINE);
  });

  it('does not fire on an invalid date (that is INVALID_DATE)', async () => {
    const run = await one({ date_of_service: '2099-02-30' });
    expect(rulesOn(run, LINE)).toEqual(['INVALID_DATE']);
  });
});

describe('INVALID_NPI', () => {
  it.each([
    ['a wrong check digit', NPI_BAD_CHECK],
    ['9 digits', '123456789'],
    ['11 digits', '12345678931'],
    ['a Luhn-valid number starting with 3', npi('345678901')],
    ['a Luhn-valid number starting with 0', npi('045678901')],
    ['letters', '12345A7893'],
    ['a check digit that would be valid without the 80840 prefix', '1234567897'],
  ])('fires on a rendering NPI with %s (%s)', async (_, value) => {
    const run = await one({ rendering_npi: value });
    expectFinding(run, 'INVALID_NPI', LINE);
    expect(rulesOn(run, LINE)).toEqual(['INVALID_NPI']);
  });

  it('fires on an invalid billing NPI when present', async () => {
    const run = await one({ billing_npi: '1234567890' });
    expectFinding(run, 'INVALID_NPI', LINE);
  });

  it('gives one finding when both NPIs are invalid', async () => {
    const run = await one({ rendering_npi: '1234567890', billing_npi: '1999999999' });
    expectFinding(run, 'INVALID_NPI', LINE);
  });

  it.each([NPI_A, NPI_B, npi('200000000'), '1245319599'])('accepts the valid NPI %s', async (value) => {
    const run = await one({ rendering_npi: value, billing_npi: value });
    expect(run.rows).toEqual([]);
  });

  it('does not judge an empty billing NPI', async () => {
    const run = await one({ billing_npi: '' });
    expect(run.rows).toEqual([]);
  });
});

describe('INVALID_PROCEDURE_CODE', () => {
  it.each(['6232', '623234', '0213X', 'JJ101', '77-003', 'ABCDE', '1234'])('fires on %s', async (code) => {
    const run = await one({ ...OTHER, procedure_code: code });
    expectFinding(run, 'INVALID_PROCEDURE_CODE', LINE);
  });

  it.each(['99213', '0213T', '1234F', '0001U', 'J1010', 'G0260', 'j1010', ' 77003 '])(
    'accepts the CPT/HCPCS-shaped %j',
    async (code) => {
      const run = await one({ ...OTHER, procedure_code: code });
      expect(run.rows).toEqual([]);
    },
  );
});

describe('INVALID_MODIFIER', () => {
  it.each(['5', '591', 'X-', '5 9', '*9'])('fires on the modifier %j', async (modifier) => {
    const run = await one({ ...OTHER, modifiers: ['25', modifier] });
    expectFinding(run, 'INVALID_MODIFIER', LINE);
  });

  it('fires when a line has more than 4 modifiers', async () => {
    const run = await one({ ...OTHER, modifiers: ['59', 'XS', 'XU', 'XE', 'XP'] }, { listColumns: true });
    expectFinding(run, 'INVALID_MODIFIER', LINE);
  });

  it('gives one finding for several bad modifiers', async () => {
    const run = await one(
      { ...OTHER, modifiers: ['5', 'X', '591', '59', 'XS', 'XU'] },
      { listColumns: true },
    );
    expectFinding(run, 'INVALID_MODIFIER', LINE);
  });

  it('accepts 4 well-formed modifiers, in any case', async () => {
    const run = await one({ ...OTHER, modifiers: ['59', 'xs', 'XU', 'Q1'] }, { listColumns: true });
    expect(run.rows).toEqual([]);
  });
});

describe('INVALID_DIAGNOSIS', () => {
  it.each(['M5', '5416', 'MM416', 'M54.16789', 'M54-16', 'M'])('fires on %j', async (code) => {
    const run = await one({ ...OTHER, dx: ['M48.062', code] });
    expectFinding(run, 'INVALID_DIAGNOSIS', LINE);
  });

  it('gives one finding for several bad codes', async () => {
    const run = await one({ ...OTHER, dx: ['M5', '5416', 'M54.16'] });
    expectFinding(run, 'INVALID_DIAGNOSIS', LINE);
  });

  it.each(['M54.16', 'M5416', 'm54.16', 'M541', 'M54.1234', 'G89.18', 'B02.29'])(
    'accepts %j',
    async (code) => {
      const run = await one({ ...OTHER, dx: [code] });
      expect(run.rows).toEqual([]);
    },
  );
});

describe('INVALID_UNITS', () => {
  it.each(['0', '-1', '1.5', 'one', '1e0', '+1'])('fires on units %j', async (units) => {
    const run = await one({ ...OTHER, units });
    expectFinding(run, 'INVALID_UNITS', LINE);
    expect(rulesOn(run, LINE)).toEqual(['INVALID_UNITS']);
  });

  it.each(['1', '3', '12'])('accepts units %j on a non-62323 line', async (units) => {
    const run = await one({ ...OTHER, units });
    expect(run.rows).toEqual([]);
  });
});

describe('INVALID_CHARGE', () => {
  it.each(['0', '0.00', '-100.00', '$-5.00', 'abc', '1,25.00', '100.001', '$', '12 50'])(
    'fires on charge %j',
    async (charge) => {
      const run = await one({ charge });
      const row = expectFinding(run, 'INVALID_CHARGE', LINE);
      expect(row.charge, 'the charge cell is empty when the charge is invalid').toBe('');
    },
  );

  it.each([
    ['$1,250.00', '1250.00'],
    ['1,250.00', '1250.00'],
    ['1250', '1250.00'],
    ['$100', '100.00'],
    ['0.01', '0.01'],
    ['1250.5', '1250.50'],
  ])('accepts %j (echoed as %s)', async (charge, plain) => {
    const run = await one({ charge, prior_auth: '' });
    expect(rulesOn(run, LINE)).toEqual(['PRIOR_AUTH_MISSING']);
    expect(run.rows[0]!.charge).toBe(plain);
  });
});

describe('INVALID_POS', () => {
  it.each(['1', '111', 'AB', '00', '1A'])('fires on place of service %j', async (pos) => {
    const run = await one({ ...OTHER, place_of_service: pos });
    expectFinding(run, 'INVALID_POS', LINE);
  });

  it('on a 62323 line, an invalid POS is INVALID_POS only, never POS_NOT_ALLOWED', async () => {
    const run = await scrub(batch([{ place_of_service: '00' }, { place_of_service: 'X1' }]));
    expectRuleLines(run, 'INVALID_POS', [lineOf(0), lineOf(1)]);
    expectNoRule(run, 'POS_NOT_ALLOWED');
  });

  it.each(['11', '99', '01'])('accepts %j on a non-62323 line', async (pos) => {
    const run = await one({ ...OTHER, place_of_service: pos });
    expect(run.rows).toEqual([]);
  });
});

describe('CODE_RETIRED', () => {
  it.each([
    ['62310', '2017-01-01'],
    ['62311', '2017-01-01'],
    ['62318', '2017-01-01'],
    ['62319', '2017-01-01'],
    ['99143', '2017-01-01'],
    ['99144', '2017-01-01'],
    ['99145', '2017-01-01'],
    ['99148', '2017-01-01'],
    ['99149', '2017-01-01'],
    ['99150', '2017-01-01'],
    ['01935', '2022-01-01'],
    ['01936', '2022-01-01'],
    ['J1020', '2024-04-01'],
    ['J1030', '2024-04-01'],
    ['J1040', '2024-04-01'],
  ])('fires on %s from %s, not the day before', async (code, from) => {
    const dayBefore = `${Number(from.slice(0, 4)) - 1}-12-31`;
    const before = from.endsWith('04-01') ? `${from.slice(0, 4)}-03-31` : dayBefore;
    const run = await scrub(
      batch([
        { ...OTHER, procedure_code: code, date_of_service: from },
        { ...OTHER, procedure_code: code, date_of_service: before },
      ]),
      // As of the retirement date, so that neither line is past the filing limit (TIMELY_FILING).
      { asOf: from },
    );
    expectFinding(run, 'CODE_RETIRED', lineOf(0));
    expect(rulesOn(run, lineOf(0))).toEqual(['CODE_RETIRED']);
    expect(rulesOn(run, lineOf(1))).toEqual([]);
  });

  it('does not fire on the replacement codes', async () => {
    const run = await scrub(
      batch([
        { ...OTHER, procedure_code: 'J1010' },
        { ...OTHER, procedure_code: '01937' },
        { ...OTHER, procedure_code: '99151' },
        { ...OTHER, procedure_code: '99157' },
      ]),
    );
    expect(run.rows).toEqual([]);
  });
});

describe('DIAGNOSIS_RETIRED', () => {
  it.each([
    ['M48.06', '2017-10-01', '2017-09-30'],
    ['M54.5', '2021-10-01', '2021-09-30'],
    ['M51.36', '2024-10-01', '2024-09-30'],
    ['M51.37', '2024-10-01', '2024-09-30'],
  ])('fires on %s from %s, not on %s', async (code, from, before) => {
    const run = await scrub(
      batch([
        { ...OTHER, dx: [code], date_of_service: from },
        { ...OTHER, dx: [code], date_of_service: before },
      ]),
      // As of the retirement date, so that neither line is past the filing limit (TIMELY_FILING).
      { asOf: from },
    );
    expectFinding(run, 'DIAGNOSIS_RETIRED', lineOf(0));
    expect(rulesOn(run, lineOf(0))).toEqual(['DIAGNOSIS_RETIRED']);
    expect(rulesOn(run, lineOf(1))).toEqual([]);
  });

  it('gives one finding for two retired codes, and none for their successors', async () => {
    const run = await scrub(
      batch([
        { ...OTHER, dx: ['M54.5', 'M51.36', 'M48.06'] },
        { ...OTHER, dx: ['M54.50', 'M51.360', 'M48.061', 'M48.062'] },
      ]),
    );
    expectFinding(run, 'DIAGNOSIS_RETIRED', lineOf(0));
    expect(rulesOn(run, lineOf(1))).toEqual([]);
  });
});

describe('ABN_MODIFIER_CONFLICT', () => {
  it.each([
    ['GA', 'GY'],
    ['GY', 'GZ'],
    ['GA', 'GZ'],
    ['GA', 'KX'],
  ])('fires on %s with %s', async (a, b) => {
    const run = await one({ ...OTHER, modifiers: [a, b] });
    expectFinding(run, 'ABN_MODIFIER_CONFLICT', LINE);
    expect(rulesOn(run, LINE)).toEqual(['ABN_MODIFIER_CONFLICT']);
  });

  it('gives one finding for GA, GY, GZ and KX together', async () => {
    const run = await one({ ...OTHER, modifiers: ['GA', 'GY', 'GZ', 'KX'] });
    expectFinding(run, 'ABN_MODIFIER_CONFLICT', LINE);
  });

  it.each([['GY', 'KX'], ['GZ', 'KX'], ['GA'], ['GA', '59']])('does not fire on %j', async (...modifiers) => {
    const run = await one({ ...OTHER, modifiers });
    expect(run.rows).toEqual([]);
  });
});

describe('BILATERAL_MODIFIER', () => {
  it.each(['50', 'RT', 'LT'])('fires on a 62323 line with %s', async (modifier) => {
    const run = await one({ modifiers: [modifier] });
    expectFinding(run, 'BILATERAL_MODIFIER', LINE);
    expect(rulesOn(run, LINE)).toEqual(['BILATERAL_MODIFIER']);
  });

  it('gives one finding for 50 with RT', async () => {
    const run = await one({ modifiers: ['RT', '50'] });
    expectFinding(run, 'BILATERAL_MODIFIER', LINE);
  });

  it('does not fire on another code with 50, nor on 62323 with 59', async () => {
    const run = await scrub(
      batch([{ ...OTHER, procedure_code: '64483', modifiers: ['50'] }, { modifiers: ['59'] }]),
    );
    expect(run.rows).toEqual([]);
  });
});

describe('MODIFIER_NOT_ALLOWED', () => {
  it.each(['26', 'TC', '25', '76', '77'])('fires on a 62323 line with %s', async (modifier) => {
    const run = await one({ modifiers: [modifier] });
    expectFinding(run, 'MODIFIER_NOT_ALLOWED', LINE);
    expect(rulesOn(run, LINE)).toEqual(['MODIFIER_NOT_ALLOWED']);
  });

  it('does not fire on 62323 with XS, nor on an E/M line with 25', async () => {
    const run = await scrub(batch([{ modifiers: ['XS'] }, { ...OTHER, modifiers: ['25'] }]));
    expect(run.rows).toEqual([]);
  });
});

describe('modifiers are compared after normalisation (trimmed, upper-case)', () => {
  it('fires KX_ON_INTERLAMINAR, BILATERAL_MODIFIER and MODIFIER_NOT_ALLOWED on lower-case modifiers', async () => {
    const run = await scrub(batch([{ modifiers: ['kx'] }, { modifiers: [' rt '] }, { modifiers: ['tc'] }]));
    expectFinding(run, 'KX_ON_INTERLAMINAR', lineOf(0));
    expectFinding(run, 'BILATERAL_MODIFIER', lineOf(1));
    expectFinding(run, 'MODIFIER_NOT_ALLOWED', lineOf(2));
  });

  it('fires ABN_MODIFIER_CONFLICT on lower-case ga with gy', async () => {
    const run = await one({ ...OTHER, modifiers: ['ga', 'gy'] });
    expectFinding(run, 'ABN_MODIFIER_CONFLICT', LINE);
  });
});

describe('KX_ON_INTERLAMINAR', () => {
  it('fires on a 62323 line with KX', async () => {
    const run = await one({ modifiers: ['KX'] });
    expectFinding(run, 'KX_ON_INTERLAMINAR', LINE);
    expect(rulesOn(run, LINE)).toEqual(['KX_ON_INTERLAMINAR']);
  });

  it('does not fire on KX with a transforaminal code', async () => {
    const run = await one({ ...OTHER, procedure_code: '64483', modifiers: ['KX'] });
    expect(run.rows).toEqual([]);
  });
});

describe('DX_AXIAL_ONLY and DX_NOT_COVERED', () => {
  const AXIAL = ['M54.50', 'M54.51', 'M54.59', 'M54.5', 'M47.816', 'M47.817', 'M51.360', 'M51.370'];
  const COVERED = [
    'M54.16',
    'M54.17',
    'M54.18',
    'M51.16',
    'M51.17',
    'M51.26',
    'M51.27',
    'M51.361',
    'M51.362',
    'M51.371',
    'M51.372',
    'M48.061',
    'M48.062',
    'M48.07',
    'M48.08',
    'M47.26',
    'M47.27',
    'M47.28',
    'M54.30',
    'M54.31',
    'M54.32',
    'M54.40',
    'M54.41',
    'M54.42',
    'M96.1',
    'B02.23',
    'B02.29',
  ];

  it.each(AXIAL)(
    'DX_AXIAL_ONLY fires on a 62323 line whose only diagnosis is %s, and DX_NOT_COVERED does not',
    async (code) => {
      // Before 2021-10-01 so that M54.5 is not also retired.
      const run = await one({ dx: [code], date_of_service: '2021-09-30' });
      expectFinding(run, 'DX_AXIAL_ONLY', LINE);
      expectNoRule(run, 'DX_NOT_COVERED');
    },
  );

  it('DX_AXIAL_ONLY fires when every one of several diagnoses is axial', async () => {
    const run = await one({ dx: ['M54.50', 'M47.816', 'M51.360', 'M54.59'] });
    expectFinding(run, 'DX_AXIAL_ONLY', LINE);
    expectNoRule(run, 'DX_NOT_COVERED');
  });

  it('neither fires for axial pain with a covered diagnosis', async () => {
    const run = await one({ dx: ['M54.50', 'M54.16'] });
    expect(run.rows).toEqual([]);
  });

  it('DX_NOT_COVERED, not DX_AXIAL_ONLY, fires for axial pain with another uncovered diagnosis', async () => {
    const run = await one({ dx: ['M54.50', 'M54.2'] });
    expectFinding(run, 'DX_NOT_COVERED', LINE);
    expectNoRule(run, 'DX_AXIAL_ONLY');
  });

  it('DX_NOT_COVERED fires when no diagnosis is covered', async () => {
    const run = await one({ dx: ['M54.2', 'S33.5XXA'] });
    expectFinding(run, 'DX_NOT_COVERED', LINE);
    expect(rulesOn(run, LINE)).toEqual(['DX_NOT_COVERED']);
  });

  it('DX_NOT_COVERED fires for B02.22 (postherpetic trigeminal neuralgia: cranial, not covered in v2)', async () => {
    const run = await scrub(batch([{ dx: ['B02.22'] }, { dx: ['b0222'] }]));
    expectRuleLines(run, 'DX_NOT_COVERED', [lineOf(0), lineOf(1)]);
    expect(rulesOn(run, lineOf(0))).toEqual(['DX_NOT_COVERED']);
  });

  it('matches whole codes only: a longer code that starts with a covered one is not covered', async () => {
    const run = await one({ dx: ['M54.161'] });
    expectFinding(run, 'DX_NOT_COVERED', LINE);
  });

  it.each(COVERED)('neither fires for the covered diagnosis %s (with or without the dot)', async (code) => {
    const run = await scrub(batch([{ dx: [code] }, { dx: [code.replace('.', '').toLowerCase()] }]));
    expect(run.rows).toEqual([]);
  });

  it.each(['G89.18', 'G89.12', 'G8918'])('neither fires for the exempt diagnosis %s alone', async (code) => {
    const run = await one({ dx: [code] });
    expect(run.rows).toEqual([]);
  });

  it('neither fires for axial pain with an exempt diagnosis', async () => {
    const run = await one({ dx: ['M54.50', 'G89.18'] });
    expect(run.rows).toEqual([]);
  });

  it('neither fires on the 62323 lines of a claim that has a 78630 line (cisternography)', async () => {
    const run = await scrub(
      batch([
        { claim_id: 'C-1', dx: ['M54.50'] },
        { claim_id: 'C-1', line_no: '2', procedure_code: '78630', dx: ['M54.50'], prior_auth: '' },
        { claim_id: 'C-1', line_no: '3', dx: ['M54.2'], member_id: 'MBR-OTHER' },
      ]),
    );
    expectNoRule(run, 'DX_AXIAL_ONLY');
    expectNoRule(run, 'DX_NOT_COVERED');
  });

  it('both still fire when the 78630 line is on another claim', async () => {
    const run = await scrub(
      batch([
        { claim_id: 'C-1', dx: ['M54.50'] },
        { claim_id: 'C-1', line_no: '2', dx: ['M54.2'], member_id: 'MBR-OTHER' },
        { claim_id: 'C-2', procedure_code: '78630', dx: ['M54.50'], prior_auth: '' },
      ]),
    );
    expectFinding(run, 'DX_AXIAL_ONLY', lineOf(0));
    expectFinding(run, 'DX_NOT_COVERED', lineOf(1));
    expect(rulesOn(run, lineOf(2))).toEqual([]);
  });

  it('neither fires on a line that is not 62323', async () => {
    const run = await scrub(
      batch([
        { ...OTHER, dx: ['M54.50'] },
        { ...OTHER, dx: ['M54.2'] },
      ]),
    );
    expect(run.rows).toEqual([]);
  });

  it('neither fires on a 62323 line with no diagnosis (that is MISSING_FIELD)', async () => {
    const run = await one({ dx: [] });
    expect(rulesOn(run, LINE)).toEqual(['MISSING_FIELD']);
  });
});

describe('PRIOR_AUTH_MISSING', () => {
  it('fires on a 62323 line with an empty prior authorization', async () => {
    const run = await one({ prior_auth: '' });
    expectFinding(run, 'PRIOR_AUTH_MISSING', LINE);
  });

  it('fires on every 62323 line when the column is absent, and on no other line', async () => {
    const run = await scrub(
      batch([{}, { ...OTHER }, { member_id: 'OTHER-MEMBER' }], { omit: ['prior_auth'] }),
    );
    expectRuleLines(run, 'PRIOR_AUTH_MISSING', [lineOf(0), lineOf(2)]);
  });

  it('does not fire on a 62323 line with an authorization, nor on other lines without one', async () => {
    const run = await scrub(batch([{ prior_auth: 'AUTH-77' }, { ...OTHER, prior_auth: '' }]));
    expect(run.rows).toEqual([]);
  });
});

describe('POS_UNUSUAL and POS_NOT_ALLOWED', () => {
  it.each(['21', '23'])(
    'POS_UNUSUAL fires on a 62323 line in POS %s; POS_NOT_ALLOWED does not',
    async (pos) => {
      const run = await one({ place_of_service: pos });
      expectFinding(run, 'POS_UNUSUAL', LINE);
      expect(rulesOn(run, LINE)).toEqual(['POS_UNUSUAL']);
    },
  );

  it.each(['12', '81', '99', '02'])('POS_NOT_ALLOWED fires on a 62323 line in POS %s', async (pos) => {
    const run = await one({ place_of_service: pos });
    expectFinding(run, 'POS_NOT_ALLOWED', LINE);
    expect(rulesOn(run, LINE)).toEqual(['POS_NOT_ALLOWED']);
  });

  it.each(['11', '19', '22', '24'])('neither fires in POS %s', async (pos) => {
    const run = await one({ place_of_service: pos });
    expect(run.rows).toEqual([]);
  });

  it('neither fires on a non-62323 line in POS 23 or 81', async () => {
    const run = await scrub(
      batch([
        { ...OTHER, place_of_service: '23' },
        { ...OTHER, place_of_service: '81' },
      ]),
    );
    expect(run.rows).toEqual([]);
  });
});

describe('MULTI_DAY_SPAN', () => {
  it('fires on a 62323 line whose date_of_service_to is a later day', async () => {
    const run = await one({ date_of_service: '2026-11-02', date_of_service_to: '2026-11-03' });
    expectFinding(run, 'MULTI_DAY_SPAN', LINE);
    expect(rulesOn(run, LINE)).toEqual(['MULTI_DAY_SPAN']);
  });

  it('fires together with DATE_OUT_OF_RANGE when the span ends before it starts', async () => {
    const run = await one({ date_of_service: '2026-11-02', date_of_service_to: '2026-11-01' });
    expect(rulesOn(run, LINE)).toEqual(['DATE_OUT_OF_RANGE', 'MULTI_DAY_SPAN']);
  });

  it('does not fire when date_of_service_to is the same day written differently, or empty', async () => {
    const run = await scrub(
      batch([
        { date_of_service: '2026-11-02', date_of_service_to: '11/2/2026' },
        { date_of_service: '20261102', date_of_service_to: '2026-11-02' },
        { date_of_service_to: '' },
      ]),
    );
    expect(run.rows).toEqual([]);
  });

  it('does not fire on a non-62323 line spanning days', async () => {
    const run = await one({ ...OTHER, date_of_service: '2026-11-02', date_of_service_to: '2026-11-05' });
    expect(run.rows).toEqual([]);
  });
});

describe('a clean 62323 line', () => {
  it('fires nothing with every field filled and valid', async () => {
    const run = await one({
      billing_npi: NPI_B,
      date_of_service_to: '2026-11-02',
      modifiers: ['59'],
      dx: ['M54.16', 'M48.062'],
    });
    expect(run.rows).toEqual([]);
    expect(run.summary.counts).toMatchObject({ lines: 1, checked: 1, indexLines: 1, flaggedLines: 0 });
  });
});
