/** The rule catalog holds exactly the rule set of rules.md: ids, severities, code lists and limits. */
import { describe, expect, it } from 'vitest';
import {
  AXIAL_DIAGNOSES,
  CODES,
  COVERED_DIAGNOSES,
  EXEMPT_DIAGNOSES,
  FREQUENCY,
  MODIFIERS,
  PLACES_OF_SERVICE,
  RETIRED_DIAGNOSES,
  RETIRED_PROCEDURES,
  RULE_IDS,
  RULE_SET_ID,
  RULES,
} from '../../../functions/core/rules/catalog.js';
import { SPEC_RULE_IDS, SPEC_RULES } from '../../support/spec.js';

const range = (from: number, to: number): string[] =>
  Array.from({ length: to - from + 1 }, (_, index) => String(from + index));
const sorted = (codes: readonly string[]): string[] => [...codes].sort();

describe('rule catalog 62323/v1', () => {
  it('has the rule set id', () => {
    expect(RULE_SET_ID).toBe('62323/v1');
  });

  it('has exactly the 33 rule ids of rules.md', () => {
    expect(SPEC_RULE_IDS).toHaveLength(33);
    expect(sorted(RULE_IDS)).toEqual(sorted(SPEC_RULE_IDS));
  });

  it.each(SPEC_RULE_IDS)('gives %s the severity of rules.md, a title and a source', (ruleId) => {
    const rule = RULES[ruleId];
    expect(rule.severity).toBe(SPEC_RULES[ruleId]);
    expect(rule.title.length).toBeGreaterThan(5);
    expect(rule.source.length).toBeGreaterThan(3);
  });

  it('has no info rules in v1', () => {
    const severities: string[] = Object.values(RULES).map((rule) => rule.severity);
    expect(severities.filter((severity) => severity === 'info')).toEqual([]);
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
      sorted([...range(99202, 99205), ...range(99211, 99215), ...range(99242, 99245)]),
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
        'B0222',
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
      '01935': '2022-01-01',
      '01936': '2022-01-01',
      J1020: '2024-04-01',
      J1030: '2024-04-01',
      J1040: '2024-04-01',
    });
    expect(retired(RETIRED_DIAGNOSES)).toEqual({
      M545: '2021-10-01',
      M5136: '2024-10-01',
      M5137: '2024-10-01',
    });
  });

  it('limits frequency to 4 dates in [d − 364, d]', () => {
    expect(FREQUENCY).toEqual({ maxSessions: 4, lookbackDays: 364 });
  });
});
