/**
 * The bad-input battery (formats.md, "Input" and "rejected.csv"): every case has an asserted outcome —
 * batch status and error code, or rejected records with line, end_line and reason — and every physical
 * line of the input is accounted for.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readBatch } from '../../../functions/core/intake/reader.js';
import { batch, headerOf, type LineInput, lineOf, lineSpecs, recordOf } from '../../support/batch.js';
import { expectEveryLineAccounted, intake } from '../../support/intake.js';
import { NPI_B } from '../../support/npi.js';
import { seeded } from '../../support/random.js';
import {
  expectFinding,
  expectRuleLines,
  type Run,
  type RunOptions,
  rowsOf,
  rulesOn,
  scrub,
  source,
} from '../../support/run.js';

/** Scrubs, and checks that every physical line is in a checked record, a rejected record, or blank. */
async function scrubAccounted(data: string | Uint8Array, options: RunOptions = {}): Promise<Run> {
  const run = await scrub(data, options);
  if (run.summary.status === 'complete') {
    const read = await intake(data, {
      ...(options.maxRecordBytes === undefined ? {} : { maxRecordBytes: options.maxRecordBytes }),
    });
    expectEveryLineAccounted(data, read);
    expect(run.summary.counts.checked, 'checked = records that parsed').toBe(read.records.length);
    expect(
      run.rejected.map((row) => [row.line, row.end_line]),
      'rejected.csv = records that did not parse',
    ).toEqual(read.rejected.map((record) => [record.line, record.endLine]));
  }
  return run;
}

/** Record texts of clean lines (for hand-made files). */
const records = (lines: readonly LineInput[]): string[] => lineSpecs(lines).map((line) => recordOf(line));
const WIDTH = headerOf().split(',').length;
/** A line that shows up in findings.csv (PRIOR_AUTH_MISSING), so its line number can be checked. */
const VISIBLE: LineInput = { prior_auth: '' };

const expectRejectedBatch = (run: Run, code: string) => {
  expect(run.summary.status).toBe('rejected');
  expect(run.summary.error?.code).toBe(code);
  expect(run.summary.error?.message.length).toBeGreaterThan(10);
  expect(run.rows).toEqual([]);
  expect(run.rejected).toEqual([]);
  expect(run.result.files['report.html']).toContain('rejected');
};

describe('encoding and line ends', () => {
  const lines: LineInput[] = [
    VISIBLE,
    { procedure_code: '77003', member_id: 'MBR001' },
    { ...VISIBLE, charge: '$1,250.00' },
  ];
  const plain = batch(lines);

  it('reads a file with a UTF-8 byte-order mark like one without', async () => {
    const run = await scrubAccounted(batch(lines, { bom: true }));
    const reference = await scrub(plain);
    expect(run.result.files['findings.csv']).toBe(reference.result.files['findings.csv']);
    expect(run.summary.unknownColumns).toEqual([]);
  });

  it('reads CRLF line ends like LF', async () => {
    const run = await scrubAccounted(batch(lines, { eol: '\r\n' }));
    const reference = await scrub(plain);
    expect(run.result.files['findings.csv']).toBe(reference.result.files['findings.csv']);
    expectFinding(run, 'IMAGING_BUNDLED', lineOf(1), [lineOf(0)]);
  });

  it('reads BOM + CRLF + no final line end', async () => {
    const run = await scrubAccounted(batch(lines, { bom: true, eol: '\r\n', trailingNewline: false }));
    expect(run.result.files['findings.csv']).toBe((await scrub(plain)).result.files['findings.csv']);
  });

  it('keeps valid multi-byte UTF-8 (accents, CJK, emoji) intact, even split across upload pieces', async () => {
    const text = batch([{ ...VISIBLE, claim_id: 'CLÉ-診療-😀' }]);
    for (const pieceBytes of [1, 2, 3, 5]) {
      const run = await scrubAccounted(text, { pieceBytes });
      expect(run.rejected).toEqual([]);
      expect(run.rows[0]!.claim_id).toBe('CLÉ-診療-😀');
    }
  });
});

