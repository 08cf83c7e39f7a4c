/** Normalisation corner cases found in contract review: where the dot may stand, and member keys. */
import { describe, expect, it } from 'vitest';
import { normalizeDiagnosis } from '../../../functions/core/engine/values.js';
import { inMemoryHistory, parseHistoryCsv } from '../../../functions/core/history.js';
import { scrubBatch } from '../../../functions/core/scrub.js';

const HEADER =
  'claim_id,line_no,member_id,date_of_service,procedure_code,dx_1,diagnosis_codes,units,place_of_service,rendering_npi,charge,prior_auth';

async function findings(rows: string[], history = '') {
  const result = await scrubBatch(
    [Buffer.from(`${HEADER}\n${rows.join('\n')}\n`)],
    {
      batchId: 'b',
      sourceName: 'b.csv',
      asOf: '2026-11-28',
    },
    history ? { history: inMemoryHistory(parseHistoryCsv(history).sessions) } : {},
  );
  return result.batch!.findings.map((item) => `${item.line} ${item.ruleId} ${item.message}`);
}

describe('diagnosis dots', () => {
  it.each([
    ['M54.16', 'M5416'],
    ['m54.16', 'M5416'],
    [' M48.062 ', 'M48062'],
    ['M5416', 'M5416'],
    ['.', '.'],
    ['M.5.416', 'M.5.416'],
    ['M5416.', 'M5416.'],
    ['M54.', 'M54.'],
  ])('normalises %j to %j', (code, expected) => {
    expect(normalizeDiagnosis(code)).toBe(expected);
  });

  it('judges a dot-only or misplaced-dot diagnosis as written, in single and list columns alike', async () => {
    const found = await findings([
      'C1,1,M1,2026-03-02,62323,.,,1,11,1234567893,100.00,PA',
      'C2,1,M2,2026-03-02,99213,.,,1,11,1234567893,100.00,',
      'C3,1,M3,2026-03-02,62323,,.,1,11,1234567893,100.00,PA',
      'C4,1,M4,2026-03-02,62323,M.5.416,,1,11,1234567893,100.00,PA',
    ]);
    for (const line of [2, 3, 4])
      expect(found).toContain(`${line} INVALID_DIAGNOSIS diagnosis . is not an ICD-10-CM code`);
    expect(found).toContain('5 INVALID_DIAGNOSIS diagnosis M.5.416 is not an ICD-10-CM code');
    expect(found.filter((text) => text.includes('MISSING_FIELD'))).toEqual([]);
  });
});

describe('member keys', () => {
  it('groups non-ASCII member ids the same way in the batch and in history', async () => {
    const history =
      'member_id,date_of_service,procedure_code\né1,2026-01-05,62323\né1,2026-03-05,62323\né1,2026-05-05,62323\né1,2026-07-05,62323\n';
    const found = await findings(['C1,1,é1,2026-11-01,62323,M54.16,,1,11,1234567893,100.00,PA'], history);
    expect(found.some((text) => text.startsWith('2 FREQUENCY_EXCEEDED'))).toBe(true);
  });

  it('treats é1 and É1 as one member in a batch', async () => {
    const found = await findings([
      'C1,1,é1,2026-11-01,62323,M54.16,,1,11,1234567893,100.00,PA',
      'C1,2,É1,2026-11-01,77003,M54.16,,1,11,1234567893,100.00,PA',
    ]);
    expect(found.some((text) => text.startsWith('3 IMAGING_BUNDLED'))).toBe(true);
  });
});
