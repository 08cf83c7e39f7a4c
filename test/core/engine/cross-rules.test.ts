/**
 * Rules that need other lines (rules.md §B encounter, session and frequency rules, and DUPLICATE_LINE).
 * Encounter = same member, date of service and rendering NPI; session = same member and date.
 */
import { describe, expect, it } from 'vitest';
import { inMemoryHistory, parseHistoryCsv } from '../../../functions/core/history.js';
import { BUILT_IN_IDENTITY, RuleBooks } from '../../../functions/core/rules/books.js';

import { scrubBatch } from '../../../functions/core/scrub.js';
import { batch, type LineInput, lineOf } from '../../support/batch.js';
import { addDays, epochDay } from '../../support/dates.js';
import { sessionsOnDays } from '../../support/history.js';
import { NPI_A, NPI_B, NPI_C } from '../../support/npi.js';
import {
  expectFinding,
  expectNoRule,
  expectRuleLines,
  type Run,
  type RunOptions,
  rowsOf,
  rulesOn,
  scrub,
  source,
} from '../../support/run.js';

const DOS = '2026-11-02';
/** One encounter: member, date and provider. */
const ENC = { member_id: 'MEM-1', date_of_service: DOS, rendering_npi: NPI_A } as const;
const INDEX: LineInput = { ...ENC };
const line = (code: string, more: LineInput = {}): LineInput => ({ ...ENC, procedure_code: code, ...more });

const run = (lines: readonly LineInput[], options?: RunOptions): Promise<Run> => scrub(batch(lines), options);

describe('IMAGING_BUNDLED', () => {
  it.each(['77003', '77012', '76000', '72275'])(
    'fires on %s in the encounter of a 62323 line',
    async (code) => {
      const result = await run([INDEX, line(code)]);
      expectFinding(result, 'IMAGING_BUNDLED', lineOf(1), [lineOf(0)]);
      expect(rulesOn(result, lineOf(0))).toEqual([]);
    },
  );

  it.each(['59', 'XE', 'XS', 'XP', 'XU'])('77003 with modifier %s is still bundled', async (modifier) => {
    const result = await run([INDEX, line('77003', { modifiers: [modifier] })]);
    expectFinding(result, 'IMAGING_BUNDLED', lineOf(1), [lineOf(0)]);
  });

  it('fires when the imaging line comes first, and relates every index line of the encounter', async () => {
    const result = await run([line('77003'), INDEX, { ...INDEX, claim_id: 'OTHER-CLAIM' }]);
    expectFinding(result, 'IMAGING_BUNDLED', lineOf(0), [lineOf(1), lineOf(2)]);
  });

  it('compares dates of service as dates, whatever their format', async () => {
    const result = await run([
      INDEX,
      line('77003', { date_of_service: '11/2/2026' }),
      line('76000', { date_of_service: '20261102' }),
    ]);
    expectRuleLines(result, 'IMAGING_BUNDLED', [lineOf(1), lineOf(2)]);
  });

  it('compares codes after normalisation (trimmed, upper-case)', async () => {
    const result = await run([{ ...INDEX, procedure_code: ' 62323 ' }, line(' 77003')]);
    expectFinding(result, 'IMAGING_BUNDLED', lineOf(1), [lineOf(0)]);
  });

  it('does not fire for imaging on another date', async () => {
    const result = await run([INDEX, line('77003', { date_of_service: addDays(DOS, 1) })]);
    expect(result.rows).toEqual([]);
  });

  it('does not fire for imaging by another provider the same day', async () => {
    const result = await run([INDEX, line('77003', { rendering_npi: NPI_B })]);
    expect(result.rows).toEqual([]);
  });

  it('does not fire for imaging of another member', async () => {
    const result = await run([INDEX, line('77003', { member_id: 'MEM-2' })]);
    expect(result.rows).toEqual([]);
  });

  it('does not fire for imaging without a 62323 line (62322, 64483 are not index lines)', async () => {
    const result = await run([line('64483'), line('77003')]);
    expectNoRule(result, 'IMAGING_BUNDLED');
  });

  it('takes the billing NPI as the encounter NPI of a line without a rendering NPI', async () => {
    const result = await run([
      { ...INDEX, rendering_npi: '', billing_npi: NPI_A },
      line('77003'),
      line('77012', { rendering_npi: '', billing_npi: NPI_B }),
    ]);
    expectFinding(result, 'IMAGING_BUNDLED', lineOf(1), [lineOf(0)]);
    expectRuleLines(result, 'IMAGING_BUNDLED', [lineOf(1)]);
  });

  it('does not take the billing NPI when a rendering NPI is present', async () => {
    const result = await run([INDEX, line('77003', { rendering_npi: NPI_B, billing_npi: NPI_A })]);
    expect(result.rows).toEqual([]);
  });

  it('does not fire for other radiology codes (77002, 77001)', async () => {
    const result = await run([INDEX, line('77002'), line('77001')]);
    expect(result.rows).toEqual([]);
  });
});

