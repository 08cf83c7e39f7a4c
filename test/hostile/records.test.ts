/**
 * Trailing empty header cells and trailing empty fields are read, not rejected; a batch with no valid
 * record at all is refused as a whole (NO_VALID_RECORDS, exit 2) with every record in rejected.csv.
 */
import { describe, expect, it } from 'vitest';
import { accountingProblems, check, csv, describeRun, HEADER, readReport, row, scratch } from './support.js';

async function checkText(label: string, text: string | Uint8Array, expectedCode = 0) {
  const space = await scratch(label);
  const file = await space.file(`${label}.csv`, text);
  const out = space.out(label);
  const result = await check(file, out, [], { tmp: space.tmp });
  expect(result.code, describeRun(result)).toBe(expectedCode);
  expect(result.signal).toBeNull();
  return readReport(out);
}

const rows = (count: number) => Array.from({ length: count }, (_, index) => row(index));

describe('hostile: trailing cells and batches with no valid record', () => {
  it('a header with empty cells at its end, rows without them: every record checked', async () => {
    const report = await checkText('header-trailing', csv(rows(10), `${HEADER},,,`));
    expect(report.summary.status).toBe('complete');
    expect(report.summary.counts).toMatchObject({ lines: 10, checked: 10, rejected: 0 });
  });

  it('a header with empty cells at its end, rows filling them with empty fields: every record checked', async () => {
    const report = await checkText(
      'header-trailing-filled',
      csv(
        rows(10).map((line) => `${line},,,`),
        `${HEADER},,,`,
      ),
    );
    expect(report.summary.counts).toMatchObject({ lines: 10, checked: 10, rejected: 0 });
  });

  it('rows with a trailing comma (one empty field too many) are read as if it were not there', async () => {
    const report = await checkText(
      'row-trailing-comma',
      csv(rows(10).map((line, index) => (index % 2 === 0 ? `${line},` : `${line},,`))),
    );
    expect(report.summary.counts).toMatchObject({ lines: 10, checked: 10, rejected: 0 });
    expect(report.findings).toEqual([]);
  });

  it('CRLF files with trailing empty cells are read the same way', async () => {
    const text = csv(
      rows(10).map((line) => `${line},`),
      `${HEADER},`,
    ).replace(/\n/g, '\r\n');
    const report = await checkText('crlf-trailing', text);
    expect(report.summary.counts).toMatchObject({ lines: 10, checked: 10, rejected: 0 });
  });

  it('a non-empty extra field is still the wrong number of fields', async () => {
    const report = await checkText(
      'extra-value',
      csv(rows(10).map((line, index) => (index === 4 ? `${line},,surprise` : line))),
    );
    expect(report.summary.counts).toMatchObject({ lines: 10, checked: 9, rejected: 1 });
    expect(report.rejected.map((rejected) => rejected.line)).toEqual(['6']);
  });

  it('a batch whose every record is rejected is refused: NO_VALID_RECORDS, exit 2, every record in rejected.csv', async () => {
    const bad = rows(12).map((line, index) =>
      index % 2 === 0 ? `${line},x,y` : line.split(',').slice(0, 5).join(','),
    );
    const report = await checkText('no-valid-records', csv(bad), 2);
    expect(report.summary.status).toBe('rejected');
    expect(report.summary.error?.code).toBe('NO_VALID_RECORDS');
    expect(report.rejected.map((rejected) => rejected.line)).toEqual(
      bad.map((_, index) => String(index + 2)),
    );
    expect(report.findings).toEqual([]);
    expect(report.summary.counts.checked).toBe(0);
    expect(report.summary.counts.lines).toBe(report.summary.counts.checked + report.summary.counts.rejected);
  });

  it('stray quotes on every record: NO_VALID_RECORDS too', async () => {
    const bad = rows(5).map((line) => `"${line}`);
    const report = await checkText('no-valid-quotes', csv(bad), 2);
    expect(report.summary.error?.code).toBe('NO_VALID_RECORDS');
    expect(report.rejected).toHaveLength(5);
  });

  it('blank lines are not records, and a line of only commas is one', async () => {
    const text = `${HEADER}\n\n${row(1)}\n\r\n${',,,,,,,,,,,'}\n\n${row(2)}\n\n`;
    const report = await checkText('blank-lines', text);
    expect(report.summary.counts.lines).toBe(3);
    expect(accountingProblems(report)).toEqual([]);
  });
});
