/**
 * Broken quoting must not swallow good claims: a record that spans lines and does not parse is
 * re-read one physical line at a time, so only the line with the stray quote is rejected.
 */
import { describe, expect, it } from 'vitest';
import {
  accountingProblems,
  check,
  csv,
  describeRun,
  type Report,
  readReport,
  row,
  scratch,
} from './support.js';

/** Record `index` (0-based) starts on physical line index + 2 when no record spans lines. */
const lineOf = (index: number) => index + 2;
/** Every row lacks a prior authorization, so every checked 62323 line has a PRIOR_AUTH_MISSING finding. */
const noAuth = (index: number, fields: Parameters<typeof row>[1] = {}) =>
  row(index, { prior_auth: '', ...fields });

const linesWith = (report: Report, ruleId: string): number[] =>
  report.findings.filter((finding) => finding.rule_id === ruleId).map((finding) => Number(finding.line));

const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from + 1 }, (_, offset) => from + offset);

async function checkText(label: string, text: string): Promise<Report> {
  const space = await scratch(label);
  const file = await space.file(`${label}.csv`, text);
  const out = space.out(label);
  const result = await check(file, out, [], { tmp: space.tmp });
  expect(result.code, describeRun(result)).toBe(0);
  const report = await readReport(out);
  expect(accountingProblems(report)).toEqual([]);
  return report;
}