describe('lines with a missing or invalid member id or date take no part in encounter rules', () => {
  it('an imaging line with no member id is not bundled (it carries MISSING_FIELD only)', async () => {
    const result = await run([INDEX, line('77003', { member_id: '' })]);
    expect(rulesOn(result, lineOf(1))).toEqual(['MISSING_FIELD']);
    expect(rulesOn(result, lineOf(0))).toEqual([]);
  });

  it('index and imaging lines that both lack the member id are not an encounter', async () => {
    const result = await run([
      { ...INDEX, member_id: '' },
      line('77003', { member_id: '' }),
      line('62322', { member_id: '' }),
    ]);
    expectNoRule(result, 'IMAGING_BUNDLED');
    expectNoRule(result, 'NO_IMAGING_TWIN');
    expectRuleLines(result, 'MISSING_FIELD', [lineOf(0), lineOf(1), lineOf(2)]);
  });

  it('lines with an invalid date of service are not an encounter', async () => {
    const result = await run([
      { ...INDEX, date_of_service: '2026-02-30' },
      line('77003', { date_of_service: '2026-02-30' }),
    ]);
    expectNoRule(result, 'IMAGING_BUNDLED');
    expectRuleLines(result, 'INVALID_DATE', [lineOf(0), lineOf(1)]);
  });

  it('index lines without a member id are not summed for UNITS_EXCEED_MUE', async () => {
    const result = await run([
      { ...INDEX, member_id: '', units: '2' },
      { ...INDEX, member_id: '', claim_id: 'C-2' },
    ]);
    expectNoRule(result, 'UNITS_EXCEED_MUE');
  });

  it('index lines without a date of service do not count toward FREQUENCY_EXCEEDED', async () => {
    const dates = [0, 30, 60, 90].map((days) => addDays(DOS, -days));
    const result = await run([
      ...dates.map((date) => ({ ...INDEX, date_of_service: date })),
      { ...INDEX, date_of_service: '' },
      { ...INDEX, date_of_service: '2026-13-01' },
    ]);
    expectNoRule(result, 'FREQUENCY_EXCEEDED');
  });
});

describe('NO_IMAGING_TWIN', () => {
  it('fires on a 62322 line in the encounter of a 62323 line', async () => {
    const result = await run([line('62322'), INDEX]);
    expectFinding(result, 'NO_IMAGING_TWIN', lineOf(0), [lineOf(1)]);
  });

  it('does not fire for 62322 by another provider or on another day', async () => {
    const result = await run([
      INDEX,
      line('62322', { rendering_npi: NPI_B }),
      line('62322', { date_of_service: addDays(DOS, -1) }),
    ]);
    expect(result.rows).toEqual([]);
  });
});

describe('CATHETER_TWIN', () => {
  it.each(['62324', '62325', '62326', '62327'])('fires (warning) on %s in the encounter', async (code) => {
    const result = await run([INDEX, line(code)]);
    expectFinding(result, 'CATHETER_TWIN', lineOf(1), [lineOf(0)]);
  });

  it('does not fire for a catheter line on another day, by another provider, or for 62328', async () => {
    const result = await run([
      INDEX,
      line('62324', { date_of_service: addDays(DOS, 1) }),
      line('62325', { rendering_npi: NPI_C }),
      line('62328'),
    ]);
    expect(result.rows).toEqual([]);
  });
});

