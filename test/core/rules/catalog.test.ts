/** The rule catalog holds exactly the rule set of rules.md (62323/v2): ids, severities, code lists and limits. */
import { describe, expect, it } from 'vitest';
import {
  AXIAL_DIAGNOSES,
  CODES,
  COVERED_DIAGNOSES,
  EXEMPT_DIAGNOSES,
  MODIFIERS,
  PLACES_OF_SERVICE,
  RETIRED_DIAGNOSES,
  RETIRED_PROCEDURES,
  RULE_IDS,
  RULE_OPTIONS,
  RULE_SET_ID,
  RULES,
  STEROID_DOSE_CEILING,
  sourceOf,
} from '../../../functions/core/rules/catalog.js';
import { isAnesthesiaCode } from '../../../functions/core/rules/code-sets.js';
import { SPEC_RULE_IDS, SPEC_RULES } from '../../support/spec.js';

const range = (from: number, to: number): string[] =>
  Array.from({ length: to - from + 1 }, (_, index) => String(from + index));
const sorted = (codes: readonly string[]): string[] => [...codes].sort();

describe('rule catalog 62323/v2', () => {
  it('has the rule set id', () => {
    expect(RULE_SET_ID).toBe('62323/v2');
  });

  it('has exactly the 38 rule ids of rules.md', () => {
    expect(SPEC_RULE_IDS).toHaveLength(38);
    expect(sorted(RULE_IDS)).toEqual(sorted([...SPEC_RULE_IDS]));
  });

  it.each(SPEC_RULE_IDS)(
    'gives %s the severity of rules.md, a title, a fix sentence and a short source',
    (ruleId) => {
      const rule = RULES[ruleId];
      expect(rule.severity).toBe(SPEC_RULES[ruleId]);
      expect(rule.title.length).toBeGreaterThan(5);
      // A fix is one sentence telling the biller what to change.
      expect(rule.fix).toMatch(/^[A-Z].{10,}\.$/);
      expect(rule.fix.replace(/e\.g\.|i\.e\./g, '').split(/\.\s/)).toHaveLength(1);
      expect(sourceOf(ruleId).length).toBeGreaterThan(3);
      expect(sourceOf(ruleId).length).toBeLessThanOrEqual(60);
    },
  );

  it('turns REPEAT_TOO_SOON off by default and every other rule on', () => {
    const off = RULE_IDS.filter((ruleId) => 'enabled' in RULES[ruleId]);
    expect(off).toEqual(['REPEAT_TOO_SOON']);
  });

  it('has the default options of rules.md', () => {
    expect(RULE_OPTIONS).toEqual({
      TIMELY_FILING: { days: 365 },
      FREQUENCY_EXCEEDED: { windows: [{ limit: 4, days: 365 }] },
      REPEAT_TOO_SOON: { days: 14 },
    });
  });

  it('has the steroid ceilings of DRUG_UNITS_HIGH', () => {
    const ceilings = Object.fromEntries(
      Object.entries(STEROID_DOSE_CEILING).map(([code, { units }]) => [code, units]),
    );
    expect(ceilings).toEqual({ J3301: 8, J0702: 2, J1100: 15, J1010: 80 });
  });

  it('takes anesthesia codes 00100–01999 (five digits)', () => {
    for (const code of ['00100', '01999', '01937', '00400']) expect(isAnesthesiaCode(code), code).toBe(true);
    for (const code of ['00099', '02000', '0100', '001000', '0010T', '62323'])
      expect(isAnesthesiaCode(code), code).toBe(false);
  });

  it('lists the procedure codes of the cross-line rules', () => {
    expect(sorted(CODES.imaging)).toEqual(sorted(['77003', '77012', '76000', '72275']));
    expect(sorted(CODES.noImagingTwin)).toEqual(['62322']);
    expect(sorted(CODES.catheter)).toEqual(range(62324, 62327));
    expect(sorted(CODES.otherRegion)).toEqual(sorted(['62320', '62321', '64479', '64480']));
    expect(sorted(CODES.otherSpinal)).toEqual(
      sorted([
        '64483',
        '64484',
        ...range(64490, 64495),
        ...range(64633, 64636),
        '27096',
        'G0260',
        '20552',
        '20553',
      ]),
    );
    expect(sorted(CODES.evaluationAndManagement)).toEqual(
      sorted([
        ...range(99202, 99205),
        ...range(99211, 99215),
        ...range(99221, 99223),
        ...range(99231, 99233),
        '99238',
        '99239',
        ...range(99242, 99245),
        ...range(99281, 99285),
      ]),
    );
    expect(sorted(CODES.sedation)).toEqual(
      sorted(['99152', '99153', '99155', '99156', '99157', '01937', '01938']),
    );
    expect(sorted(CODES.steroid)).toEqual(
      sorted(['J1010', 'J1020', 'J1030', 'J1040', 'J3301', 'J1100', 'J0702']),
    );
    expect(sorted(CODES.frequencyCounted)).toEqual(sorted(['62323', '64483', '64484']));
  });

  it('lists the modifiers and places of service of the 62323 rules', () => {
    expect(sorted(MODIFIERS.bilateral)).toEqual(sorted(['50', 'RT', 'LT']));
    expect(sorted(MODIFIERS.notAllowedOnIndex)).toEqual(sorted(['26', 'TC', '25', '76', '77']));
    expect(sorted(MODIFIERS.liability)).toEqual(['GA', 'GY', 'GZ']);
    expect(MODIFIERS.maxPerLine).toBe(4);
    expect(sorted(PLACES_OF_SERVICE.allowedForIndex)).toEqual(['11', '19', '21', '22', '23', '24']);
    expect(sorted(PLACES_OF_SERVICE.unusualForIndex)).toEqual(['21', '23']);
    expect(sorted(PLACES_OF_SERVICE.facility)).toEqual(['19', '21', '22', '23', '24']);
  });

  it('lists the covered, axial and exempt diagnoses of rules.md §C (normalised, without the dot)', () => {
    expect(sorted(COVERED_DIAGNOSES.flatMap((group) => group.codes))).toEqual(
      sorted([
        'M5416',
        'M5417',
        'M5418',
        'M5116',
        'M5117',
        'M5126',
        'M5127',
        'M51361',
        'M51362',
        'M51371',
        'M51372',
        'M48061',
        'M48062',
        'M4807',
        'M4808',
        'M4726',
        'M4727',
        'M4728',
        'M5430',
        'M5431',
        'M5432',
        'M5440',
        'M5441',
        'M5442',
        'M961',
        'B0223',
        'B0229',
      ]),
    );
    for (const group of COVERED_DIAGNOSES) expect(group.source.length).toBeGreaterThan(3);
    expect(sorted(AXIAL_DIAGNOSES)).toEqual(
      sorted(['M5450', 'M5451', 'M5459', 'M545', 'M47816', 'M47817', 'M51360', 'M51370']),
    );
    expect(sorted(EXEMPT_DIAGNOSES)).toEqual(['G8912', 'G8918']);
  });

  it('lists retired codes with their dates', () => {
    const retired = (entries: typeof RETIRED_PROCEDURES) =>
      Object.fromEntries(entries.flatMap(({ codes, from }) => codes.map((code) => [code, from])));
    expect(retired(RETIRED_PROCEDURES)).toEqual({
      '62310': '2017-01-01',
      '62311': '2017-01-01',
      '62318': '2017-01-01',
      '62319': '2017-01-01',
      '99143': '2017-01-01',
      '99144': '2017-01-01',
      '99145': '2017-01-01',
      '99148': '2017-01-01',
      '99149': '2017-01-01',
      '99150': '2017-01-01',
      '01935': '2022-01-01',
      '01936': '2022-01-01',
      J1020: '2024-04-01',
      J1030: '2024-04-01',
      J1040: '2024-04-01',
    });
    expect(retired(RETIRED_DIAGNOSES)).toEqual({
      M4806: '2017-10-01',
      M545: '2021-10-01',
      M5136: '2024-10-01',
      M5137: '2024-10-01',
    });
  });
});
