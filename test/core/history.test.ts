/** Earlier batches' sessions for FREQUENCY_EXCEEDED: parseHistoryCsv and inMemoryHistory. */
import { describe, expect, it } from 'vitest';
import { inMemoryHistory, parseHistoryCsv } from '../../functions/core/history.js';
import { epochDay } from '../support/dates.js';
import { daysOf, sessionsOnDays } from '../support/history.js';

describe('parseHistoryCsv', () => {
  it('keeps the dates of counted codes (62323, 64483, 64484) per member, upper-cased', () => {
    const history = parseHistoryCsv(
      [
        'member_id,date_of_service,procedure_code',
        'mem-1,2026-01-05,62323',
        'MEM-1,02/06/2026,64483',
        'MEM-1,20260307,64484',
        'MEM-1,2026-04-01,99213',
        'MEM-2,2026-05-01,62323',
      ].join('\n'),
    );
    const session = (date: string, code: string) => ({
      day: epochDay(date),
      code,
      npi: '',
      claimId: '',
      batchId: '',
    });
    expect(history.sessions).toEqual(
      new Map([
        [
          'MEM-1',
          [session('2026-01-05', '62323'), session('2026-02-06', '64483'), session('2026-03-07', '64484')],
        ],
        ['MEM-2', [session('2026-05-01', '62323')]],
      ]),
    );
    expect(history.skippedRows).toBe(0);
  });

  it('accepts header aliases, a BOM, CRLF and other columns', () => {
    const history = parseHistoryCsv('\uFEFFMBI,Notes,DOS,CPT\r\nX1,hi,2026-01-05,62323\r\n');
    expect(daysOf(history.sessions).get('X1')).toEqual([epochDay('2026-01-05')]);
  });

  it('reads the batch header aliases, written as billing systems write them', () => {
    const history = parseHistoryCsv('Subscriber ID,Service-Date,HCPCS Code\nX2,2026-02-01,64483\n');
    expect(daysOf(history.sessions).get('X2')).toEqual([epochDay('2026-02-01')]);
  });

  it('reads the first of two columns for the same field, as a batch header does', () => {
    const history = parseHistoryCsv(
      'member_id,mbi,dos,service_date,cpt\nA1,B1,2026-03-01,2026-04-01,62323\n',
    );
    expect(daysOf(history.sessions)).toEqual(new Map([['A1', [epochDay('2026-03-01')]]]));
  });

  it('reads a field named by two columns from the next one where the first is empty', () => {
    const history = parseHistoryCsv('member_id,mbi,dos,service_date,cpt\n,B1,,2026-04-01,62323\n');
    expect(daysOf(history.sessions)).toEqual(new Map([['B1', [epochDay('2026-04-01')]]]));
    expect(history.skippedRows).toBe(0);
  });

  it('skips and counts rows with a missing or invalid value', () => {
    const history = parseHistoryCsv(
      [
        'member_id,date_of_service,procedure_code',
        ',2026-01-05,62323',
        'M1,2026-02-30,62323',
        'M1,2026-01-05,',
        'M1,2026-01-06,62323',
      ].join('\n'),
    );
    expect(history.skippedRows).toBe(3);
    expect(daysOf(history.sessions).get('M1')).toEqual([epochDay('2026-01-06')]);
  });

  it('loses no row to a stray quote: the broken line is counted and the rows after it are read', () => {
    const history = parseHistoryCsv(
      [
        'member_id,date_of_service,procedure_code',
        'MZ,2026-01-10,"62323',
        'MY,2026-01-10,62323',
        'MX,2026-01-11,"64483"',
        'MW,"2026-01-12,62323',
        'MV,2026-01-13,62323',
      ].join('\n'),
    );
    expect(history.skippedRows).toBe(2);
    expect([...daysOf(history.sessions).keys()]).toEqual(['MY', 'MX', 'MV']);
  });

  it('reads a quoted field spanning lines, and a ragged row, and counts a record that is no CSV', () => {
    const history = parseHistoryCsv(
      [
        'member_id,date_of_service,procedure_code,notes',
        'M1,2026-01-05,62323,"two',
        'lines"',
        'M2,2026-01-06,62323',
        'M3,2026-01-07,62323,x,y',
        'M4,2026-01-08,62323,"a"b',
        'M5,2026-01-09,62323',
      ].join('\n'),
    );
    expect([...daysOf(history.sessions).keys()]).toEqual(['M1', 'M2', 'M3', 'M5']);
    expect(history.skippedRows).toBe(1);
  });

  it('reads provider_npi, claim_id and batch_id when present (PRIOR_BATCH_DUPLICATE needs them)', () => {
    const history = parseHistoryCsv(
      'member_id,date_of_service,procedure_code,provider_npi,claim_id,batch_id\nM1,2026-01-06,62323, 1234567893 ,C-9,b-1\n',
    );
    expect(history.sessions.get('M1')).toEqual([
      { day: epochDay('2026-01-06'), code: '62323', npi: '1234567893', claimId: 'C-9', batchId: 'b-1' },
    ]);
  });

  it('throws when a needed column is missing', () => {
    expect(() => parseHistoryCsv('member_id,procedure_code\nM1,62323\n')).toThrow(
      /member_id, date_of_service and procedure_code/,
    );
  });
});

describe('inMemoryHistory', () => {
  it('returns the dates of the members asked for only', async () => {
    const source = inMemoryHistory(
      sessionsOnDays(
        new Map([
          ['A', [1, 2]],
          ['B', [3]],
        ]),
      ),
    );
    expect(daysOf(await source.priorSessions(['A', 'C']))).toEqual(new Map([['A', [1, 2]]]));
  });
});