describe('UNITS_EXCEED_MUE', () => {
  it('fires on one 62323 line with units 2 (no related lines)', async () => {
    const result = await run([{ ...INDEX, units: '2' }]);
    expectFinding(result, 'UNITS_EXCEED_MUE', lineOf(0), []);
  });

  it('fires on every index line of the encounter when two lines sum to 2, each relating the other', async () => {
    const result = await run([INDEX, line('77003'), { ...INDEX, claim_id: 'C-OTHER' }]);
    expectFinding(result, 'UNITS_EXCEED_MUE', lineOf(0), [lineOf(2)]);
    expectFinding(result, 'UNITS_EXCEED_MUE', lineOf(2), [lineOf(0)]);
  });

  it('covers repeat-procedure modifiers 76 and 77', async () => {
    const result = await run([
      INDEX,
      { ...INDEX, claim_id: 'C-R', modifiers: ['76'] },
      { ...INDEX, claim_id: 'C-S', modifiers: ['77'] },
    ]);
    expectFinding(result, 'UNITS_EXCEED_MUE', lineOf(0), [lineOf(1), lineOf(2)]);
    expectFinding(result, 'UNITS_EXCEED_MUE', lineOf(1), [lineOf(0), lineOf(2)]);
    expectFinding(result, 'UNITS_EXCEED_MUE', lineOf(2), [lineOf(0), lineOf(1)]);
  });

  it('leaves invalid units out of the sum', async () => {
    const result = await run([
      INDEX,
      { ...INDEX, claim_id: 'C-X', units: 'x' },
      { ...INDEX, claim_id: 'C-0', units: '0' },
    ]);
    expectNoRule(result, 'UNITS_EXCEED_MUE');
    expectRuleLines(result, 'INVALID_UNITS', [lineOf(1), lineOf(2)]);
  });

  it('still fires when an invalid-units line sits beside a 2-unit line, and relates it', async () => {
    const result = await run([
      { ...INDEX, units: '2' },
      { ...INDEX, claim_id: 'C-X', units: '1.5' },
    ]);
    expectRuleLines(result, 'UNITS_EXCEED_MUE', [lineOf(0), lineOf(1)]);
    expectFinding(result, 'UNITS_EXCEED_MUE', lineOf(0), [lineOf(1)]);
  });

  it('does not sum across providers or days', async () => {
    const result = await run([
      INDEX,
      { ...INDEX, claim_id: 'C-B', rendering_npi: NPI_B },
      { ...INDEX, claim_id: 'C-D', date_of_service: addDays(DOS, -1) },
    ]);
    expectNoRule(result, 'UNITS_EXCEED_MUE');
  });

  it('does not count units of other codes', async () => {
    const result = await run([INDEX, line('64483', { units: '3' })]);
    expectNoRule(result, 'UNITS_EXCEED_MUE');
  });
});

describe('ONE_REGION_PER_SESSION', () => {
  it.each(['62320', '62321', '64479', '64480'])(
    'fires on %s in the session of a 62323 line',
    async (code) => {
      const result = await run([INDEX, line(code)]);
      expectFinding(result, 'ONE_REGION_PER_SESSION', lineOf(1), [lineOf(0)]);
    },
  );

  it('is a session rule: fires for another provider the same day, relating every index line of the session', async () => {
    const result = await run([
      INDEX,
      { ...INDEX, claim_id: 'C-B', rendering_npi: NPI_B },
      line('64479', { rendering_npi: NPI_C }),
    ]);
    expectFinding(result, 'ONE_REGION_PER_SESSION', lineOf(2), [lineOf(0), lineOf(1)]);
  });

  it('needs no rendering NPI on the other line (a session is member and date only)', async () => {
    const result = await run([INDEX, line('64480', { rendering_npi: '' })]);
    expectFinding(result, 'ONE_REGION_PER_SESSION', lineOf(1), [lineOf(0)]);
  });

  it('does not fire on another day or for another member', async () => {
    const result = await run([
      INDEX,
      line('62321', { date_of_service: addDays(DOS, -7) }),
      line('62320', { member_id: 'MEM-2' }),
    ]);
    expect(result.rows).toEqual([]);
  });
});

