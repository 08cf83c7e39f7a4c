/** A history CSV as store records (history import, pipeline --history): historyRecordsOf. */
import { describe, expect, it } from 'vitest';
import { historyHeader, historyRowOf } from '../../functions/core/history-csv.js';
import { historyRecordsOf, importBatchIdOf } from '../../functions/core/history-import.js';
import { parseSessionRecords, type SessionRecord } from '../../functions/core/history-port.js';

const recorded: SessionRecord[] = [
  {
    memberKey: 'MBR-1',
    dateOfService: '2026-01-12',
    procedureCode: '62323',
    providerNpi: '1234567893',
    claimId: 'CLM "1", A',
    lineNo: '1',
    claimFrequency: '1',
    batchId: '2026-11-28-nightly-0123456789',
    line: 2,
  },
  {
    memberKey: 'MBR-2',
    dateOfService: '2026-02-03',
    procedureCode: '64484',
    providerNpi: '',
    claimId: '',
    lineNo: 'A',
    claimFrequency: '',
    batchId: 'nightly',
    line: 41,
  },
];

const csv = (...rows: string[]) => rows.join('\n');

describe('historyRecordsOf', () => {
  it('reads what --record and history export write, record for record', () => {
    const text = [historyHeader(), ...recorded.map((record) => historyRowOf(record))].join('\r\n');
    const imported = historyRecordsOf(`\uFEFF${text}\r\n`, 'recorded.csv');
    expect(parseSessionRecords(imported.records)).toEqual(recorded);
    expect(imported).toMatchObject({ skippedRows: 0, otherCodes: 0 });
  });

  it('normalises what the batch reader accepts: aliases, dates, case, spaces', () => {
    const { records } = historyRecordsOf(
      csv(
        'Subscriber ID, DOS ,HCPCS Code,NPI',
        ' mbr-x ,01/12/2026,62323,1234567893',
        'MBR-X,20260309, 64483 ,',
      ),
      'pm.csv',
    );
    expect(records.map((r) => [r.memberKey, r.dateOfService, r.procedureCode, r.providerNpi])).toEqual([
      ['MBR-X', '2026-01-12', '62323', '1234567893'],
      ['MBR-X', '2026-03-09', '64483', ''],
    ]);
  });

  it('files rows without batch_id under the file, with a line from their content', () => {
    const header = 'member_id,date_of_service,procedure_code,claim_id,claim_frequency';
    const rows = [
      'MBR-1,2026-01-12,62323,C1,1',
      'MBR-1,2026-02-12,62323,C2,1',
      'MBR-2,2026-01-12,62323,C1,1',
    ];
    const first = historyRecordsOf(csv(header, ...rows), 'exports/PM export 2025.csv').records;
    expect(first.map((r) => r.batchId)).toEqual(Array(3).fill('import-PM_export_2025'));
    expect(new Set(first.map((r) => r.line)).size).toBe(3);
    // Rows moved, others added, the claim frequency corrected: the same sessions keep their lines.
    const again = historyRecordsOf(
      csv(header, 'MBR-3,2026-03-01,62323,C9,1', ...rows.reverse()),
      'other.csv',
    ).records;
    const lineOf = (records: typeof first, member: string, date: string) =>
      records.find((r) => r.memberKey === member && r.dateOfService === date)!.line;
    for (const record of first)
      expect(lineOf(again, record.memberKey, record.dateOfService)).toBe(record.line);
  });

  it('keeps a given batch_id without a usable line, and gives the row a line of its own', () => {
    const { records } = historyRecordsOf(
      csv(
        'member_id,date_of_service,procedure_code,batch_id,line',
        'MBR-1,2026-01-12,62323,b1,',
        'MBR-1,2026-01-13,62323,b1,0',
      ),
      'h.csv',
    );
    expect(records.map((r) => r.batchId)).toEqual(['b1', 'b1']);
    expect(records.every((r) => r.line >= 1)).toBe(true);
  });

  it('skips and counts rows with a missing or invalid value, or one no store item can hold', () => {
    const imported = historyRecordsOf(
      csv(
        'member_id,date_of_service,procedure_code,batch_id,line',
        ',2026-01-12,62323,,',
        'MBR-1,2026-02-30,62323,,',
        'MBR-1,2026-01-12,6232,,',
        'MBR-1,2026-01-12,99213,,',
        `${'M'.repeat(513)},2026-01-12,62323,,`,
        'MBR-1,2026-01-12,62323,b#1,3',
        'MBR-1,2026-01-12,62323,b1,3',
      ),
      'h.csv',
    );
    expect(imported).toMatchObject({ skippedRows: 5, otherCodes: 1 });
    expect(imported.records).toHaveLength(1);
  });

  it('refuses a file without the three required columns', () => {
    expect(() => historyRecordsOf('claim_id,member_id\nC1,MBR-1\n', 'x.csv')).toThrow(
      'the history file needs columns member_id, date_of_service and procedure_code',
    );
  });
});

describe('importBatchIdOf', () => {
  it('is a valid batch id from any file name', () => {
    expect(importBatchIdOf('/tmp/prior.csv')).toBe('import-prior');
    expect(importBatchIdOf('C:\\exports\\Jahr #2025 (alle).CSV')).toBe('import-Jahr_2025_alle_');
    expect(importBatchIdOf('.csv')).toBe('import-history');
    expect(importBatchIdOf(`${'x'.repeat(300)}.csv`)).toHaveLength(128);
  });
});
