/**
 * Rule set 62323/v2 (rules.md): each new rule fires and its near miss does not, and each correction
 * of the v1 → v2 list holds. Every expectation comes from reading rules.md and formats.md.
 */
import { describe, expect, it } from 'vitest';
import { type BatchOptions, batch, DEFAULT_DOS, type LineInput, lineOf } from '../../support/batch.js';
import { addDays } from '../../support/dates.js';
import { NPI_A, NPI_B } from '../../support/npi.js';
import {
  linesOfRule,
  rowOf,
  rulesOnLine,
  scrubV2,
  type V2Options,
  type V2Run,
} from '../../support/run-v2.js';
import { AS_OF } from '../../support/spec.js';
import { companion, type HistoryRow, historyCsv, indexLine, numbered, pack } from '../../support/v2-lines.js';

const run = (lines: readonly LineInput[], options?: V2Options, shape?: BatchOptions): Promise<V2Run> =>
  scrubV2(batch(numbered(lines), shape), options);

/** The line a rule fired on must carry exactly this severity and related lines. */
function expectOn(result: V2Run, ruleId: string, line: number, related: readonly number[], severity: string) {
  const row = rowOf(result, ruleId, line);
  expect(row.severity, `${ruleId} severity`).toBe(severity);
  expect(row.related_lines, `${ruleId} related`).toBe(related.join(' '));
  return row;
}

const daysBeforeAsOf = (days: number): string => addDays(AS_OF, -days);

describe('TIMELY_FILING', () => {
  it('fires on a date of service 366 days before the as-of date, not 365', async () => {
    const result = await run([
      { date_of_service: daysBeforeAsOf(365) },
      { date_of_service: daysBeforeAsOf(366) },
    ]);
    expect(rulesOnLine(result, lineOf(0))).toEqual([]);
    expect(rulesOnLine(result, lineOf(1))).toEqual(['TIMELY_FILING']);
    expectOn(result, 'TIMELY_FILING', lineOf(1), [], 'error');
  });

  it('is a data rule: it fires on any checked line, not only 62323', async () => {
    const result = await run([companion('99213', { date_of_service: daysBeforeAsOf(366) })]);
    expect(rulesOnLine(result, lineOf(0))).toEqual(['TIMELY_FILING']);
  });

  it("uses the days of the line's pack (90 vs 91), and the built-in 365 for other payers", async () => {
    const result = await run(
      [
        { payer: 'Acme Health', date_of_service: daysBeforeAsOf(90) },
        { payer: 'Acme Health', date_of_service: daysBeforeAsOf(91) },
        { date_of_service: daysBeforeAsOf(91) },
      ],
      { packs: [pack('acme', ['Acme Health'], { TIMELY_FILING: { days: 90 } })] },
    );
    expect(linesOfRule(result, 'TIMELY_FILING')).toEqual([lineOf(1)]);
    expect(rowOf(result, 'TIMELY_FILING', lineOf(1)).rule_pack).toBe('acme');
  });
});

describe('ANESTHESIA_BY_PROCEDURALIST', () => {
  it.each(['00100', '01992', '01999'])(
    'fires on anesthesia %s in the injecting NPI’s encounter',
    async (code) => {
      const result = await run([indexLine(), companion(code)]);
      expectOn(result, 'ANESTHESIA_BY_PROCEDURALIST', lineOf(1), [lineOf(0)], 'error');
      expect(rulesOnLine(result, lineOf(0))).toEqual([]);
    },
  );

  it.each(['00099', '02000'])('does not fire on %s, outside 00100–01999', async (code) => {
    const result = await run([indexLine(), companion(code)]);
    expect(result.rows).toEqual([]);
  });

  it('does not fire on anesthesia billed by another NPI the same day', async () => {
    const result = await run([indexLine(), companion('01992', { rendering_npi: NPI_B, claim_id: 'C2' })]);
    expect(result.rows).toEqual([]);
  });

  it('01937 by the injecting NPI is both sedation in the session and anesthesia in the encounter', async () => {
    const result = await run([indexLine(), companion('01937')]);
    expect(rulesOnLine(result, lineOf(1))).toEqual(['ANESTHESIA_BY_PROCEDURALIST', 'SEDATION_SAME_SESSION']);
    expectOn(result, 'ANESTHESIA_BY_PROCEDURALIST', lineOf(1), [lineOf(0)], 'error');
    expectOn(result, 'SEDATION_SAME_SESSION', lineOf(1), [lineOf(0)], 'warning');
  });

  it('01937 by another NPI is sedation in the session only', async () => {
    const result = await run([indexLine(), companion('01937', { rendering_npi: NPI_B, claim_id: 'C2' })]);
    expect(rulesOnLine(result, lineOf(1))).toEqual(['SEDATION_SAME_SESSION']);
  });
});