describe('hostile: broken quoting', () => {
  it('500 records, a stray opening quote on line 3 and a quoted charge on line 402: 499 checked, line 3 alone rejected', async () => {
    const rows = Array.from({ length: 500 }, (_, index) => {
      if (lineOf(index) === 3) return noAuth(index, { claim_id: '"C1' });
      if (lineOf(index) === 402) return noAuth(index, { charge: '"1,250.00"' });
      return noAuth(index);
    });
    const report = await checkText('stray-quote', csv(rows));
    expect(report.summary.status).toBe('complete');
    expect(report.summary.counts).toMatchObject({ lines: 500, checked: 499, rejected: 1 });
    expect(report.rejected.map((rejected) => [rejected.line, rejected.end_line])).toEqual([['3', '3']]);
    expect(report.rejected[0]!.reason).toMatch(/quote/i);
    expect(report.rejected[0]!.reason).toMatch(/unterminated|misplaced/i);
    expect(report.rejected[0]!.raw).toBe(rows[1]);
    expect(linesWith(report, 'PRIOR_AUTH_MISSING')).toEqual(range(2, 501).filter((line) => line !== 3));
    const quotedCharge = report.findings.find((finding) => finding.line === '402');
    expect(quotedCharge?.charge, 'the quoted charge on line 402 is read as an amount').toBe('1250.00');
  });

  it('the same batch with CRLF line ends gives the same outcome', async () => {
    const rows = Array.from({ length: 500 }, (_, index) => {
      if (lineOf(index) === 3) return noAuth(index, { claim_id: '"C1' });
      if (lineOf(index) === 402) return noAuth(index, { charge: '"1,250.00"' });
      return noAuth(index);
    });
    const report = await checkText('stray-quote-crlf', csv(rows).replace(/\n/g, '\r\n'));
    expect(report.summary.counts).toMatchObject({ lines: 500, checked: 499, rejected: 1 });
    expect(report.rejected.map((rejected) => rejected.line)).toEqual(['3']);
    expect(linesWith(report, 'PRIOR_AUTH_MISSING')).toHaveLength(499);
  });

  it('a stray quote with no other quote after it (to the end of the file) rejects only its own line', async () => {
    const rows = Array.from({ length: 2000 }, (_, index) =>
      lineOf(index) === 3 ? noAuth(index, { member_id: '"M1' }) : noAuth(index),
    );
    const report = await checkText('stray-quote-eof', csv(rows));
    expect(report.summary.counts).toMatchObject({ lines: 2000, checked: 1999, rejected: 1 });
    expect(report.rejected.map((rejected) => [rejected.line, rejected.end_line])).toEqual([['3', '3']]);
    expect(linesWith(report, 'PRIOR_AUTH_MISSING')).toEqual(range(2, 2001).filter((line) => line !== 3));
  });

  it('two stray quotes (lines 3 and 100) amid well-formed quoted fields (lines 50, 402): exactly those two lines rejected', async () => {
    const rows = Array.from({ length: 500 }, (_, index) => {
      const line = lineOf(index);
      if (line === 3) return noAuth(index, { claim_id: '"C1' });
      if (line === 100) return noAuth(index, { dx_1: '"M54.16' });
      if (line === 50) return noAuth(index, { charge: '"$1,250.00"' });
      if (line === 402) return noAuth(index, { claim_id: `"C${index}"` });
      return noAuth(index);
    });
    const report = await checkText('two-stray-quotes', csv(rows));
    expect(report.summary.counts).toMatchObject({ lines: 500, checked: 498, rejected: 2 });
    expect(report.rejected.map((rejected) => [rejected.line, rejected.end_line])).toEqual([
      ['3', '3'],
      ['100', '100'],
    ]);
    for (const rejected of report.rejected) expect(rejected.reason).toMatch(/unterminated|misplaced/i);
    expect(linesWith(report, 'PRIOR_AUTH_MISSING')).toEqual(
      range(2, 501).filter((line) => line !== 3 && line !== 100),
    );
  });

  it('a stray quote in the last record rejects that record only', async () => {
    const rows = Array.from({ length: 100 }, (_, index) =>
      index === 99 ? noAuth(index, { member_id: '"M99' }) : noAuth(index),
    );
    const report = await checkText('stray-quote-last', csv(rows));
    expect(report.summary.counts).toMatchObject({ lines: 100, checked: 99, rejected: 1 });
    expect(report.rejected.map((rejected) => rejected.line)).toEqual(['101']);
  });

  it('a quote inside an unquoted field affects that line at most', async () => {
    const rows = Array.from({ length: 300 }, (_, index) =>
      lineOf(index) === 10 ? noAuth(index, { claim_id: 'C"8' }) : noAuth(index),
    );
    const report = await checkText('inner-quote', csv(rows));
    expect(report.summary.counts.lines).toBe(300);
    expect(report.summary.counts.checked).toBeGreaterThanOrEqual(299);
    expect(report.rejected.every((rejected) => rejected.line === '10' && rejected.end_line === '10')).toBe(
      true,
    );
    expect(linesWith(report, 'PRIOR_AUTH_MISSING').filter((line) => line !== 10)).toEqual(
      range(2, 301).filter((line) => line !== 10),
    );
  });

  it('a well-formed quoted field holding a line break is one record, and later line numbers count physical lines', async () => {
    const rows = Array.from({ length: 50 }, (_, index) =>
      index === 1
        ? row(index, { modifiers: '50', prior_auth: '"PA 1\nsecond line, with a comma"' })
        : noAuth(index),
    );
    const report = await checkText('multi-line-ok', csv(rows));
    expect(report.summary.counts).toMatchObject({ lines: 50, checked: 50, rejected: 0 });
    expect(linesWith(report, 'BILATERAL_MODIFIER')).toEqual([3]);
    // Record 0 on line 2, record 1 on lines 3–4, record k ≥ 2 on line k + 3.
    expect(linesWith(report, 'PRIOR_AUTH_MISSING')).toEqual([2, ...range(5, 52)]);
  });

  it('an over-long record is rejected alone, its raw text cut at 2,000 characters with an ellipsis', async () => {
    const long = noAuth(5, { prior_auth: 'X'.repeat(5000) }) + ',extra';
    const rows = Array.from({ length: 20 }, (_, index) => (index === 5 ? long : noAuth(index)));
    const report = await checkText('over-long', csv(rows));
    expect(report.summary.counts).toMatchObject({ lines: 20, checked: 19, rejected: 1 });
    const raw = report.rejected[0]?.raw ?? '';
    expect(report.rejected[0]!.line).toBe('7');
    expect(raw.endsWith('…')).toBe(true);
    expect(raw.length).toBeGreaterThanOrEqual(1990);
    expect(raw.length).toBeLessThanOrEqual(2001);
    expect(long.startsWith(raw.slice(0, -1))).toBe(true);
  });

  it('a record with the wrong number of fields is rejected alone and reading goes on', async () => {
    const rows = Array.from({ length: 30 }, (_, index) =>
      index === 3 ? noAuth(index).split(',').slice(0, 7).join(',') : noAuth(index),
    );
    const report = await checkText('short-record', csv(rows));
    expect(report.summary.counts).toMatchObject({ lines: 30, checked: 29, rejected: 1 });
    expect(report.rejected.map((rejected) => rejected.line)).toEqual(['5']);
  });
});
