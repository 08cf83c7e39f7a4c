/**
 * Encodings that spreadsheets and Windows tools write (UTF-16 with a byte-order mark, Windows-1252)
 * are read, streamed and named in summary.json `source.encoding`, by `check` and the pipeline alike.
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  accountingProblems,
  check,
  csv,
  describeRun,
  pipeline,
  readReport,
  row,
  scratch,
  spillLeftovers,
} from './support.js';

/** Rows with non-ASCII text in the claim id (echoed in findings.csv) and in the prior auth. */
function rows(count: number, extra = ''): string[] {
  return Array.from({ length: count }, (_, index) =>
    row(index, {
      claim_id: `CÉ${index}`,
      modifiers: index % 3 === 0 ? '50' : '',
      prior_auth: `PA“${index}”€${extra}`,
    }),
  );
}

const utf16le = (text: string): Buffer => Buffer.from(`\ufeff${text}`, 'utf16le');
const utf16be = (text: string): Buffer => utf16le(text).swap16();

const CP1252: Record<string, number> = { '€': 0x80, '“': 0x93, '”': 0x94, É: 0xc9, é: 0xe9 };
function windows1252(text: string): Buffer {
  const bytes = [...text].map((char) => {
    const code = char.charCodeAt(0);
    if (code < 0x80) return code;
    const mapped = CP1252[char];
    if (mapped === undefined) throw new Error(`no Windows-1252 byte for ${char}`);
    return mapped;
  });
  return Buffer.from(bytes);
}

/** Checks (or pipelines) `data` and returns the report, asserting it ran to completion. */
async function run(
  command: typeof check,
  label: string,
  name: string,
  data: string | Uint8Array,
  timeoutMs = 25_000,
): Promise<Awaited<ReturnType<typeof readReport>>> {
  const space = await scratch(label);
  const file = await space.file(name, data);
  const out = space.out(label);
  const result = await command(file, out, [], { tmp: space.tmp, timeoutMs });
  expect(result.code, describeRun(result)).toBe(0);
  expect(await spillLeftovers(space.tmp), 'spill folder removed').toEqual([]);
  const report = await readReport(out);
  expect(accountingProblems(report)).toEqual([]);
  return report;
}

describe('hostile: encodings', () => {
  const text = csv(rows(300, '😀'));

  it('names plain UTF-8 (with and without a byte-order mark) utf-8', async () => {
    const plain = await run(check, 'enc-utf8', 'utf8.csv', text);
    expect.soft(plain.summary.source.encoding).toBe('utf-8');
    const bom = await run(check, 'enc-utf8-bom', 'utf8bom.csv', `\ufeff${text}`);
    expect.soft(bom.summary.source.encoding).toBe('utf-8');
    expect(bom.findingsText).toBe(plain.findingsText);
    expect(plain.findings.find((finding) => finding.line === '2')?.claim_id).toBe('CÉ0');
  });

  it.each([
    ['utf-16le', utf16le],
    ['utf-16be', utf16be],
  ])('reads %s with a byte-order mark as the same batch as its UTF-8 text', async (encoding, encode) => {
    const reference = await run(check, `enc-ref-${encoding}`, 'ref.csv', text);
    const report = await run(check, `enc-${encoding}`, `${encoding}.csv`, encode(text));
    expect.soft(report.summary.source.encoding).toBe(encoding);
    expect(report.summary.status).toBe('complete');
    expect(report.summary.counts).toEqual(reference.summary.counts);
    expect(report.findingsText).toBe(reference.findingsText);
    expect(report.rejected).toEqual([]);
  });

  it('reads gzipped UTF-16LE too', async () => {
    const reference = await run(check, 'enc-ref-gz', 'ref.csv', text);
    const report = await run(check, 'enc-utf16-gz', 'utf16.csv.gz', gzipSync(utf16le(text)));
    expect.soft(report.summary.source.encoding).toBe('utf-16le');
    expect(report.findingsText).toBe(reference.findingsText);
  });

  it('reads an "ANSI" CSV (Windows-1252) as Windows-1252, not as rejected UTF-8', async () => {
    const ansi = csv(rows(300));
    const reference = await run(check, 'enc-ref-1252', 'ref.csv', ansi);
    const report = await run(check, 'enc-1252', 'ansi.csv', windows1252(ansi));
    expect.soft(report.summary.source.encoding).toBe('windows-1252');
    expect(report.summary.counts).toEqual(reference.summary.counts);
    expect(report.rejected).toEqual([]);
    expect(report.findingsText).toBe(reference.findingsText);
    expect(report.findings.find((finding) => finding.line === '5')?.claim_id).toBe('CÉ3');
  });

  it('streams a big UTF-16LE batch (over 4 MB, characters cut across reads) to the same report as UTF-8', async () => {
    const big = csv(rows(40_000, '😀é'));
    const reference = await run(check, 'enc-ref-big', 'ref.csv', big, 55_000);
    const encoded = utf16le(big);
    expect(encoded.length).toBeGreaterThan(4 * 1024 * 1024);
    const report = await run(check, 'enc-big16', 'big16.csv', encoded, 55_000);
    expect.soft(report.summary.source.encoding).toBe('utf-16le');
    expect(report.summary.counts).toEqual(reference.summary.counts);
    expect(report.findingsText).toBe(reference.findingsText);
  }, 120_000);

  it('a file that starts as valid UTF-8 stays UTF-8: a bad byte after the first 64 KiB rejects only its record', async () => {
    const plain = rows(3000).map((line) => line.replace(/[“”€É]/g, ''));
    const bad = 2500;
    const head = Buffer.from(csv(plain.slice(0, bad)), 'utf8');
    expect(head.length).toBeGreaterThan(64 * 1024);
    const line = plain[bad]!;
    const cut = line.indexOf('PA') + 1;
    const broken = Buffer.concat([
      head,
      Buffer.from(line.slice(0, cut), 'utf8'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from(`${line.slice(cut)}\n${plain.slice(bad + 1).join('\n')}\n`, 'utf8'),
    ]);
    const report = await run(check, 'enc-late-bad-byte', 'late.csv', broken);
    expect.soft(report.summary.source.encoding).toBe('utf-8');
    expect(report.summary.counts).toMatchObject({ lines: 3000, checked: 2999, rejected: 1 });
    expect(report.rejected.map((rejected) => rejected.line)).toEqual([String(bad + 2)]);
  });

  describe('in the pipeline', () => {
    it.each([
      ['utf-16le', utf16le],
      ['utf-16be', utf16be],
      ['windows-1252', windows1252],
    ])('names %s in source.encoding and reports as check does', async (encoding, encode) => {
      const body = encoding === 'windows-1252' ? csv(rows(200)) : text;
      const fromCheck = await run(check, `enc-check-${encoding}`, `${encoding}.csv`, encode(body));
      const fromPipeline = await run(pipeline, `enc-pipe-${encoding}`, `${encoding}.csv`, encode(body));
      expect.soft(fromPipeline.summary.source.encoding).toBe(encoding);
      expect(fromPipeline.summary.counts).toEqual(fromCheck.summary.counts);
      expect(fromPipeline.findingsText).toBe(fromCheck.findingsText);
    });
  });
});
