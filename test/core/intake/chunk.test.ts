/** ChunkBuilder and parseChunk: records into chunks, chunks into fields; broken records rejected one by one. */
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import {
  ChunkBuilder,
  MAX_CHUNK_BYTES,
  parseChunk,
  type RawChunk,
} from '../../../functions/core/intake/chunk.js';
import { RecordFramer, type RejectedRecord } from '../../../functions/core/intake/framer.js';
import { Random } from '../../support/random.js';

/** A chunk from record texts (no terminators) and their line spans. */
function chunkOf(records: readonly (string | Buffer)[], spans?: readonly [number, number][]): RawChunk {
  const parts: Buffer[] = [];
  records.forEach((record, index) => {
    if (index > 0) parts.push(Buffer.from('\n'));
    parts.push(typeof record === 'string' ? Buffer.from(record) : record);
  });
  const startLines = spans ? spans.map(([start]) => start) : records.map((_, index) => index + 2);
  const endLines = spans ? spans.map(([, end]) => end) : startLines;
  return { index: 0, text: new Uint8Array(Buffer.concat(parts)), startLines, endLines };
}

describe('parseChunk', () => {
  it('splits clean records into fields with their lines (RFC 4180 quoting)', () => {
    const parsed = parseChunk(
      chunkOf(
        ['a,b,c', '"x, y","say ""hi""",z', 'd,"two\nlines",e'],
        [
          [2, 2],
          [3, 3],
          [4, 5],
        ],
      ),
      3,
    );
    expect(parsed.rejected).toEqual([]);
    expect(parsed.records).toEqual([
      { fields: ['a', 'b', 'c'], line: 2, endLine: 2 },
      { fields: ['x, y', 'say "hi"', 'z'], line: 3, endLine: 3 },
      { fields: ['d', 'two\nlines', 'e'], line: 4, endLine: 5 },
    ]);
  });

  it('rejects records with too few or too many fields and keeps the others in place', () => {
    const parsed = parseChunk(chunkOf(['a,b,c', 'a,b', 'd,e,f', 'a,b,c,d', 'g,h,i']), 3);
    expect(parsed.records.map((record) => [record.line, record.fields[0]])).toEqual([
      [2, 'a'],
      [4, 'd'],
      [6, 'g'],
    ]);
    expect(parsed.rejected.map(({ line, endLine, reason, raw }) => ({ line, endLine, reason, raw }))).toEqual(
      [
        { line: 3, endLine: 3, reason: 'expected 3 fields, found 2', raw: 'a,b' },
        { line: 5, endLine: 5, reason: 'expected 3 fields, found 4', raw: 'a,b,c,d' },
      ],
    );
  });

  it('names the span of a wrong-width record that holds a line break', () => {
    const parsed = parseChunk(
      chunkOf(
        ['a,"x\ny"', 'b,c,d'],
        [
          [2, 3],
          [4, 4],
        ],
      ),
      3,
    );
    expect(parsed.rejected).toHaveLength(1);
    expect(parsed.rejected[0]).toMatchObject({ line: 2, endLine: 3 });
    expect(parsed.rejected[0]!.reason).toMatch(/expected 3 fields, found 2.*2.*3/);
    expect(parsed.records.map((record) => record.line)).toEqual([4]);
  });

  it('rejects a stray quote inside an unquoted field, and text after a closing quote', () => {
    const parsed = parseChunk(chunkOf(['a,b"c,d', 'e,"f"g,h', 'i,j,k']), 3);
    expect(parsed.records.map((record) => record.line)).toEqual([4]);
    expect(parsed.rejected.map((record) => record.line)).toEqual([2, 3]);
    for (const record of parsed.rejected) expect(record.reason).toMatch(/malformed quoting/);
  });

  it('rejects a record with invalid UTF-8 and parses the rest', () => {
    const bad = Buffer.concat([Buffer.from('a,'), Buffer.from([0xc3, 0x28]), Buffer.from(',c')]);
    const parsed = parseChunk(chunkOf(['x,y,z', bad, 'caf\u00e9,\u00fc,\u{1F600}']), 3);
    expect(parsed.records.map((record) => record.fields)).toEqual([
      ['x', 'y', 'z'],
      ['caf\u00e9', '\u00fc', '\u{1F600}'],
    ]);
    expect(parsed.rejected).toHaveLength(1);
    expect(parsed.rejected[0]).toMatchObject({ line: 3, endLine: 3 });
    expect(parsed.rejected[0]!.reason).toMatch(/UTF-8/);
  });

  it('keeps empty fields of a line of only commas', () => {
    const parsed = parseChunk(chunkOf([',,']), 3);
    expect(parsed.records).toEqual([{ fields: ['', '', ''], line: 2, endLine: 2 }]);
  });

  it('reads a chunk of many text windows as csv-parse reads its records, whatever straddles a window', () => {
    // A few hundred kB of records of every kind: quoted line breaks, multi-byte text, broken records;
    // whichever lands on the edge of a decoded window must come out as csv-parse reads it alone.
    const random = new Random(62323);
    const records: string[] = [];
    const spans: [number, number][] = [];
    let line = 2;
    for (let index = 0; index < 4000; index += 1) {
      const pad = 'x'.repeat(random.int(120));
      const record = [
        `"a\n${pad}\nb",b,c`,
        `café ${pad},"say ""hi""",😀`,
        `${pad},only two`,
        `a"b,${pad},c`,
        `${index},${pad},z`,
      ][random.int(5)]!;
      const lines = record.split('\n').length;
      records.push(record);
      spans.push([line, line + lines - 1]);
      line += lines;
    }
    const chunk = chunkOf(records, spans);
    expect(chunk.text.byteLength).toBeGreaterThan(4 * 64 * 1024);
    const parsed = parseChunk(chunk, 3);
    const expected = records.flatMap((record, index) => {
      const rows = parse(record, { relax_column_count: true, skip_records_with_error: true }) as string[][];
      const fields = rows[0];
      return fields?.length === 3 ? [{ fields, line: spans[index]![0], endLine: spans[index]![1] }] : [];
    });
    expect(parsed.records).toEqual(expected);
    expect(parsed.records.length + parsed.rejected.length).toBe(records.length);
    expect(parsed.rejected.length).toBeGreaterThan(1000);
  });
});