describe('DRUG_UNITS_HIGH', () => {
  it.each([
    ['J3301', 8],
    ['J0702', 2],
    ['J1100', 15],
    ['J1010', 80],
  ])('%s: fires above %i units, not at it', async (code, ceiling) => {
    const result = await run([
      indexLine(),
      companion(code, { units: String(ceiling) }),
      companion(code, { units: String(ceiling + 1) }),
    ]);
    expect(linesOfRule(result, 'DRUG_UNITS_HIGH')).toEqual([lineOf(2)]);
    expectOn(result, 'DRUG_UNITS_HIGH', lineOf(2), [lineOf(0)], 'warning');
    expect(rulesOnLine(result, lineOf(1))).toEqual([]);
  });

  it('does not fire without a 62323 line in the encounter', async () => {
    const result = await run([
      companion('J3301', { units: '9' }),
      { ...indexLine(), rendering_npi: NPI_B, claim_id: 'C2' },
    ]);
    expect(linesOfRule(result, 'DRUG_UNITS_HIGH')).toEqual([]);
    expect(result.rows).toEqual([]);
  });

  it('fires beside DRUG_IN_FACILITY on a facility steroid line', async () => {
    const result = await run([indexLine(), companion('J3301', { units: '9', place_of_service: '22' })]);
    expect(rulesOnLine(result, lineOf(1))).toEqual(['DRUG_IN_FACILITY', 'DRUG_UNITS_HIGH']);
  });

  it('a steroid without a ceiling in rules.md (J1040) never fires it', async () => {
    const result = await run([indexLine(), companion('J1040', { units: '500' })]);
    expect(linesOfRule(result, 'DRUG_UNITS_HIGH')).toEqual([]);
  });
});

describe('REPEAT_TOO_SOON', () => {
  const PAYER = 'Acme Health';
  const repeatPack = (days?: number) =>
    pack('um', [PAYER], { REPEAT_TOO_SOON: { enabled: true, ...(days === undefined ? {} : { days }) } });
  /** Two 62323 lines of member M1, `gap` days apart, on separate claims. */
  const pair = (gap: number): LineInput[] => [
    indexLine({ payer: PAYER, claim_id: 'C1', date_of_service: addDays(DEFAULT_DOS, -gap) }),
    indexLine({ payer: PAYER, claim_id: 'C2' }),
  ];

  it('is off in the default pack', async () => {
    const result = await run(pair(3));
    expect(linesOfRule(result, 'REPEAT_TOO_SOON')).toEqual([]);
  });

  it('on in a pack (14 days by default): fires 13 days after a session, not 14', async () => {
    const soon = await run(pair(13), { packs: [repeatPack()] });
    expect(linesOfRule(soon, 'REPEAT_TOO_SOON')).toEqual([lineOf(1)]);
    expectOn(soon, 'REPEAT_TOO_SOON', lineOf(1), [lineOf(0)], 'warning');
    const later = await run(pair(14), { packs: [repeatPack()] });
    expect(linesOfRule(later, 'REPEAT_TOO_SOON')).toEqual([]);
  });

  it("uses the pack's days (21: fires at 20, not 21)", async () => {
    expect(linesOfRule(await run(pair(20), { packs: [repeatPack(21)] }), 'REPEAT_TOO_SOON')).toEqual([
      lineOf(1),
    ]);
    expect(linesOfRule(await run(pair(21), { packs: [repeatPack(21)] }), 'REPEAT_TOO_SOON')).toEqual([]);
  });

  it('does not fire for two sessions on the same date (1 ≤ d − d′)', async () => {
    const result = await run(
      [indexLine({ payer: PAYER }), indexLine({ payer: PAYER, claim_id: 'C2', rendering_npi: NPI_B })],
      { packs: [repeatPack()] },
    );
    expect(linesOfRule(result, 'REPEAT_TOO_SOON')).toEqual([]);
  });

  it('counts a 64483 session of the batch and a session from history', async () => {
    const fromBatch = await run(
      [
        companion('64483', { payer: PAYER, date_of_service: addDays(DEFAULT_DOS, -5) }),
        indexLine({ payer: PAYER, claim_id: 'C2' }),
      ],
      { packs: [repeatPack()] },
    );
    expectOn(fromBatch, 'REPEAT_TOO_SOON', lineOf(1), [lineOf(0)], 'warning');
    const history = historyCsv([
      { member: 'M1', dos: addDays(DEFAULT_DOS, -13), claim: 'H7', batch: 'b-old' },
    ]);
    const fromHistory = await run([indexLine({ payer: PAYER })], { packs: [repeatPack()], history });
    expectOn(fromHistory, 'REPEAT_TOO_SOON', lineOf(0), [], 'warning');
    const old = historyCsv([{ member: 'M1', dos: addDays(DEFAULT_DOS, -14), claim: 'H7', batch: 'b-old' }]);
    expect(
      linesOfRule(
        await run([indexLine({ payer: PAYER })], { packs: [repeatPack()], history: old }),
        'REPEAT_TOO_SOON',
      ),
    ).toEqual([]);
  });
});