describe('quoting', () => {
  it('handles embedded commas, doubled quotes and embedded newlines, and numbers the following records right', async () => {
    const [a, b, c, d] = records([
      { ...VISIBLE, payer: 'Plan, East', claim_id: 'Q-1' },
      { ...VISIBLE, payer: 'Line one\nline two\r\nline three', claim_id: 'Q-"2"' },
      VISIBLE,
      { ...VISIBLE, payer: 'say "hi"' },
    ]);
    const text = `${[headerOf(), a, b, c, d].join('\n')}\n`;
    const run = await scrubAccounted(text);
    // a: line 2; b: lines 3–5; c: line 6; d: line 7.
    expectRuleLines(run, 'PRIOR_AUTH_MISSING', [2, 3, 6, 7]);
    expect(rowsOf(run, 'PRIOR_AUTH_MISSING')[1]!.claim_id).toBe('Q-"2"');
    expect(run.summary.counts).toMatchObject({ lines: 4, checked: 4, rejected: 0 });
  });
});

describe('records that cannot be parsed', () => {
  it('rejects a record with too few fields and one with too many; parsing resumes', async () => {
    const [a, b, c] = records([VISIBLE, VISIBLE, VISIBLE]);
    const text = `${[headerOf(), a, 'x,y,z', `${b},extra`, c].join('\n')}\n`;
    const run = await scrubAccounted(text);
    expect(run.rejected.map(({ line, end_line, reason }) => ({ line, end_line, reason }))).toEqual([
      { line: 3, end_line: 3, reason: `expected ${WIDTH} fields, found 3` },
      { line: 4, end_line: 4, reason: `expected ${WIDTH} fields, found ${WIDTH + 1}` },
    ]);
    expect(run.rejected[0]!.raw).toBe('x,y,z');
    expectRuleLines(run, 'PRIOR_AUTH_MISSING', [2, 5]);
    expect(run.summary.counts).toMatchObject({ lines: 4, checked: 2, rejected: 2 });
  });

  it('rejects an unterminated quote in the middle of the file and checks the lines after it', async () => {
    const [a, b, c] = records([VISIBLE, VISIBLE, VISIBLE]);
    const broken = b!.replace('Synthetic Health Plan', '"Synthetic Health Plan');
    const text = `${[headerOf(), a, broken, c, a!.replace('CLM001', 'CLM009')].join('\n')}\n`;
    const run = await scrubAccounted(text);
    expect(run.rejected).toHaveLength(1);
    expect(run.rejected[0]).toMatchObject({ line: 3, end_line: 3 });
    expect(run.rejected[0]!.reason).toMatch(/unterminated quote/);
    expectRuleLines(run, 'PRIOR_AUTH_MISSING', [2, 4, 5]);
  });

  it('rejects an unterminated quote at the end of the file', async () => {
    const [a] = records([VISIBLE]);
    const text = `${[headerOf(), a, 'CLM9,1,"MBR9,open'].join('\n')}\n`;
    const run = await scrubAccounted(text);
    expect(run.rejected.map(({ line, end_line }) => [line, end_line])).toEqual([[3, 3]]);
    expect(run.rejected[0]!.reason).toMatch(/unterminated quote/);
    expect(run.rejected[0]!.raw).toBe('CLM9,1,"MBR9,open');
    expectRuleLines(run, 'PRIOR_AUTH_MISSING', [2]);
  });

  it('accounts for every line when an unterminated quote is followed by quoted fields', async () => {
    // Where the broken record ends is a matter of interpretation; every line must still be accounted for.
    const [a, b, c, d] = records([VISIBLE, VISIBLE, { ...VISIBLE, payer: 'Plan, West' }, VISIBLE]);
    const broken = b!.replace('Synthetic Health Plan', '"Synthetic Health Plan');
    const run = await scrubAccounted(`${[headerOf(), a, broken, c, d].join('\n')}\n`);
    expect(run.rejected[0]!.line).toBe(3);
    expect(run.summary.counts.lines).toBeGreaterThanOrEqual(2);
  });

  it('rejects a record longer than maxRecordBytes; the others are checked', async () => {
    const [a, b, c] = records([VISIBLE, { ...VISIBLE, payer: 'P'.repeat(400) }, VISIBLE]);
    const run = await scrubAccounted(`${[headerOf(), a, b, c].join('\n')}\n`, { maxRecordBytes: 300 });
    expect(run.rejected.map(({ line, end_line }) => [line, end_line])).toEqual([[3, 3]]);
    expect(run.rejected[0]!.reason).toMatch(/longer than 300 bytes/);
    expectRuleLines(run, 'PRIOR_AUTH_MISSING', [2, 4]);
  });

  it('rejects a stray quote inside an unquoted field', async () => {
    const [a, b] = records([VISIBLE, VISIBLE]);
    const text = `${[headerOf(), a!.replace('MBR001', 'MB"R001'), b].join('\n')}\n`;
    const run = await scrubAccounted(text);
    expect(run.rejected.map(({ line, end_line }) => [line, end_line])).toEqual([[2, 2]]);
    expect(run.rejected[0]!.reason).toMatch(/malformed quoting/);
    expectRuleLines(run, 'PRIOR_AUTH_MISSING', [3]);
  });

  it('rejects a record with invalid UTF-8 bytes after the first 64 KiB (a UTF-8 file stays UTF-8); the others are checked', async () => {
    const padding = records(Array.from({ length: 1500 }, () => ({})));
    const [a, b, c] = records([VISIBLE, { ...VISIBLE, member_id: 'XXX' }, VISIBLE]);
    const head = `${headerOf()}\n${padding.join('\n')}\n${a}\n`;
    expect(head.length).toBeGreaterThan(64 * 1024);
    const bytes = Buffer.concat([
      Buffer.from(head),
      Buffer.from(b!.replace('XXX', 'X\xffX'), 'latin1'),
      Buffer.from(`\n${c}\n`),
    ]);
    const run = await scrubAccounted(bytes);
    const first = padding.length + 2;
    expect(run.summary.source.encoding).toBe('utf-8');
    expect(run.rejected.map(({ line, end_line }) => [line, end_line])).toEqual([[first + 1, first + 1]]);
    expect(run.rejected[0]!.reason).toMatch(/UTF-8/);
    expectRuleLines(run, 'PRIOR_AUTH_MISSING', [first, first + 2]);
  });

  it('reads a file whose first 64 KiB are not UTF-8 but hold bytes 0x80–0xFF as Windows-1252', async () => {
    const [a, b] = records([VISIBLE, { ...VISIBLE, member_id: 'XXX', payer: 'PPP' }]);
    const text = `${headerOf()}\n${a}\n${b!.replace('XXX', 'X\u00ffX').replace('PPP', '\u20ac \u201cAcme\u201d')}\n`;
    const bytes = Buffer.from(
      text.replace(
        /[\u20ac\u201c\u201d]/g,
        (char) => ({ '\u20ac': '\x80', '\u201c': '\x93', '\u201d': '\x94' })[char]!,
      ),
      'latin1',
    );
    const run = await scrubAccounted(bytes);
    const reference = await scrub(text);
    expect(run.summary.source.encoding).toBe('windows-1252');
    expect(run.rejected).toEqual([]);
    expect(run.result.files['findings.csv']).toBe(reference.result.files['findings.csv']);
    expect(rowsOf(run, 'PRIOR_AUTH_MISSING')[1]!.member_id).toBe('X\u00ffX');
  });

  it('skips blank lines without counting them; line numbers stay physical', async () => {
    const [a, b] = records([VISIBLE, VISIBLE]);
    const run = await scrubAccounted(`${headerOf()}\n\n${a}\n   \n\r\n${b}\n\n\n`);
    expectRuleLines(run, 'PRIOR_AUTH_MISSING', [3, 6]);
    expect(run.summary.counts).toMatchObject({ lines: 2, checked: 2, rejected: 0 });
  });

  it('reads a line of only commas as a record with a MISSING_FIELD per required field', async () => {
    const run = await scrubAccounted(`${headerOf()}\n${','.repeat(WIDTH - 1)}\n`);
    expect(rulesOn(run, 2)).toEqual(Array(9).fill('MISSING_FIELD'));
    expect(run.summary.counts).toMatchObject({ lines: 1, checked: 1, indexLines: 0, claims: 0, members: 0 });
  });
});