describe('SAME_SESSION_OTHER_SPINAL', () => {
  const CODES = [
    '64483',
    '64484',
    '64490',
    '64491',
    '64492',
    '64493',
    '64494',
    '64495',
    '64633',
    '64634',
    '64635',
    '64636',
    '27096',
    'G0260',
    '20552',
    '20553',
  ];

  it.each(CODES)('fires (warning) on %s in the session of a 62323 line', async (code) => {
    const result = await run([INDEX, line(code)]);
    expectFinding(result, 'SAME_SESSION_OTHER_SPINAL', lineOf(1), [lineOf(0)]);
  });

  it('fires for another provider the same day', async () => {
    const result = await run([INDEX, line('64483', { rendering_npi: NPI_B })]);
    expectFinding(result, 'SAME_SESSION_OTHER_SPINAL', lineOf(1), [lineOf(0)]);
  });

  it.each(['64489', '64496', '64632', '20550', '27095'])(
    'does not fire on %s (not in the list)',
    async (code) => {
      const result = await run([INDEX, line(code)]);
      expect(result.rows).toEqual([]);
    },
  );

  it('does not fire on another day', async () => {
    const result = await run([INDEX, line('64493', { date_of_service: addDays(DOS, 1) })]);
    expect(result.rows).toEqual([]);
  });
});

describe('EM_SAME_DAY_NO_25', () => {
  const EM = [
    '99202',
    '99203',
    '99204',
    '99205',
    '99211',
    '99212',
    '99213',
    '99214',
    '99215',
    '99242',
    '99243',
    '99244',
    '99245',
    // Hospital and emergency E/M (62323/v2).
    '99221',
    '99222',
    '99223',
    '99231',
    '99232',
    '99233',
    '99238',
    '99239',
    '99281',
    '99282',
    '99283',
    '99284',
    '99285',
  ];

  it.each(EM)('fires on E/M %s without modifier 25 in the encounter', async (code) => {
    const result = await run([INDEX, line(code, { modifiers: ['59'] })]);
    expectFinding(result, 'EM_SAME_DAY_NO_25', lineOf(1), [lineOf(0)]);
  });

  it('does not fire on an E/M line with modifier 25 (in any position)', async () => {
    const result = await run([
      INDEX,
      line('99213', { modifiers: ['25'] }),
      line('99214', { modifiers: ['GT', '25'] }),
    ]);
    expect(result.rows).toEqual([]);
  });

  it('does not fire on an E/M of another provider the same day', async () => {
    const result = await run([INDEX, line('99213', { rendering_npi: NPI_B })]);
    expect(result.rows).toEqual([]);
  });

  it('does not fire on an E/M on another day', async () => {
    const result = await run([INDEX, line('99213', { date_of_service: addDays(DOS, -1) })]);
    expect(result.rows).toEqual([]);
  });

  it.each(['99201', '99241', '99216', '99220', '99224', '99234', '99237', '99240', '99280', '99286'])(
    'does not fire on %s (not in the list)',
    async (code) => {
      const result = await run([INDEX, line(code)]);
      expect(result.rows).toEqual([]);
    },
  );
});

describe('SEDATION_SAME_SESSION', () => {
  it.each(['99152', '99153', '99155', '99156', '99157', '01937', '01938'])(
    'fires (warning) on %s in the session',
    async (code) => {
      const result = await run([INDEX, line(code)]);
      expectFinding(result, 'SEDATION_SAME_SESSION', lineOf(1), [lineOf(0)]);
    },
  );

  it('fires when another provider (an anesthesiologist) bills it the same day', async () => {
    const result = await run([INDEX, line('01937', { rendering_npi: NPI_C })]);
    expectFinding(result, 'SEDATION_SAME_SESSION', lineOf(1), [lineOf(0)]);
  });

  it('does not fire on 99151 or 01939, nor on another day', async () => {
    const result = await run([
      INDEX,
      line('99151'),
      // Billed by an anesthesiologist, so that ANESTHESIA_BY_PROCEDURALIST (same encounter) stays out of it.
      line('01939', { rendering_npi: NPI_C }),
      line('99152', { date_of_service: addDays(DOS, 1) }),
    ]);
    expect(result.rows).toEqual([]);
  });
});