describe('PRIOR_BATCH_DUPLICATE', () => {
  const earlier = (over: Partial<HistoryRow> = {}) =>
    historyCsv([{ member: 'M1', dos: DEFAULT_DOS, npi: NPI_A, claim: 'H9', batch: 'nightly-0901', ...over }]);

  it('fires when an earlier batch billed 62323 for the member, date and NPI on another claim', async () => {
    const result = await run([indexLine()], { history: earlier() });
    const row = expectOn(result, 'PRIOR_BATCH_DUPLICATE', lineOf(0), [], 'warning');
    expect(row.message).toContain('nightly-0901');
    expect(row.message).toContain('H9');
  });

  it('compares member ids without regard to case or surrounding spaces', async () => {
    const result = await run([indexLine({ member_id: ' m1 ' })], { history: earlier() });
    expect(linesOfRule(result, 'PRIOR_BATCH_DUPLICATE')).toEqual([lineOf(0)]);
  });

  it('matches the encounter NPI: the billing NPI when rendering_npi is empty', async () => {
    const result = await run([indexLine({ rendering_npi: '', billing_npi: NPI_B })], {
      history: earlier({ npi: NPI_B }),
    });
    expect(linesOfRule(result, 'PRIOR_BATCH_DUPLICATE')).toEqual([lineOf(0)]);
  });

  it.each([
    ['the same claim id', {}, { claim: 'C1' }],
    ['claim_frequency 7 (replacement)', { claim_frequency: '7' }, {}],
    ['claim_frequency 8 (void)', { claim_frequency: '8' }, {}],
    ['another NPI in history', {}, { npi: NPI_B }],
    ['a 64483 line in history', {}, { code: '64483' }],
    ['another date in history', {}, { dos: addDays(DEFAULT_DOS, -1) }],
    ['history written by this very batch', {}, { batch: 'test-batch' }],
  ] as const)('does not fire for %s', async (_name, line, row) => {
    const result = await run([indexLine(line)], { history: earlier(row) });
    expect(linesOfRule(result, 'PRIOR_BATCH_DUPLICATE')).toEqual([]);
  });
});