describe('gzip', () => {
  const [a, b] = records([VISIBLE, { procedure_code: '77003', member_id: 'MBR001' }]);
  const messy = `\uFEFF${[headerOf(), a, 'x,y', '', b, 'CLM7,1,"open'].join('\r\n')}\r\n`;

  it('gives a .csv.gz upload the same report as the plain file', async () => {
    const plain = await scrubAccounted(messy);
    const gz = await scrub(gzipSync(Buffer.from(messy)), { sourceName: 'batch.csv.gz' });
    expect(gz.summary.status).toBe('complete');
    expect(gz.result.files['findings.csv']).toBe(plain.result.files['findings.csv']);
    expect(gz.result.files['rejected.csv']).toBe(plain.result.files['rejected.csv']);
    const { source: gzSource, ...gzRest } = gz.summary;
    const { source: plainSource, ...plainRest } = plain.summary;
    expect(gzRest).toEqual(plainRest);
    expect(gzSource.bytes).toBe(gzipSync(Buffer.from(messy)).length);
    expect(plainSource.bytes).toBe(Buffer.byteLength(messy));
    expect(plain.rows.length).toBeGreaterThan(0);
    expect(plain.rejected.length).toBe(2);
  });

  it('reads gzip fed in small pieces', async () => {
    const gz = await scrub(gzipSync(Buffer.from(messy)), { pieceBytes: 7 });
    expect(gz.result.files['findings.csv']).toBe((await scrub(messy)).result.files['findings.csv']);
  });

  it('reads gzip however the upload is cut, even when the first piece is a single byte', async () => {
    // formats.md: a .csv.gz upload is gunzipped; the report does not depend on how the bytes arrive.
    const gz = gzipSync(Buffer.from(messy));
    const reference = await scrub(messy);
    for (const pieceBytes of [1, 2, 3]) {
      const run = await scrub(gz, { pieceBytes });
      expect(run.summary.status, `${pieceBytes}-byte pieces`).toBe('complete');
      expect(run.result.files['findings.csv'], `${pieceBytes}-byte pieces`).toBe(
        reference.result.files['findings.csv'],
      );
    }
  });

  it('rejects a corrupt gzip as UNREADABLE_GZIP', async () => {
    const corrupt = Buffer.concat([
      Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6, 7, 8, 9]),
      Buffer.alloc(5000, 7),
    ]);
    const run = await scrub(corrupt, { pieceBytes: 64 });
    expectRejectedBatch(run, 'UNREADABLE_GZIP');
    expect(run.summary.source).toMatchObject({
      bytes: corrupt.length,
      sha256: createHash('sha256').update(corrupt).digest('hex'),
    });
  });

  it('rejects a truncated gzip as UNREADABLE_GZIP', async () => {
    const whole = gzipSync(Buffer.from(batch([{}, {}, {}])));
    expectRejectedBatch(await scrub(whole.subarray(0, whole.length - 12)), 'UNREADABLE_GZIP');
  });

  it('passes on a failure of the chunk handler as it is, not as a broken gzip', async () => {
    const handlerFailure = new Error('cannot use the temporary folder /tmp/x (the disk is full)');
    const reading = readBatch(
      source(gzipSync(Buffer.from(batch([{}, {}, {}]))), 16),
      async () => {
        throw handlerFailure;
      },
      { recordsPerChunk: 1 },
    );
    await expect(reading).rejects.toBe(handlerFailure);
  });

  it('passes on an upload that fails mid-read as it is, not as a broken gzip (and does not crash)', async () => {
    const whole = gzipSync(Buffer.from(batch(Array.from({ length: 200 }, () => ({})))));
    const readFailure = new Error('connection reset');
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield whole.subarray(0, 100);
      throw readFailure;
    }
    await expect(readBatch(failing(), async () => undefined, {})).rejects.toBe(readFailure);
  });

  it('rejects an empty gzip as EMPTY_FILE', async () => {
    expectRejectedBatch(await scrub(gzipSync(Buffer.alloc(0))), 'EMPTY_FILE');
  });
});

