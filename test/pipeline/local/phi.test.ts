/**
 * No claim data in what the pipeline says about a batch: bad inputs of every kind, full of planted PHI
 * (member ids, names in a column the reader does not know, dates of birth, all marked ZZPHI), go
 * through the local pipeline with its functions logging at DEBUG through the real Powertools logger;
 * the "report ready" notice, every log line (captured off stdout and stderr), summary.json, the
 * rejection reasons, the one-screen summary and the headings of report.html must hold none of it.
 * (findings.csv and rejected.csv's raw column are the claim data of the report; report.html lists
 * claim rows for the auditor, so it is searched in full only when the batch was refused whole.)
 */
import { gzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { summaryText } from '../../../functions/cli/summary-text.js';
import { parseSummary } from '../../../functions/local/summary.js';
import { pipelineStarter } from './pipelines.js';

const MARK = 'ZZPHI';
const COLUMNS =
  'claim_id,line_no,member_id,date_of_service,procedure_code,modifiers,dx_1,units,place_of_service,rendering_npi,charge,prior_auth';
const PHI_HEADER = `${COLUMNS},patient_name,patient_dob`;

/** A 62323 line with findings (bilateral modifier, no prior auth) and planted PHI. */
const phiRow = (index: number, claimId = `C${index}`) =>
  `${claimId},1,${MARK}-M-${1000 + index},2026-03-02,62323,50,M54.16,1,11,1234567893,1250.00,,${MARK} Jane Roe ${index},${MARK}-DOB-1961041${index % 10}`;
const phiRows = (count: number, from = 0) =>
  Array.from({ length: count }, (_, index) => phiRow(from + index));
const csv = (rows: readonly string[], header = PHI_HEADER) => `${header}\n${rows.join('\n')}\n`;

interface Case {
  readonly name: string;
  readonly key: string;
  readonly data: () => string | Uint8Array;
  /** Refused before any record is read. */
  readonly refusedWhole: boolean;
}

const CASES: Case[] = [
  {
    name: 'records of the wrong width',
    key: 'incoming/width.csv',
    data: () =>
      csv([...phiRows(5), `${phiRow(5)},${MARK}-extra`, phiRow(6).split(',').slice(0, 6).join(',')]),
    refusedWhole: false,
  },
  {
    name: 'a stray opening quote',
    key: 'incoming/quote.csv',
    data: () => csv([phiRow(0), phiRow(1, `"${MARK}-unterminated`), ...phiRows(5, 2)]),
    refusedWhole: false,
  },
  {
    name: 'bad bytes and a NUL in records',
    key: 'incoming/bytes.csv',
    data: () =>
      Buffer.concat([
        Buffer.from(csv(phiRows(5))),
        Buffer.from(`${phiRow(5, `${MARK}\u0000NUL`)}\n`),
        Buffer.from(`${phiRow(6)}`),
        Buffer.from([0xff, 0xfe, 0x0a]),
      ]),
    refusedWhole: false,
  },
  {
    name: 'a file without its header',
    key: 'incoming/no-header.csv',
    data: () => `${phiRows(5).join('\n')}\n`,
    refusedWhole: true,
  },
  {
    name: 'a first line of patient text',
    key: 'incoming/letter.csv',
    data: () =>
      `${MARK} Jane Roe,born ${MARK}-DOB-19610417,member ${MARK}-M-1001\n${phiRows(3).join('\n')}\n`,
    refusedWhole: true,
  },
  {
    name: 'a file that is not text',
    key: 'incoming/binary.csv',
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
    key: 'incoming/cut.csv.gz',
    data: () => {
      const packed = gzipSync(csv(phiRows(2000)));
      return packed.subarray(0, Math.floor(packed.length / 2));
    },
    refusedWhole: false,
  },
  {
    name: 'a gzip of one row repeated (packs far beyond 50:1)',
    key: 'incoming/bomb.csv.gz',
    // Not 62323, so that 2,000 copies of one line make no cross-line findings.
    data: () =>
      gzipSync(csv(Array.from({ length: 2_000 }, () => phiRow(1).replace(',62323,', ',99213,'))), {
        level: 9,
      }),
    refusedWhole: false,
  },
];

const start = pipelineStarter({ chunkLines: 50, logLevel: 'DEBUG' });

let captured: string[] = [];
beforeEach(() => {
  captured = [];
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      captured.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    });
  }
});
afterEach(() => {
  vi.restoreAllMocks();
});

const plantedIn = (text: string): string[] => {
  const hits: string[] = [];
  for (let at = text.indexOf(MARK); at >= 0; at = text.indexOf(MARK, at + MARK.length))
    hits.push(text.slice(Math.max(0, at - 60), at + 40));
  return hits;
};

const headings = (html: string): string =>
  [...html.matchAll(/<title[^>]*>[\s\S]*?<\/title>|<h[1-6][^>]*>[\s\S]*?<\/h[1-6]>/gi)]
    .map((match) => match[0])
    .join('\n');

describe('the local pipeline says nothing of the claims in a batch', () => {
  it.each(CASES)('$name: nothing planted in the notice, the logs or the summary', async (item) => {
    const pipeline = await start();
    const upload = await pipeline.uploadBatch(item.key, Buffer.from(item.data()), { asOf: '2026-11-28' });
    await pipeline.announce(upload);
    const batchId = await pipeline.awaitReport(upload, { timeoutMs: 60_000 });
    await pipeline.drain({ until: () => pipeline.noticeFor(upload) !== undefined, timeoutMs: 30_000 });
    const notice = pipeline.noticeFor(upload);
    const files = await pipeline.readReport(batchId);
    vi.restoreAllMocks(); // from here on the test may print

    expect(notice?.batchId).toBe(batchId);
    expect(plantedIn(JSON.stringify(notice)), 'the notice').toEqual([]);
    const logLines = captured
      .join('')
      .split('\n')
      .filter((line) => line.startsWith('{'));
    expect(logLines.length, 'DEBUG logs were captured').toBeGreaterThan(2);
    expect(plantedIn(captured.join('')), 'the logs').toEqual([]);

    const parsed = parseSummary(files['summary.json']);
    if (!parsed.ok) throw new Error(parsed.problem);
    const summary = parsed.value;
    if (item.refusedWhole) expect(summary.status).toBe('rejected');
    expect(plantedIn(files['summary.json']), 'summary.json').toEqual([]);
    expect(plantedIn(summaryText(summary, '/tmp/report')), 'the one-screen summary').toEqual([]);
    const rejected: Record<string, string>[] = parse(files['rejected.csv'], { columns: true, bom: true });
    const reasons = rejected.map((row) => row.reason ?? '').join('\n');
    expect(plantedIn(reasons), 'rejected.csv reasons').toEqual([]);
    expect(plantedIn(headings(files['report.html'])), 'report.html title and headings').toEqual([]);
    if (item.refusedWhole) expect(plantedIn(files['report.html']), 'report.html').toEqual([]);
  });
});
