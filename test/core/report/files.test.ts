/** The report folder as one list: every writer (check's folder, the pipeline's S3 prefix) takes it whole. */
import { describe, expect, it } from 'vitest';
import { assembleReport, fileText, type TextReportFile } from '../../../functions/core/report/files.js';
import type { SummaryContext } from '../../../functions/core/report/summary.js';
import { BUILT_IN_BOOKS } from '../../../functions/core/rules/books.js';
import { batch } from '../../support/batch.js';
import { FIXED_NOW, scrub } from '../../support/run.js';

const CONTEXT: SummaryContext = {
  batchId: 'b1',
  asOf: '2026-11-28',
  source: { name: 'b1.csv', bytes: 10, sha256: '0'.repeat(64), encoding: 'utf-8' },
  unknownColumns: [],
  generatedAt: FIXED_NOW,
  packs: BUILT_IN_BOOKS.packs,
  defaultPack: 0,
};

describe('the report folder', () => {
  it('lists the five files with the content types the pipeline sets on S3, summary.json last', async () => {
    const run = await scrub(batch([{}, { prior_auth: '' }]));
    expect(run.result.report.map((file) => [file.name, file.contentType])).toEqual([
      ['findings.csv', 'text/csv; charset=utf-8'],
      ['findings.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
      ['rejected.csv', 'text/csv; charset=utf-8'],
      ['report.html', 'text/html; charset=utf-8'],
      ['summary.json', 'application/json'],
    ]);
    for (const file of run.result.report)
      if (file.kind === 'text') expect(fileText(file), file.name).toBe(run.result.files[file.name]);
  });

  it('streams findings.csv in pieces of 2,000 rows after the header', async () => {
    const lines = Array.from({ length: 4500 }, (_, index) => ({ claim_id: `C${index}`, prior_auth: '' }));
    const run = await scrub(batch(lines));
    const findings = run.result.report.find((file) => file.name === 'findings.csv') as TextReportFile;
    const rows = [...findings.pieces()].map((piece) => piece.split('\n').length - 1);
    expect(rows).toEqual([1, 2000, 2000, 500]);
  });

  it('of a rejected batch: headers only, and the rejection in summary.json and report.html', () => {
    const report = assembleReport(CONTEXT, {
      rejection: { code: 'NOT_CSV', message: 'The file is not CSV.' },
    });
    expect(report.summary).toMatchObject({ status: 'rejected', error: { code: 'NOT_CSV' } });
    const text = Object.fromEntries(
      report.files.flatMap((file) => (file.kind === 'text' ? [[file.name, fileText(file)]] : [])),
    );
    expect(text['findings.csv']).toBe(
      'line,claim_id,line_no,member_id,date_of_service,procedure_code,rule_id,severity,message,related_lines,charge,' +
        'provider_npi,payer,rule_pack,fix,source\n',
    );
    expect(text['rejected.csv']).toBe('line,end_line,reason,raw\n');
    expect(JSON.parse(text['summary.json']!)).toMatchObject({ status: 'rejected', batchId: 'b1' });
    expect(text['report.html']).toContain('Rejected: nothing in this batch was checked');
    expect(text['report.html']).toContain('Why: The file is not CSV.');
    expect(report.files.at(-1)!.name).toBe('summary.json');
  });
});