describe('DRUG_IN_FACILITY', () => {
  const STEROIDS = ['J1010', 'J1020', 'J1030', 'J1040', 'J3301', 'J1100', 'J0702'];

  it.each(STEROIDS)('fires (warning) on steroid %s in POS 22 in the encounter', async (code) => {
    const result = await run([{ ...INDEX, place_of_service: '22' }, line(code, { place_of_service: '22' })]);
    expectFinding(result, 'DRUG_IN_FACILITY', lineOf(1), [lineOf(0)]);
  });

  it.each(['19', '21', '22', '23', '24'])('fires for a steroid line in facility POS %s', async (pos) => {
    const result = await run([INDEX, line('J3301', { place_of_service: pos })]);
    expectFinding(result, 'DRUG_IN_FACILITY', lineOf(1), [lineOf(0)]);
  });

  it.each(['11', '12', '49'])('does not fire for a steroid line in POS %s', async (pos) => {
    const result = await run([
      { ...INDEX, place_of_service: '22' },
      line('J1010', { place_of_service: pos }),
    ]);
    expect(result.rows).toEqual([]);
  });

  it('does not fire for a facility steroid line of another provider, or without a 62323 line', async () => {
    const result = await run([
      INDEX,
      line('J1010', { place_of_service: '22', rendering_npi: NPI_B }),
      line('J1010', { place_of_service: '22', member_id: 'MEM-9' }),
    ]);
    expect(result.rows).toEqual([]);
  });
});

describe('a line takes part in several rules at once', () => {
  it('an encounter with imaging, twin, catheter, E/M, drug and a second index line', async () => {
    const result = await run([
      INDEX,
      line('77003', { modifiers: ['59'] }),
      line('62322'),
      line('62324'),
      line('99214'),
      line('J1100', { place_of_service: '24' }),
      { ...INDEX, claim_id: 'C-2' },
      line('99152', { rendering_npi: NPI_B }),
    ]);
    const index = [lineOf(0), lineOf(6)];
    expectFinding(result, 'IMAGING_BUNDLED', lineOf(1), index);
    expectFinding(result, 'NO_IMAGING_TWIN', lineOf(2), index);
    expectFinding(result, 'CATHETER_TWIN', lineOf(3), index);
    expectFinding(result, 'EM_SAME_DAY_NO_25', lineOf(4), index);
    expectFinding(result, 'DRUG_IN_FACILITY', lineOf(5), index);
    expectFinding(result, 'UNITS_EXCEED_MUE', lineOf(0), [lineOf(6)]);
    expectFinding(result, 'UNITS_EXCEED_MUE', lineOf(6), [lineOf(0)]);
    expectFinding(result, 'SEDATION_SAME_SESSION', lineOf(7), index);
    expect(result.rows).toHaveLength(8);
  });

  it('finds a 77003 line far away from its 62323 line, in another chunk', async () => {
    const filler = Array.from({ length: 40 }, (_, index) => ({ member_id: `FILL-${index}` }));
    const result = await run([INDEX, ...filler, line('77003')], { recordsPerChunk: 3 });
    expectFinding(result, 'IMAGING_BUNDLED', lineOf(41), [lineOf(0)]);
    expect(result.rows).toHaveLength(1);
  });
});

