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
    expect(history.sessions).toEqual(
      new Map([
        ['MEM-1', [epochDay('2026-01-05'), epochDay('2026-02-06'), epochDay('2026-03-07')]],
        ['MEM-2', [epochDay('2026-05-01')]],
      ]),
    );
    expect(history.skippedRows).toBe(0);
  });

  it('accepts header aliases, a BOM, CRLF and other columns', () => {
    const history = parseHistoryCsv('\uFEFFMBI,Notes,DOS,CPT\r\nX1,hi,2026-01-05,62323\r\n');
    expect(history.sessions.get('X1')).toEqual([epochDay('2026-01-05')]);
  });

  it('reads the batch header aliases, written as billing systems write them', () => {
    const history = parseHistoryCsv('Subscriber ID,Service-Date,HCPCS Code\nX2,2026-02-01,64483\n');
    expect(history.sessions.get('X2')).toEqual([epochDay('2026-02-01')]);
  });

  it('reads the first of two columns for the same field, as a batch header does', () => {
    const history = parseHistoryCsv(
      'member_id,mbi,dos,service_date,cpt\nA1,B1,2026-03-01,2026-04-01,62323\n',
    );
    expect(history.sessions).toEqual(new Map([['A1', [epochDay('2026-03-01')]]]));
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
    expect(history.sessions.get('M1')).toEqual([epochDay('2026-01-06')]);
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
