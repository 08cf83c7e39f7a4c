/**
 * No claim data in any message. Every kind of bad input below carries planted PHI (member ids, a
 * patient name, a date of birth, all marked ZZPHI); none of it may come back in what the tool says:
 * stdout, stderr, summary.json, rejection reasons, or the headings of report.html.
 *
 * What is fair: findings.csv and rejected.csv *are* the claim data of the report (rejected.csv's raw
 * column holds the record as written), and report.html lists claim rows and rejected records for the
 * auditor. So report.html is searched in full only when the whole batch was refused before any
 * record was read; otherwise only its title and headings are.
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  check,
  csv,
  describeRun,
  HEADER,
  plantedIn,
  readReport,
  readSummary,
  row,
  scratch,
} from './support.js';

const MARK = 'ZZPHI';
const PHI_HEADER = `${HEADER},patient_name,patient_dob`;

/** A record full of planted PHI (member id, name, date of birth); optionally a 62323 with findings. */
const phiRow = (index: number, fields: Parameters<typeof row>[1] = {}) =>
  `${row(index, { member_id: `${MARK}-M-${1000 + index}`, modifiers: '50', prior_auth: '', ...fields })},${MARK} Jane Roe ${index},${MARK}-DOB-1961041${index % 10}`;

const phiRows = (count: number) => Array.from({ length: count }, (_, index) => phiRow(index));

interface Case {
  readonly name: string;
  readonly file: string;
  readonly data: () => string | Uint8Array;
  readonly args?: readonly string[];
  /** Refused before any record is read: report.html may hold no PHI anywhere. */
  readonly refusedWhole: boolean;
  readonly code?: string;
}

const headings = (html: string): string =>
  [...html.matchAll(/<title[^>]*>[\s\S]*?<\/title>|<h[1-6][^>]*>[\s\S]*?<\/h[1-6]>/gi)]
    .map((match) => match[0])
    .join('\n');