describe('FREQUENCY_EXCEEDED', () => {
  const D = '2026-11-20';
  /** Index lines of one member on these days before D (0 = D). */
  const sessions = (daysBefore: readonly number[], more: LineInput = {}): LineInput[] =>
    daysBefore.map((days, index) => ({
      ...INDEX,
      claim_id: `F-${index}`,
      date_of_service: addDays(D, -days),
      ...more,
    }));

  it('fires on the index line of date d when 5 distinct dates fall in [d − 364, d], relating the other dates', async () => {
    const result = await run(sessions([364, 300, 200, 100, 0]));
    expectFinding(result, 'FREQUENCY_EXCEEDED', lineOf(4), [lineOf(0), lineOf(1), lineOf(2), lineOf(3)]);
    expectRuleLines(result, 'FREQUENCY_EXCEEDED', [lineOf(4)]);
  });

  it('counts the window in calendar days across a leap year (d = 2024-12-31: d − 364 = 2024-01-02)', async () => {
    const leap = (first: string): LineInput[] =>
      [first, '2024-03-01', '2024-06-01', '2024-09-01', '2024-12-31'].map((date, index) => ({
        ...INDEX,
        claim_id: `L-${index}`,
        date_of_service: date,
      }));
    expectRuleLines(await run(leap('2024-01-02')), 'FREQUENCY_EXCEEDED', [lineOf(4)]);
    expectNoRule(await run(leap('2024-01-01')), 'FREQUENCY_EXCEEDED');
  });

  it('does not fire when the earliest date is d − 365 (outside the window)', async () => {
    const result = await run(sessions([365, 300, 200, 100, 0]));
    expectNoRule(result, 'FREQUENCY_EXCEEDED');
  });

  it('does not fire for 4 dates', async () => {
    const result = await run(sessions([300, 200, 100, 0]));
    expectNoRule(result, 'FREQUENCY_EXCEEDED');
  });

  it('counts distinct dates: two index lines on one date (two providers) count once', async () => {
    const result = await run([
      ...sessions([300, 200, 100, 0]),
      { ...INDEX, claim_id: 'F-B', date_of_service: D, rendering_npi: NPI_B },
    ]);
    expectNoRule(result, 'FREQUENCY_EXCEEDED');
  });

  it('flags every index line of date d, each relating the index lines of the other dates only', async () => {
    const result = await run([
      ...sessions([360, 200, 100, 50, 0]),
      { ...INDEX, claim_id: 'F-B', date_of_service: D, rendering_npi: NPI_B },
    ]);
    const others = [lineOf(0), lineOf(1), lineOf(2), lineOf(3)];
    expectFinding(result, 'FREQUENCY_EXCEEDED', lineOf(4), others);
    expectFinding(result, 'FREQUENCY_EXCEEDED', lineOf(5), others);
  });

  it('evaluates each date: a 6th date fires on the 5th and 6th, relating only dates in each window', async () => {
    // Dates: d-400 (outside every later window), d-300, d-200, d-100, d-50, d.
    const result = await run(sessions([400, 300, 200, 100, 50, 0]));
    // For d-50: window [d-414, d-50] holds all 5 earlier-or-equal dates.
    expectFinding(result, 'FREQUENCY_EXCEEDED', lineOf(4), [lineOf(0), lineOf(1), lineOf(2), lineOf(3)]);
    // For d: window [d-364, d] holds d-300 … d: 5 dates; d-400 is outside.
    expectFinding(result, 'FREQUENCY_EXCEEDED', lineOf(5), [lineOf(1), lineOf(2), lineOf(3), lineOf(4)]);
    expectRuleLines(result, 'FREQUENCY_EXCEEDED', [lineOf(4), lineOf(5)]);
  });

  it('does not look forward: later dates do not count toward an earlier date', async () => {
    const result = await run(sessions([0, 10, 20, 30, 40].map((days) => days)));
    // Only the latest date (days = 0, line 2) has all five dates at or before it.
    expectRuleLines(result, 'FREQUENCY_EXCEEDED', [lineOf(0)]);
  });

  it('counts 64483 and 64484 dates toward the window, but relates only index lines', async () => {
    const result = await run([
      ...sessions([300, 200, 0]),
      line('64483', { date_of_service: addDays(D, -150) }),
      line('64484', { date_of_service: addDays(D, -50), claim_id: 'T-2' }),
    ]);
    expectFinding(result, 'FREQUENCY_EXCEEDED', lineOf(2), [lineOf(0), lineOf(1)]);
    expectRuleLines(result, 'FREQUENCY_EXCEEDED', [lineOf(2)]);
  });

  it('does not count other codes (62321, 64479, 62322) toward the window', async () => {
    const result = await run([
      ...sessions([300, 200, 0]),
      line('62321', { date_of_service: addDays(D, -150) }),
      line('64479', { date_of_service: addDays(D, -100) }),
      line('62322', { date_of_service: addDays(D, -50) }),
    ]);
    expectNoRule(result, 'FREQUENCY_EXCEEDED');
  });

  it('does not mix members', async () => {
    const result = await run([...sessions([300, 200, 100]), ...sessions([50, 0], { member_id: 'MEM-2' })]);
    expectNoRule(result, 'FREQUENCY_EXCEEDED');
  });

  it('does not fire for a member with only 64483 lines', async () => {
    const result = await run(
      // Five dates in one window: as 62323 lines they would exceed the limit of 4.
      [360, 300, 200, 100, 0].map((days, index) =>
        line('64483', { claim_id: `T-${index}`, date_of_service: addDays(D, -days) }),
      ),
      // As of d, so that every date is within the filing limit.
      { asOf: D },
    );
    expect(result.rows).toEqual([]);
  });

  const HISTORY_CSV = [
    'member_id,date_of_service,procedure_code',
    `mem-1,${addDays(D, -360)},62323`,
    `MEM-1,${addDays(D, -250)},64483`,
    `MEM-1,${addDays(D, -200)},99213`,
    `MEM-1,${addDays(D, -400)},62323`,
    `MEM-2,${addDays(D, -100)},62323`,
  ].join('\n');

  it('counts history from parseHistoryCsv (lines of earlier batches have no related line)', async () => {
    const history = parseHistoryCsv(HISTORY_CSV);
    // Batch: d-100, d-30 and d. History adds d-360 and d-250 (99213, d-400 and MEM-2 do not count).
    const result = await run(sessions([100, 30, 0]), { history: inMemoryHistory(history.sessions) });
    expectFinding(result, 'FREQUENCY_EXCEEDED', lineOf(2), [lineOf(0), lineOf(1)]);
    expectRuleLines(result, 'FREQUENCY_EXCEEDED', [lineOf(2)]);
  });

  it('near miss: the same batch without history does not fire', async () => {
    const result = await run(sessions([100, 30, 0]));
    expectNoRule(result, 'FREQUENCY_EXCEEDED');
  });

  it('counts a history date that is also a batch date once', async () => {
    const history = inMemoryHistory(
      sessionsOnDays(
        new Map([
          ['MEM-1', [epochDay(addDays(D, -100)), epochDay(addDays(D, -30)), epochDay(addDays(D, -5))]],
        ]),
      ),
    );
    const result = await run(sessions([100, 30, 0]), { history });
    expectNoRule(result, 'FREQUENCY_EXCEEDED');
  });

  it('counts history from inMemoryHistory (day numbers) toward the window', async () => {
    const history = inMemoryHistory(
      sessionsOnDays(
        new Map([
          ['MEM-1', [epochDay(addDays(D, -364)), epochDay(addDays(D, -300)), epochDay(addDays(D, -365))]],
        ]),
      ),
    );
    // d-364 and d-300 count; d-365 does not: 2 + batch 3 = 5.
    const result = await run(sessions([100, 30, 0]), { history });
    expectFinding(result, 'FREQUENCY_EXCEEDED', lineOf(2), [lineOf(0), lineOf(1)]);
  });

  it('near miss: history dates only outside the window do not count', async () => {
    const history = inMemoryHistory(
      sessionsOnDays(new Map([['MEM-1', [epochDay(addDays(D, -365)), epochDay(addDays(D, -500))]]])),
    );
    const result = await run(sessions([100, 30, 0]), { history });
    expectNoRule(result, 'FREQUENCY_EXCEEDED');
  });

  const STRICT = { FREQUENCY_EXCEEDED: { windows: [{ limit: 2, days: 365 }] } };
  it('takes the limit from the rule pack', async () => {
    const lines = batch(sessions([200, 100, 0]));
    const strict = await scrubBatch(source(lines), {
      batchId: 'b',
      sourceName: 'b.csv',
      asOf: '2026-11-28',
      books: new RuleBooks(
        BUILT_IN_IDENTITY,
        [
          {
            name: 'strict',
            version: '1',
            sha256: '',
            settings: { name: 'strict', version: '1', rules: STRICT },
          },
        ],
        'strict',
      ),
    });
    expect(strict.batch!.findings.map((item) => [item.line, item.ruleId, [...item.related]])).toEqual([
      [lineOf(2), 'FREQUENCY_EXCEEDED', [lineOf(0), lineOf(1)]],
    ]);
    expectNoRule(await run(sessions([200, 100, 0])), 'FREQUENCY_EXCEEDED');
  });

  it('history alone with a single batch index line can exceed the limit', async () => {
    const history = inMemoryHistory(
      sessionsOnDays(new Map([['MEM-1', [10, 50, 100, 200].map((days) => epochDay(addDays(D, -days)))]])),
    );
    const result = await run(sessions([0]), { history });
    expectFinding(result, 'FREQUENCY_EXCEEDED', lineOf(0), []);
  });
});