describe('FREQUENCY_EXCEEDED with two windows', () => {
  const PAYER = 'Acme Health';
  const windows = pack('um', [PAYER], {
    FREQUENCY_EXCEEDED: {
      windows: [
        { limit: 2, days: 90 },
        { limit: 4, days: 365 },
      ],
    },
  });
  /** Lines of member M1, `daysBefore` the default date, each on its own claim. */
  const sessions = (daysBefore: readonly number[], code = (_days: number) => '62323'): LineInput[] =>
    daysBefore.map((days, index) =>
      indexLine({
        claim_id: `C${index + 1}`,
        payer: PAYER,
        date_of_service: addDays(DEFAULT_DOS, -days),
        procedure_code: code(days),
      }),
    );

  it('fires when the short window is exceeded; the message names it; related = index lines of its dates', async () => {
    // 64483 makes d − 60 a session date, but it is not an index line: counted, not related.
    const lines = sessions([60, 30, 0], (days) => (days === 60 ? '64483' : '62323'));
    const result = await run(lines, { packs: [windows] });
    expect(linesOfRule(result, 'FREQUENCY_EXCEEDED')).toEqual([lineOf(2)]);
    const row = expectOn(result, 'FREQUENCY_EXCEEDED', lineOf(2), [lineOf(1)], 'error');
    expect(row.message).toMatch(/\b90 days\b/);
    expect(row.message).not.toMatch(/\b365\b/);
  });

  it('fires when only the long window is exceeded, and names that window', async () => {
    const result = await run(sessions([300, 250, 200, 150, 0]), { packs: [windows] });
    expect(linesOfRule(result, 'FREQUENCY_EXCEEDED')).toEqual([lineOf(4)]);
    const row = expectOn(result, 'FREQUENCY_EXCEEDED', lineOf(4), [2, 3, 4, 5], 'error');
    expect(row.message).toMatch(/\b365 days\b/);
    expect(row.message).not.toMatch(/\b90 days\b/);
  });

  it('does not fire at the limit of both windows', async () => {
    const result = await run(sessions([300, 200, 60, 0]), { packs: [windows] });
    expect(linesOfRule(result, 'FREQUENCY_EXCEEDED')).toEqual([]);
  });

  it('the default window is [d − 364, d]: a session 364 days back counts, 365 days back does not', async () => {
    const back = (first: number) =>
      historyCsv([first, 300, 200, 100].map((days) => ({ member: 'M1', dos: addDays(DEFAULT_DOS, -days) })));
    const counted = await run([indexLine()], { history: back(364) });
    expect(linesOfRule(counted, 'FREQUENCY_EXCEEDED')).toEqual([lineOf(0)]);
    const outside = await run([indexLine()], { history: back(365) });
    expect(linesOfRule(outside, 'FREQUENCY_EXCEEDED')).toEqual([]);
  });

  it('history on the dates of this batch adds no session dates (a corrected re-upload)', async () => {
    const lines = sessions([300, 200, 100, 0]).map((line) => ({ ...line, payer: 'Synthetic Health Plan' }));
    const again = historyCsv(
      [300, 200, 100, 0].map((days) => ({
        member: 'M1',
        dos: addDays(DEFAULT_DOS, -days),
        batch: 'first-upload',
      })),
    );
    const result = await run(lines, { history: again });
    expect(linesOfRule(result, 'FREQUENCY_EXCEEDED')).toEqual([]);
  });

  it('history 64483/64484 rows are session dates; other codes are not', async () => {
    const rows = (code: string) =>
      historyCsv(
        [300, 200, 100, 50].map((days) => ({ member: 'M1', dos: addDays(DEFAULT_DOS, -days), code })),
      );
    expect(linesOfRule(await run([indexLine()], { history: rows('64484') }), 'FREQUENCY_EXCEEDED')).toEqual([
      lineOf(0),
    ]);
    expect(linesOfRule(await run([indexLine()], { history: rows('64483') }), 'FREQUENCY_EXCEEDED')).toEqual([
      lineOf(0),
    ]);
    expect(linesOfRule(await run([indexLine()], { history: rows('99213') }), 'FREQUENCY_EXCEEDED')).toEqual(
      [],
    );
  });

  it('the default window (4 in 365) counts history; the message names the dates from history and their batches', async () => {
    const history = historyCsv([
      { member: 'M1', dos: addDays(DEFAULT_DOS, -45), claim: 'H5', batch: 'prior-7' },
    ]);
    const lines = sessions([300, 200, 100, 0]).map((line) => ({ ...line, payer: 'Synthetic Health Plan' }));
    const result = await run(lines, { history });
    expect(linesOfRule(result, 'FREQUENCY_EXCEEDED')).toEqual([lineOf(3)]);
    const row = expectOn(result, 'FREQUENCY_EXCEEDED', lineOf(3), [2, 3, 4], 'error');
    expect(row.message).toContain(addDays(DEFAULT_DOS, -45));
    expect(row.message).toContain('prior-7');
  });
});