describe('whole-batch rejections', () => {
  it('rejects a header that lacks a required column, listing missing and seen headers', async () => {
    // rendering_npi is required only when there is no billing_npi column either.
    const text = batch([{}], { omit: ['rendering_npi', 'billing_npi', 'charge'], extra: { Notes: 'x' } });
    const run = await scrub(text);
    expectRejectedBatch(run, 'MISSING_COLUMNS');
    const message = run.summary.error!.message;
    expect(message).toContain('rendering_npi');
    expect(message).toContain('charge');
    for (const seen of ['claim_id', 'member_id', 'units', 'Notes']) expect(message).toContain(seen);
  });

  it('does not require rendering_npi when the header has billing_npi', async () => {
    const missingCharge = await scrub(batch([{}], { omit: ['rendering_npi', 'charge'] }));
    expectRejectedBatch(missingCharge, 'MISSING_COLUMNS');
    expect(missingCharge.summary.error!.message).not.toContain('rendering_npi');
    const run = await scrub(batch([{ billing_npi: NPI_B }], { omit: ['rendering_npi'] }));
    expect(run.summary.status).toBe('complete');
    expect(run.rows).toEqual([]);
  });

  it('rejects an empty file as EMPTY_FILE', async () => {
    expectRejectedBatch(await scrub(''), 'EMPTY_FILE');
  });

  it('rejects a file of blank lines as EMPTY_FILE', async () => {
    expectRejectedBatch(await scrub('\n\r\n  \n'), 'EMPTY_FILE');
  });

  it('rejects a file with a BOM only as EMPTY_FILE', async () => {
    expectRejectedBatch(await scrub('\uFEFF'), 'EMPTY_FILE');
  });

  it('rejects a header-only file as NO_RECORDS (with or without a final line end and blank lines)', async () => {
    expectRejectedBatch(await scrub(headerOf()), 'NO_RECORDS');
    expectRejectedBatch(await scrub(`${headerOf()}\r\n\r\n\n`), 'NO_RECORDS');
  });

  it('rejects binary junk (random bytes with NULs) as NOT_TEXT', async () => {
    const random = seeded(1234);
    const junk = Buffer.from(
      Array.from({ length: 4096 }, (_, index) => (index % 97 === 5 ? 0 : random.int(256))),
    );
    junk[0] = 0x50; // not the gzip magic
    const run = await scrub(junk, { pieceBytes: 1000 });
    expectRejectedBatch(run, 'NOT_TEXT');
    // The whole upload is still read, so its size and hash describe all of it.
    expect(run.summary.source).toMatchObject({
      bytes: junk.length,
      sha256: createHash('sha256').update(junk).digest('hex'),
    });
  });

  it.each(['utf-16le', 'utf-16be'] as const)('reads a %s export with a byte-order mark', async (encoding) => {
    const text = batch([VISIBLE, { ...VISIBLE, payer: 'Caf\u00e9 \u{1F600}' }]);
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const run = await scrub(encoding === 'utf-16le' ? le : Buffer.from(le).swap16());
    expect(run.summary.source.encoding).toBe(encoding);
    expect(run.result.files['findings.csv']).toBe((await scrub(text)).result.files['findings.csv']);
  });

  it('rejects a record holding a NUL byte on its own, near the start of the file or far into it', async () => {
    for (const lines of [3, 2_000]) {
      const rows = records(Array.from({ length: lines }, (_, index) => ({ claim_id: `C${index}` })));
      const damaged = lines - 2; // 0-based: the record on physical line `lines`
      rows[damaged] = rows[damaged]!.replace(`C${damaged},`, `C${damaged}\u0000,`);
      const run = await scrub(`${headerOf()}\n${rows.join('\n')}\n`, { pieceBytes: 1000 });
      expect(run.summary.status).toBe('complete');
      expect(run.summary.counts).toMatchObject({ lines, checked: lines - 1, rejected: 1 });
      const rejected = run.result.files['rejected.csv'];
      expect(rejected).toContain(`${lines},${lines},"record holds a NUL byte (binary data, not text)",`);
      expect(rejected).not.toContain('\u0000');
      expect(run.result.files['findings.csv']).not.toContain('\u0000');
    }
  });

  it('still rejects binary as NOT_TEXT', async () => {
    const binary = Buffer.concat([Buffer.from([0x00, 0x01, 0xff, 0x00]), Buffer.alloc(300, 0)]);
    expectRejectedBatch(await scrub(binary), 'NOT_TEXT');
  });

  it('rejects a semicolon-separated file as NOT_COMMA_SEPARATED', async () => {
    const text = batch([{}]).replaceAll(',', ';');
    expectRejectedBatch(await scrub(text), 'NOT_COMMA_SEPARATED');
  });

  it('rejects a tab-separated file as NOT_COMMA_SEPARATED', async () => {
    expectRejectedBatch(await scrub(batch([{}]).replaceAll(',', '\t')), 'NOT_COMMA_SEPARATED');
  });

  it('rejects a header with an unterminated quote as BAD_HEADER', async () => {
    expectRejectedBatch(await scrub(`claim_id,"line_no\n${records([{}])[0]}\n`), 'BAD_HEADER');
  });

  it('says so when the lines end in a carriage return only (old Mac line ends)', async () => {
    const run = await scrub(batch([{}, {}]).replaceAll('\n', '\r'));
    expectRejectedBatch(run, 'BAD_HEADER');
    expect(run.summary.error?.message).toMatch(/carriage return only.*LF or CRLF/);
    const quoted = await scrub('claim_id,line"_no\n');
    expect(quoted.summary.error?.message).toMatch(/check its quotes/);
  });

  it('reads a header that is not UTF-8 (a Latin-1 export) as Windows-1252', async () => {
    const latin1 = Buffer.from(batch([{ payer: 'Caf\u00e9' }]).replace('payer', 'pay\u00e9r'), 'latin1');
    const run = await scrub(latin1);
    expect(run.summary.status).toBe('complete');
    expect(run.summary.source.encoding).toBe('windows-1252');
    expect(run.summary.unknownColumns).toEqual(['pay\u00e9r']);
  });

  it('keeps the source size and hash of a rejected upload', async () => {
    const text = 'claim_id;line_no\n1;2\n';
    const run = await scrub(text);
    expect(run.summary.source.bytes).toBe(Buffer.byteLength(text));
    expect(run.summary.source.sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('header aliases and unknown columns', () => {
  it('reads CPT, DOS, NPI, "Member ID", claim-number, mod1..mod4, and lists unknown columns', async () => {
    const text = [
      'claim-number,Line,Member ID,DOB,DOS,CPT,mod1,mod2,mod3,mod4,dx1,Units,POS,NPI,Amount,Auth Number,Notes,Rendering Provider',
      'A-1,1,M1,1961-04-12,11/02/2026,62323,50,KX,,,M54.16,1,11,1234567893,"$1,250.00",PA1,hello,Synthetic',
      'A-1,2,M1,1961-04-12,20261102,77003,59,,,,M54.16,1,11,1234567893,90,PA1,,',
    ].join('\n');
    const run = await scrubAccounted(`${text}\n`);
    expect(run.summary.unknownColumns).toEqual(['Notes', 'Rendering Provider']);
    expectFinding(run, 'BILATERAL_MODIFIER', 2);
    expectFinding(run, 'KX_ON_INTERLAMINAR', 2);
    expectFinding(run, 'IMAGING_BUNDLED', 3, [2]);
    expect(run.rows[0]).toMatchObject({
      claim_id: 'A-1',
      line_no: '1',
      member_id: 'M1',
      date_of_service: '2026-11-02',
      charge: '1250.00',
    });
  });

  it('takes a field named by two columns from the first filled one (npi empty, rendering_npi filled)', async () => {
    const text = [
      'claim_id,line_no,member_id,Member ID,date_of_service,procedure_code,dx_1,units,place_of_service,npi,rendering_npi,charge,prior_auth',
      'D-1,1,,M1,2026-11-02,62323,M54.16,1,11,,1234567893,100,PA1',
      'D-2,1,M2,M9,2026-11-02,62323,M54.16,1,11,1234567893,1234567893,100,PA2',
      'D-3,1,,,2026-11-02,62323,M54.16,1,11,,,100,PA3',
    ].join('\n');
    const run = await scrubAccounted(`${text}\n`);
    expect(run.summary.unknownColumns).toEqual([]);
    const missing = rowsOf(run, 'MISSING_FIELD');
    // Only the line with both columns empty misses its member id and rendering NPI.
    expect(missing.map((row) => Number(row.line))).toEqual([4, 4]);
    expect(missing.map((row) => row.message).sort()).toEqual([
      expect.stringMatching(/member_id/),
      expect.stringMatching(/rendering_npi/),
    ]);
  });

  it('reads one modifiers column "50|KX" and one diagnosis_codes column "M54.16; M48.062"', async () => {
    const text = [
      'claim_id,line_no,member_id,date_of_service,procedure_code,modifiers,diagnosis_codes,units,place_of_service,rendering_npi,charge,prior_auth',
      'L-1,1,M1,2026-11-02,62323,50|KX,M54.16; M48.062,1,11,1234567893,100,PA',
      'L-2,1,M2,2026-11-02,62323,"25, 59",M54.50;M54.59,1,11,1234567893,100,PA',
      'L-3,1,M3,2026-11-02,62323,XS:XU,G89.18 | M54.2,1,11,1234567893,100,PA',
    ].join('\n');
    const run = await scrubAccounted(`${text}\n`);
    expect(rulesOn(run, 2)).toEqual(['BILATERAL_MODIFIER', 'KX_ON_INTERLAMINAR']);
    expect(rulesOn(run, 3)).toEqual(['DX_AXIAL_ONLY', 'MODIFIER_NOT_ALLOWED']);
    expect(rulesOn(run, 4)).toEqual([]);
  });

  it('reads dx columns under their aliases (diagnosis_1, icd10_2)', async () => {
    const text = [
      'claim_id,line_no,member_id,date_of_service,procedure_code,diagnosis_1,icd10_2,units,place_of_service,rendering_npi,charge,prior_auth',
      'D-1,1,M1,2026-11-02,62323,M54.50,M54.16,1,11,1234567893,100,PA',
      'D-2,1,M2,2026-11-02,62323,,M54.50,1,11,1234567893,100,PA',
    ].join('\n');
    const run = await scrubAccounted(`${text}\n`);
    expect(rulesOn(run, 2)).toEqual([]);
    expect(rulesOn(run, 3)).toEqual(['DX_AXIAL_ONLY']);
  });
});

describe('a messy file', () => {
  const [a, b, c, d, e] = records([
    VISIBLE,
    { procedure_code: '77003', member_id: 'MBR001', modifiers: ['59'] },
    { ...VISIBLE, payer: 'multi\nline\npayer' },
    VISIBLE,
    { ...VISIBLE, claim_id: 'CLM001' },
  ]);
  const messy = `\uFEFF${[
    headerOf(),
    a,
    '',
    b,
    'too,few',
    c,
    d!.replace('MBR004', 'MB"R004'),
    ',,,',
    '   ',
    e,
    `${a},x`,
    'CLM9,1,"unterminated',
  ].join('\r\n')}`;

  it('accounts for every physical line', async () => {
    const run = await scrubAccounted(messy);
    // 1 header, 2 a, 3 blank, 4 b, 5 too few, 6–8 c, 9 stray quote, 10 commas (too few), 11 blank,
    // 12 e, 13 too many, 14 unterminated quote.
    expect(run.rejected.map((row) => [row.line, row.end_line])).toEqual([
      [5, 5],
      [9, 9],
      [10, 10],
      [13, 13],
      [14, 14],
    ]);
    expectFinding(run, 'IMAGING_BUNDLED', 4, [2]);
    expectFinding(run, 'DUPLICATE_LINE', 12, [2]);
    expectRuleLines(run, 'PRIOR_AUTH_MISSING', [2, 6, 12]);
    expect(run.summary.counts).toMatchObject({ lines: 9, checked: 4, rejected: 5 });
  });

  it('gives the same report however the upload is cut into pieces', async () => {
    const whole = await scrub(messy);
    for (const pieceBytes of [1, 2, 3, 7, 64, 500]) {
      const cut = await scrub(messy, { pieceBytes });
      expect(cut.result.files, `${pieceBytes}-byte pieces`).toEqual(whole.result.files);
    }
  });

  it('gives the same report however the upload is cut, when records are over-long', async () => {
    // formats.md: for the same input the report files are identical. An over-long single-line record
    // and an over-long quoted record spanning lines, with maxRecordBytes 300.
    const [f, g, h] = records([
      VISIBLE,
      { ...VISIBLE, payer: 'P'.repeat(400) },
      { ...VISIBLE, payer: `${'Q'.repeat(200)}\n${'R'.repeat(200)}` },
    ]);
    const text = `${[headerOf(), f, g, f!.replace('CLM001', 'CLM004'), h, f!.replace('CLM001', 'CLM006')].join('\n')}\n`;
    const whole = await scrubAccounted(text, { maxRecordBytes: 300 });
    // Lines 3 and 5–6 are rejected (how the broken quoted record is cut is the engine's choice, as long
    // as every line is accounted for); the records on lines 2, 4 and 7 are checked.
    const rejectedLines = whole.rejected.flatMap((row) =>
      Array.from({ length: row.end_line - row.line + 1 }, (_, k) => row.line + k),
    );
    expect(rejectedLines).toEqual([3, 5, 6]);
    expect(whole.rejected[0]!.reason).toMatch(/longer than 300 bytes/);
    expectRuleLines(whole, 'PRIOR_AUTH_MISSING', [2, 4, 7]);
    // A raw preview shows the start of its record, never the records after it.
    expect(g!.startsWith(whole.rejected[0]!.raw.replace(/…$/, ''))).toBe(true);
    for (const row of whole.rejected) expect(row.raw).not.toMatch(/CLM00[46]/);
    for (const pieceBytes of [16, 64, 128]) {
      const cut = await scrub(text, { pieceBytes, maxRecordBytes: 300 });
      expect(cut.result.files['rejected.csv'], `${pieceBytes}-byte pieces`).toBe(
        whole.result.files['rejected.csv'],
      );
      expect(cut.result.files['findings.csv'], `${pieceBytes}-byte pieces`).toBe(
        whole.result.files['findings.csv'],
      );
    }
  });
});

describe('limits (BATCH_TOO_LARGE)', () => {
  const read = (data: string | Uint8Array, options: Parameters<typeof readBatch>[2] = {}) => {
    let handed = 0;
    return readBatch(
      source(data, 64 * 1024),
      (chunk) => {
        handed += chunk.startLines.length;
      },
      { recordsPerChunk: 1000, ...options },
    ).then((result) => ({ result, handed }));
  };

  it('rejects a batch of more than maxRecords records, and takes one of exactly maxRecords', async () => {
    const text = batch(Array.from({ length: 5 }, () => ({})));
    expect((await read(text, { maxRecords: 5 })).result.rejection).toBeUndefined();
    const { result } = await read(text, { maxRecords: 4 });
    expect(result.rejection?.code).toBe('BATCH_TOO_LARGE');
    expect(result.rejection?.message).toMatch(/more than 4 records/);
    expect(result.bytes).toBe(Buffer.byteLength(text));
  });

  it('counts rejected records against maxRecords too', async () => {
    const text = `${headerOf()}\nx\ny\nz\n`;
    expect((await read(text, { maxRecords: 2 })).result.rejection?.code).toBe('BATCH_TOO_LARGE');
  });

  it('stops a gzip bomb early, once past 1 MiB unpacked, and still hashes the whole upload', async () => {
    const [line] = records([{}]);
    const text = `${headerOf()}\n${`${line}\n`.repeat(200_000)}`;
    const packed = gzipSync(text, { level: 9 });
    expect(text.length / packed.length).toBeGreaterThan(50);
    const { result, handed } = await read(packed);
    expect(result.rejection?.code).toBe('BATCH_TOO_LARGE');
    expect(result.rejection?.message).toMatch(/gzip/);
    expect(handed, 'records read before the limit stopped it').toBeLessThan(50_000);
    expect(result.sha256).toBe(createHash('sha256').update(packed).digest('hex'));
    const allowed = await read(packed, { maxGzipRatio: 100_000 });
    expect(allowed.result.rejection).toBeUndefined();
    expect(allowed.handed).toBe(200_000);
  });

  it('judges a small gzip on its totals once it is read', async () => {
    const [line] = records([{}]);
    const packed = gzipSync(`${headerOf()}\n${`${line}\n`.repeat(2000)}`, { level: 9 });
    expect((await read(packed)).result.rejection?.code).toBe('BATCH_TOO_LARGE');
    expect((await read(packed, { maxGzipRatio: 1000 })).result.rejection).toBeUndefined();
  });

  it('leaves ordinary claim gzip (about 6:1) alone', async () => {
    const packed = gzipSync(
      batch(Array.from({ length: 3000 }, (_, index) => ({ member_id: `M${index * 7919}` }))),
    );
    expect((await read(packed)).result.rejection).toBeUndefined();
  });
});

describe('trailing empty cells, batches with no valid record, headers that are records', () => {
  it('reads a header with empty cells at its end and records with trailing commas', async () => {
    const [a, b] = records([VISIBLE, VISIBLE]);
    const run = await scrubAccounted(`${headerOf()},,\n${a}\n${b},,\n${a},\n`);
    expect(run.summary.counts).toMatchObject({ lines: 3, checked: 3, rejected: 0 });
    expect(run.summary.unknownColumns).toEqual([]);
  });

  it('rejects a record whose extra field is not empty', async () => {
    const [a] = records([VISIBLE]);
    const run = await scrubAccounted(`${headerOf()}\n${a},,x\n${a}\n`);
    expect(run.rejected.map(({ line }) => line)).toEqual([2]);
  });

  it('refuses a batch whose every record is rejected as NO_VALID_RECORDS, listing them all', async () => {
    const run = await scrub(`${headerOf()}\nx,y\n"open\nz\n`);
    expect(run.summary.status).toBe('rejected');
    expect(run.summary.error?.code).toBe('NO_VALID_RECORDS');
    expect(run.summary.counts).toMatchObject({ lines: 3, checked: 0, rejected: 3 });
    expect(run.rejected.map(({ line }) => line)).toEqual([2, 3, 4]);
    expect(run.result.files['report.html']).toContain('rejected');
  });

  it('says a first line of record values does not look like a header, without echoing it', async () => {
    const [a, b] = records([{ member_id: 'SECRET-M-1' }, {}]);
    const run = await scrub(`${a}\n${b}\n`);
    expect(run.summary.error?.code).toBe('MISSING_COLUMNS');
    expect(run.summary.error?.message).toMatch(/does not look like a header/);
    expect(run.summary.error?.message).toContain('member_id');
    expect(JSON.stringify(run.summary)).not.toContain('SECRET');
    expect(run.result.files['report.html']).not.toContain('SECRET');
  });
});