describe('ChunkBuilder', () => {
  it('cuts framed records into chunks of at most recordsPerChunk, in order, keeping line spans', () => {
    const chunks: RawChunk[] = [];
    const rejected: RejectedRecord[] = [];
    const builder = new ChunkBuilder(
      (chunk) => chunks.push(chunk),
      (record) => rejected.push(record),
      2,
    );
    const framer = new RecordFramer(builder);
    framer.push(Buffer.from('a,1\nb,"2\n2"\n\nc,3\nd,4\ne,"5'));
    framer.end();
    builder.flush();
    expect(
      chunks.map((chunk) => [
        chunk.index,
        Buffer.from(chunk.text).toString(),
        chunk.startLines,
        chunk.endLines,
      ]),
    ).toEqual([
      [0, 'a,1\nb,"2\n2"', [1, 2], [1, 3]],
      [1, 'c,3\nd,4', [5, 6], [5, 6]],
    ]);
    expect(rejected.map((record) => record.line)).toEqual([7]);
    expect(builder.chunksEmitted).toBe(2);
  });
});

describe('ChunkBuilder copying', () => {
  it('keeps every record as framed when the caller reuses its buffer after each push', () => {
    const records = Array.from({ length: 60 }, (_, index) =>
      index % 7 === 3 ? `r${index},"x\r\ny"` : `r${index},${'v'.repeat(index % 5)}`,
    );
    // LF and CRLF endings, blank lines between some records.
    const text = records
      .map((record, index) => `${record}${index % 4 === 1 ? '\r\n' : '\n'}${index % 9 === 5 ? '\n' : ''}`)
      .join('');
    for (const pieceSize of [1, 3, 8, 64, text.length]) {
      const chunks: RawChunk[] = [];
      const builder = new ChunkBuilder(
        (chunk) => chunks.push(chunk),
        () => undefined,
        7,
      );
      const framer = new RecordFramer(builder);
      const reused = Buffer.alloc(pieceSize);
      const bytes = Buffer.from(text);
      for (let at = 0; at < bytes.length; at += pieceSize) {
        const piece = reused.subarray(0, Math.min(pieceSize, bytes.length - at));
        bytes.copy(piece, 0, at, at + piece.length);
        framer.push(piece);
        piece.fill(0x23);
      }
      framer.end();
      builder.flush();
      const joined = chunks.map((chunk) => Buffer.from(chunk.text).toString()).join('\n');
      expect(joined, `pieces of ${pieceSize}`).toBe(records.join('\n'));
      expect(chunks.map((chunk) => chunk.startLines.length)).toEqual([7, 7, 7, 7, 7, 7, 7, 7, 4]);
    }
  });
});

describe('ChunkBuilder size bound', () => {
  it('closes a chunk at MAX_CHUNK_BYTES even below the record count', () => {
    const chunks: RawChunk[] = [];
    const builder = new ChunkBuilder(
      (chunk) => chunks.push(chunk),
      () => undefined,
      1_000_000,
    );
    const wide = Buffer.alloc(1024 * 1024, 0x61);
    for (let line = 1; line <= 20; line += 1) builder.frame(wide, 0, wide.length, line, line);
    builder.flush();
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks)
      expect(chunk.text.byteLength).toBeLessThanOrEqual(MAX_CHUNK_BYTES + wide.length + 1);
    expect(chunks.flatMap((chunk) => chunk.startLines)).toEqual(
      Array.from({ length: 20 }, (_, index) => index + 1),
    );
  });
});