describe('DUPLICATE_LINE', () => {
  it('flags every later occurrence of a (claim_id, line_no), related = the first', async () => {
    const result = await run([
      { claim_id: 'DUP', line_no: '1', member_id: 'A' },
      { claim_id: 'DUP', line_no: '2', member_id: 'B' },
      { claim_id: 'DUP', line_no: '1', member_id: 'C' },
      { claim_id: 'OTHER', line_no: '1', member_id: 'D' },
      { claim_id: 'DUP', line_no: '1', member_id: 'E' },
    ]);
    expectFinding(result, 'DUPLICATE_LINE', lineOf(2), [lineOf(0)]);
    expectFinding(result, 'DUPLICATE_LINE', lineOf(4), [lineOf(0)]);
    expectRuleLines(result, 'DUPLICATE_LINE', [lineOf(2), lineOf(4)]);
  });

  it('flags duplicates across chunks', async () => {
    const lines: LineInput[] = Array.from({ length: 12 }, (_, index) => ({
      claim_id: `K${index % 4}`,
      member_id: `M${index}`,
    }));
    const result = await run(lines, { recordsPerChunk: 2 });
    expectRuleLines(
      result,
      'DUPLICATE_LINE',
      Array.from({ length: 8 }, (_, index) => lineOf(index + 4)),
    );
    for (let index = 4; index < 12; index += 1)
      expectFinding(result, 'DUPLICATE_LINE', lineOf(index), [lineOf(index % 4)]);
  });

  it('does not flag the same claim with another line number, or the same line number on another claim', async () => {
    const result = await run([
      { claim_id: 'C1', line_no: '1' },
      { claim_id: 'C1', line_no: '2', member_id: 'X2' },
      { claim_id: 'C2', line_no: '1', member_id: 'X3' },
    ]);
    expect(result.rows).toEqual([]);
  });

  it('does not flag lines whose claim_id or line_no is empty (they carry MISSING_FIELD)', async () => {
    const result = await run([
      { claim_id: '', line_no: '1' },
      { claim_id: '', line_no: '1', member_id: 'X2' },
      { claim_id: 'C9', line_no: '' },
      { claim_id: 'C9', line_no: '', member_id: 'X4' },
    ]);
    expectNoRule(result, 'DUPLICATE_LINE');
    expect(rowsOf(result, 'MISSING_FIELD')).toHaveLength(4);
  });

  it('flags an exact duplicate record, which also doubles the units of its encounter', async () => {
    const twice = { ...INDEX, claim_id: 'SAME', line_no: '1' };
    const result = await run([twice, twice]);
    expectFinding(result, 'DUPLICATE_LINE', lineOf(1), [lineOf(0)]);
    expectFinding(result, 'UNITS_EXCEED_MUE', lineOf(0), [lineOf(1)]);
    expectFinding(result, 'UNITS_EXCEED_MUE', lineOf(1), [lineOf(0)]);
  });
});