const CASES: Case[] = [
  {
    name: 'a file exported without its header',
    file: 'no-header.csv',
    data: () => `${phiRows(5).join('\n')}\n`,
    refusedWhole: true,
  },
  {
    name: 'a first line of patient text that matches no column',
    file: 'letter.csv',
    data: () =>
      `${MARK} Jane Roe,born ${MARK}-DOB-19610417,member ${MARK}-M-1001\n${phiRows(3).join('\n')}\n`,
    refusedWhole: true,
  },
  {
    name: 'a header that lacks a required column',
    file: 'missing-column.csv',
    data: () =>
      csv(
        phiRows(5).map((line) => line.split(',').slice(1).join(',')),
        PHI_HEADER.split(',').slice(1).join(','),
      ),
    refusedWhole: true,
  },
  {
    name: 'a semicolon-separated file',
    file: 'semicolons.csv',
    data: () =>
      csv(
        phiRows(5).map((line) => line.replaceAll(',', ';')),
        PHI_HEADER.replaceAll(',', ';'),
      ),
    refusedWhole: true,
  },
  {
    name: 'a file that is not text',
    file: 'binary.csv',
    data: () =>
      Buffer.concat([
        Buffer.from([0x00, 0x01, 0x02, 0xff, 0x00]),
        Buffer.from(`${MARK}-M-1001\u0000${MARK} Jane Roe\u0000`),
        Buffer.alloc(512, 0),
      ]),
    refusedWhole: true,
  },
  {
    name: 'a gzip cut short',
    file: 'cut.csv.gz',
    data: () => {
      const packed = gzipSync(csv(phiRows(2000), PHI_HEADER));
      return packed.subarray(0, Math.floor(packed.length / 2));
    },
    refusedWhole: false,
  },
  {
    name: 'a batch over --max-records',
    file: 'too-many.csv',
    data: () => csv(phiRows(20), PHI_HEADER),
    args: ['--max-records', '5'],
    refusedWhole: true,
    code: 'BATCH_TOO_LARGE',
  },
  {
    name: 'a gzip bomb',
    file: 'bomb.csv.gz',
    data: () =>
      gzipSync(
        csv(
          Array.from({ length: 20_000 }, () => phiRow(1, { procedure_code: '99213' })),
          PHI_HEADER,
        ),
        { level: 9 },
      ),
    refusedWhole: true,
    code: 'BATCH_TOO_LARGE',
  },
  {
    name: 'a batch with no valid record (every record the wrong width)',
    file: 'all-bad.csv',
    data: () =>
      csv(
        phiRows(10).map((line) => `${line},${MARK}-extra`),
        PHI_HEADER,
      ),
    refusedWhole: false,
    code: 'NO_VALID_RECORDS',
  },
  {
    name: 'a batch whose bad records are all of different kinds',
    file: 'mixed.csv',
    data: () =>
      Buffer.concat([
        Buffer.from(`${PHI_HEADER}\n${phiRows(20).join('\n')}\n`),
        Buffer.from(`${phiRow(21)},${MARK}-too-many-fields\n`),
        Buffer.from(`${phiRow(22, { claim_id: `"${MARK}-unterminated` })}\n`),
        Buffer.from(`${phiRow(23, { claim_id: `${MARK}\u0000NUL` })}\n`),
        Buffer.from(phiRow(24)),
        Buffer.from([0xff, 0xfe, 0x0a]),
        Buffer.from(`${phiRow(25, { prior_auth: `${MARK}`.repeat(1000) })},x\n`),
        Buffer.from(`${phiRows(5).join('\n')}\n`),
      ]),
    refusedWhole: false,
  },
];

describe('hostile: no claim data in messages', () => {
  it.each(CASES)('$name: nothing planted comes back in a message', async (item) => {
    const space = await scratch('phi');
    const file = await space.file(item.file, item.data());
    const out = space.out('report');
    const result = await check(file, out, item.args ?? [], { tmp: space.tmp });
    expect(result.signal, describeRun(result)).toBeNull();
    expect([0, 2], describeRun(result)).toContain(result.code);
    expect(plantedIn(result.stdout, MARK), 'stdout').toEqual([]);
    expect(plantedIn(result.stderr, MARK), 'stderr').toEqual([]);
    const summary = await readSummary(out);
    if (item.code !== undefined) expect(summary.error?.code).toBe(item.code);
    if (item.refusedWhole) expect(summary.status).toBe('rejected');
    const report = await readReport(out);
    expect(plantedIn(report.summaryText, MARK), 'summary.json').toEqual([]);
    const reasons = report.rejected.map((rejected) => rejected.reason ?? '').join('\n');
    expect(plantedIn(reasons, MARK), 'rejected.csv reasons').toEqual([]);
    expect(plantedIn(headings(report.html), MARK), 'report.html title and headings').toEqual([]);
    if (item.refusedWhole) expect(plantedIn(report.html, MARK), 'report.html of a refused batch').toEqual([]);
  });

  it('a file exported without its header: says the first line does not look like a header and names the expected columns', async () => {
    const space = await scratch('phi-no-header');
    const file = await space.file('no-header.csv', `${phiRows(5).join('\n')}\n`);
    const out = space.out('report');
    const result = await check(file, out, [], { tmp: space.tmp });
    expect(result.code, describeRun(result)).toBe(2);
    const summary = await readSummary(out);
    expect(summary.status).toBe('rejected');
    const message = summary.error?.message ?? '';
    expect(message).toMatch(/(does not|doesn't) look like a header|not a header/i);
    for (const column of ['claim_id', 'member_id', 'date_of_service', 'procedure_code', 'units', 'charge'])
      expect(message, `names ${column}`).toContain(column);
    expect(plantedIn(message, MARK)).toEqual([]);
    expect(message).not.toContain('1234567893');
    expect(message).not.toContain('2026-03-02');
  });

  it('the one-screen summary of a complete batch with findings names no member', async () => {
    const space = await scratch('phi-complete');
    const file = await space.file('complete.csv', csv(phiRows(50), PHI_HEADER));
    const out = space.out('report');
    const result = await check(file, out, [], { tmp: space.tmp });
    expect(result.code, describeRun(result)).toBe(0);
    expect(plantedIn(result.stdout + result.stderr, MARK)).toEqual([]);
    const report = await readReport(out);
    expect(report.summary.status).toBe('complete');
    expect(report.findings.length).toBeGreaterThan(0);
    expect(plantedIn(report.summaryText, MARK), 'summary.json').toEqual([]);
    expect(plantedIn(headings(report.html), MARK), 'report.html title and headings').toEqual([]);
  });
});
