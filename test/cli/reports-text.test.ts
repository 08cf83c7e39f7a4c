/** The tables and JSON of `scrub62323 reports list` and `reports status`: pure formatting, no AWS. */
import { describe, expect, it } from 'vitest';
import {
  alignedTable,
  type BatchRow,
  batchJson,
  batchTable,
  uploadJson,
  uploadTable,
  waitingRow,
} from '../../functions/cli/reports-text.js';

const complete: BatchRow = {
  batchId: '2026-11-28-nightly-batch-3f9c2a1b7e',
  status: 'complete',
  asOf: '2026-11-28',
  lines: 1_234_567,
  errors: 90,
  warnings: 3,
  claimsWithErrors: 40,
  dollarsAtRisk: 44_687.5,
  generatedAt: '2026-11-28T06:00:00.000Z',
};
const rejected: BatchRow = {
  batchId: '2026-11-29-x-0000000001',
  status: 'rejected',
  asOf: '2026-11-29',
  lines: 0,
  errors: 0,
  warnings: 0,
  claimsWithErrors: 0,
  dollarsAtRisk: 0,
  generatedAt: '2026-11-29T06:00:00.000Z',
};

describe('reports list table', () => {
  it('aligns the columns, numbers to the right, with thousands separators and dollars to the cent', () => {
    expect(batchTable([complete, rejected, waitingRow('2026-11-30-late-00000000ff')])).toBe(
      [
        'BATCH                                STATUS    AS OF           LINES  ERRORS  DOLLARS AT RISK',
        '2026-11-28-nightly-batch-3f9c2a1b7e  complete  2026-11-28  1,234,567      90       $44,687.50',
        '2026-11-29-x-0000000001              rejected  2026-11-29          0       0            $0.00',
        '2026-11-30-late-00000000ff           waiting   -                   -       -                -',
        '',
      ].join('\n'),
    );
  });

  it('prints only the header for no rows', () => {
    expect(batchTable([])).toBe('BATCH  STATUS  AS OF  LINES  ERRORS  DOLLARS AT RISK\n');
  });

  it('never passes a control character (a terminal escape) through', () => {
    const table = alignedTable([{ title: 'FILE' }], [['a\u001b[2Jb\u0007']]);
    expect(table).toBe('FILE\na?[2Jb?\n');
  });

  it('gives JSON with the figures as numbers, and none for a batch that waits', () => {
    expect(JSON.parse(batchJson([complete, waitingRow('2026-11-30-late-00000000ff')]))).toEqual([
      complete,
      { batchId: '2026-11-30-late-00000000ff', status: 'waiting' },
    ]);
  });
});

describe('reports status table', () => {
  const rows = [
    { key: 'incoming/nightly-batch.csv', uploadedAt: new Date('2026-11-28T05:59:30Z'), batch: complete },
    {
      key: 'incoming/late.csv',
      uploadedAt: new Date('2026-11-30T23:01:00Z'),
      batch: waitingRow('2026-11-30-late-00000000ff'),
    },
  ];

  it('leads with the upload time (UTC, to the minute) and the file name under incoming/', () => {
    expect(uploadTable(rows, 'incoming/')).toBe(
      [
        'UPLOADED (UTC)     FILE               BATCH                                STATUS    AS OF           LINES  ERRORS  DOLLARS AT RISK',
        '2026-11-28 05:59Z  nightly-batch.csv  2026-11-28-nightly-batch-3f9c2a1b7e  complete  2026-11-28  1,234,567      90       $44,687.50',
        '2026-11-30 23:01Z  late.csv           2026-11-30-late-00000000ff           waiting   -                   -       -                -',
        '',
      ].join('\n'),
    );
  });

  it('gives JSON with the key, the upload time and the batch row', () => {
    expect(JSON.parse(uploadJson(rows))[1]).toEqual({
      key: 'incoming/late.csv',
      uploadedAt: '2026-11-30T23:01:00.000Z',
      batchId: '2026-11-30-late-00000000ff',
      status: 'waiting',
    });
  });
});