describe('v1 → v2 corrections: covered diagnoses', () => {
  it('B0222 alone is DX_NOT_COVERED now', async () => {
    const result = await run([{ dx: ['B02.22'] }]);
    expect(rulesOnLine(result, lineOf(0))).toEqual(['DX_NOT_COVERED']);
  });

  it.each(['M51.361', 'M51362', 'M51.371', 'M51372'])('%s is covered', async (dx) => {
    const result = await run([{ dx: [dx] }]);
    expect(result.rows).toEqual([]);
  });
});

describe('v1 → v2 corrections: a 78630 line on the claim exempts its 62323 lines', () => {
  const filler = (count: number): LineInput[] =>
    Array.from({ length: count }, (_, index) => ({ claim_id: `F${index}`, member_id: `F${index}` }));
  /** An index line of claim C1 (diagnosis `dx`), 40 lines apart from a 78630 line of claim `claim`. */
  const farApart = (dx: string, claim: string, cisternographyFirst: boolean): LineInput[] => {
    const index = indexLine({ dx: [dx] });
    const cisternography = companion('78630', { claim_id: claim, line_no: '9' });
    return cisternographyFirst
      ? [cisternography, ...filler(40), index]
      : [index, ...filler(40), cisternography];
  };
  const LAYOUTS: readonly [string, V2Options][] = [
    ['one chunk', {}],
    ['chunks of 3 lines', { recordsPerChunk: 3 }],
    ['chunks of 3 lines and a spill of 4 partitions', { recordsPerChunk: 3, partitions: 4 }],
  ];
  const ORDERS = [false, true] as const;

  it.each(LAYOUTS)(
    'same claim exempts from DX_AXIAL_ONLY and DX_NOT_COVERED (%s)',
    async (_name, options) => {
      for (const first of ORDERS) {
        for (const dx of ['M54.50', 'B0222']) {
          const result = await run(farApart(dx, 'C1', first), options);
          expect(result.rows, `${dx}, 78630 ${first ? 'first' : 'last'}`).toEqual([]);
        }
      }
    },
  );

  it.each(LAYOUTS)('another claim does not exempt (%s)', async (_name, options) => {
    for (const first of ORDERS) {
      const indexAt = first ? lineOf(41) : lineOf(0);
      const axial = await run(farApart('M54.50', 'C2', first), options);
      expect(linesOfRule(axial, 'DX_AXIAL_ONLY'), '78630 on C2').toEqual([indexAt]);
      const uncovered = await run(farApart('B0222', 'C2', first), options);
      expect(linesOfRule(uncovered, 'DX_NOT_COVERED'), '78630 on C2').toEqual([indexAt]);
    }
  });
});

describe('v1 → v2 corrections: retired codes', () => {
  it('M4806 is DIAGNOSIS_RETIRED from 2017-10-01, not the day before', async () => {
    const lines = [
      { date_of_service: '2017-10-01', dx: ['M48.06', 'M54.16'] },
      { date_of_service: '2017-09-30', dx: ['M4806', 'M54.16'] },
    ];
    const result = await run(lines, { asOf: '2017-11-28' });
    expect(rulesOnLine(result, lineOf(0))).toEqual(['DIAGNOSIS_RETIRED']);
    expect(rulesOnLine(result, lineOf(1))).toEqual([]);
  });

  it.each(['99143', '99144', '99145', '99148', '99149', '99150'])(
    '%s is CODE_RETIRED from 2017-01-01, not the day before',
    async (code) => {
      const lines = [
        companion(code, { member_id: 'A', claim_id: 'A', date_of_service: '2017-01-01' }),
        companion(code, { member_id: 'B', claim_id: 'B', date_of_service: '2016-12-31' }),
      ];
      const result = await run(lines, { asOf: '2017-06-30' });
      expect(rulesOnLine(result, lineOf(0))).toEqual(['CODE_RETIRED']);
      expect(rulesOnLine(result, lineOf(1))).toEqual([]);
    },
  );
});

describe('v1 → v2 corrections: hospital and emergency E/M', () => {
  const HOSPITAL_EM = ['99221', '99222', '99223', '99231', '99232', '99233', '99238', '99239'];
  const EMERGENCY_EM = ['99281', '99282', '99283', '99284', '99285'];

  it.each([...HOSPITAL_EM, ...EMERGENCY_EM])(
    '%s without 25 is EM_SAME_DAY_NO_25; with 25 it is not',
    async (code) => {
      const result = await run([
        indexLine(),
        companion(code),
        indexLine({ member_id: 'M2', claim_id: 'C2' }),
        companion(code, { member_id: 'M2', claim_id: 'C2', modifiers: ['25'] }),
      ]);
      expect(linesOfRule(result, 'EM_SAME_DAY_NO_25')).toEqual([lineOf(1)]);
      expectOn(result, 'EM_SAME_DAY_NO_25', lineOf(1), [lineOf(0)], 'error');
    },
  );

  it.each(['99234', '99286'])('%s is not on the list', async (code) => {
    const result = await run([indexLine(), companion(code)]);
    expect(result.rows).toEqual([]);
  });
});

describe('v1 → v2 corrections: place of service', () => {
  it('POS_NOT_ALLOWED is a warning', async () => {
    const result = await run([{ place_of_service: '12' }, { place_of_service: '81' }]);
    expectOn(result, 'POS_NOT_ALLOWED', lineOf(0), [], 'warning');
    expectOn(result, 'POS_NOT_ALLOWED', lineOf(1), [], 'warning');
  });

  it('11, 19, 22 and 24 raise nothing; 21 and 23 are POS_UNUSUAL only', async () => {
    const result = await run(['11', '19', '22', '24', '21', '23'].map((pos) => ({ place_of_service: pos })));
    expect(linesOfRule(result, 'POS_NOT_ALLOWED')).toEqual([]);
    expect(linesOfRule(result, 'POS_UNUSUAL')).toEqual([lineOf(4), lineOf(5)]);
    expect(result.rows.map((row) => row.rule_id)).toEqual(['POS_UNUSUAL', 'POS_UNUSUAL']);
  });
});

describe('v1 → v2 corrections: the encounter NPI falls back to billing_npi', () => {
  const billed = (over: LineInput = {}): LineInput => ({ rendering_npi: '', billing_npi: NPI_B, ...over });

  it('a billing NPI that bundles a 77003 with its 62323 is IMAGING_BUNDLED; provider_npi shows it', async () => {
    const result = await run([
      indexLine(billed()),
      companion('77003', billed()),
      companion('77012', { rendering_npi: NPI_B }),
      companion('76000', { rendering_npi: NPI_A, billing_npi: NPI_B, claim_id: 'C2' }),
    ]);
    expect(linesOfRule(result, 'IMAGING_BUNDLED')).toEqual([lineOf(1), lineOf(2)]);
    const row = expectOn(result, 'IMAGING_BUNDLED', lineOf(1), [lineOf(0)], 'error');
    expect(row.provider_npi).toBe(NPI_B);
  });

  it('no MISSING_FIELD when rendering_npi is empty but billing_npi is not', async () => {
    const result = await run([billed()]);
    expect(result.rows).toEqual([]);
  });

  it('MISSING_FIELD rendering_npi when both are empty: one finding, naming the field', async () => {
    const result = await run([{ rendering_npi: '', billing_npi: '' }]);
    expect(rulesOnLine(result, lineOf(0))).toEqual(['MISSING_FIELD']);
    expect(rowOf(result, 'MISSING_FIELD', lineOf(0)).message).toContain('rendering_npi');
  });

  it('a header with billing_npi and no rendering_npi column is accepted', async () => {
    const result = await run(
      [{ billing_npi: NPI_A }, { billing_npi: NPI_B }],
      {},
      { omit: ['rendering_npi'] },
    );
    expect(result.summary.status).toBe('complete');
    expect(result.summary.counts.checked).toBe(2);
    expect(result.rows).toEqual([]);
  });

  it('a header with neither NPI column is rejected', async () => {
    const result = await run([{}], {}, { omit: ['rendering_npi', 'billing_npi'] });
    expect(result.summary.status).toBe('rejected');
  });
});
