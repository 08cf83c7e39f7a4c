/**
 * RecordFramer: where records start and end, with physical line numbers; broken records cost
 * themselves only; the result does not depend on how the bytes arrive.
 */
import { describe, expect, it } from 'vitest';
import { parsesIntoFields, RecordFramer } from '../../../functions/core/intake/framer.js';
import { frameText } from '../../support/intake.js';

const PIECES = [1, 2, 3, 5, 8, 13, 64];

/** Without the raw previews (compared on their own where a test is about them). */
const structure = (framed: ReturnType<typeof frameText>) => ({
  frames: framed.frames,
  rejected: framed.rejected.map(({ line, endLine, reason }) => ({ line, endLine, reason })),
});

/**
 * Frames in one piece and in many piece sizes; all must agree (frames, rejected lines and reasons).
 * Returns the one-piece result.
 */
function frameEverywhere(text: string, maxRecordBytes?: number) {
  const whole = frameText(text, maxRecordBytes === undefined ? {} : { maxRecordBytes });
  for (const piece of PIECES) {
    const cut = frameText(text, maxRecordBytes === undefined ? { piece } : { piece, maxRecordBytes });
    expect(structure(cut), `fed in ${piece}-byte pieces`).toEqual(structure(whole));
  }
  return whole;
}

const summary = (framed: ReturnType<typeof frameText>) => ({
  frames: framed.frames.map((frame) => [frame.line, frame.endLine, frame.text]),
  rejected: framed.rejected.map((record) => [record.line, record.endLine]),
});

describe('RecordFramer', () => {
  it('frames one record per line, numbering lines from 1', () => {
    expect(summary(frameEverywhere('h1,h2\na,b\nc,d\n'))).toEqual({
      frames: [
        [1, 1, 'h1,h2'],
        [2, 2, 'a,b'],
        [3, 3, 'c,d'],
      ],
      rejected: [],
    });
  });

  it('frames the last record without a final line feed', () => {
    expect(summary(frameEverywhere('h\na\nb')).frames).toEqual([
      [1, 1, 'h'],
      [2, 2, 'a'],
      [3, 3, 'b'],
    ]);
  });

  it('drops CR of CRLF line ends', () => {
    expect(summary(frameEverywhere('h1,h2\r\na,b\r\nc,d\r\n')).frames).toEqual([
      [1, 1, 'h1,h2'],
      [2, 2, 'a,b'],
      [3, 3, 'c,d'],
    ]);
  });

  it('skips a UTF-8 byte-order mark at the start, even when it arrives byte by byte', () => {
    const framed = frameEverywhere('\uFEFFh1,h2\na,b\n');
    expect(framed.frames[0]!.text).toBe('h1,h2');
  });

  it('skips blank and whitespace-only lines without counting them, but keeps their line numbers', () => {
    expect(summary(frameEverywhere('h\n\na\n   \n\t\r\n\r\nb\n\n')).frames).toEqual([
      [1, 1, 'h'],
      [3, 3, 'a'],
      [7, 7, 'b'],
    ]);
  });

  it('frames a line of only commas as a record', () => {
    expect(summary(frameEverywhere('h1,h2,h3\n,,\n')).frames).toEqual([
      [1, 1, 'h1,h2,h3'],
      [2, 2, ',,'],
    ]);
  });

  it('keeps quoted commas, doubled quotes and line breaks inside one record, and numbers the next records right', () => {
    const text =
      'h1,h2,h3\na,"x, y",b\nc,"say ""hi""",d\ne,"two\nlines",f\ng,"three\r\n\r\nlines",h\ni,j,k\n';
    expect(summary(frameEverywhere(text))).toEqual({
      frames: [
        [1, 1, 'h1,h2,h3'],
        [2, 2, 'a,"x, y",b'],
        [3, 3, 'c,"say ""hi""",d'],
        [4, 5, 'e,"two\nlines",f'],
        [6, 8, 'g,"three\r\n\r\nlines",h'],
        [9, 9, 'i,j,k'],
      ],
      rejected: [],
    });
  });

  it('counts the line breaks of every quoted field in a record, up to a last record without a line feed', () => {
    const text = 'h1,h2\n"a\nb","c""\nd"\nxy,"p\nq"\n"e\n"';
    expect(summary(frameEverywhere(text))).toEqual({
      frames: [
        [1, 1, 'h1,h2'],
        [2, 4, '"a\nb","c""\nd"'],
        [5, 6, 'xy,"p\nq"'],
        [7, 8, '"e\n"'],
      ],
      rejected: [],
    });
  });

  it('leaves a stray quote inside an unquoted field to the parser (one physical line)', () => {
    expect(summary(frameEverywhere('h1,h2\nab"c,d\ne,f\n')).frames).toEqual([
      [1, 1, 'h1,h2'],
      [2, 2, 'ab"c,d'],
      [3, 3, 'e,f'],
    ]);
  });

  it('rejects an unterminated quote at the end of the file as its first line', () => {
    const framed = frameEverywhere('h1,h2\na,b\nc,"never closed\nmore text\n');
    expect(summary(framed)).toEqual({
      frames: [
        [1, 1, 'h1,h2'],
        [2, 2, 'a,b'],
        [4, 4, 'more text'],
      ],
      rejected: [[3, 3]],
    });
    expect(framed.rejected[0]!.reason).toMatch(/unterminated quote/);
    expect(framed.rejected[0]!.raw).toBe('c,"never closed');
  });

  it('rejects an unterminated quote in the middle of a file and frames the following lines', () => {
    const framed = frameEverywhere('h1,h2\na,b\nc,"open\nd,e\nf,g\n');
    expect(summary(framed)).toEqual({
      frames: [
        [1, 1, 'h1,h2'],
        [2, 2, 'a,b'],
        [4, 4, 'd,e'],
        [5, 5, 'f,g'],
      ],
      rejected: [[3, 3]],
    });
  });

  it('rejects a record longer than maxRecordBytes and resumes after it', () => {
    const framed = frameEverywhere(`h1,h2\na,b\nc,${'x'.repeat(100)}\nd,e\n`, 50);
    expect(summary(framed)).toEqual({
      frames: [
        [1, 1, 'h1,h2'],
        [2, 2, 'a,b'],
        [4, 4, 'd,e'],
      ],
      rejected: [[3, 3]],
    });
    expect(framed.rejected[0]!.reason).toMatch(/longer than 50 bytes/);
  });

  it('gives an over-long record a raw preview of that record only, not of the lines after it', () => {
    const framed = frameText(`h1,h2\nc,${'x'.repeat(100)}\nNEXT-RECORD,e\n`, { maxRecordBytes: 50 });
    expect(framed.rejected).toHaveLength(1);
    const { raw } = framed.rejected[0]!;
    expect(raw.startsWith('c,xxx')).toBe(true);
    expect(raw).not.toContain('NEXT-RECORD');
  });

  it('shows 2,000 characters of an over-long record, multi-byte text too, and marks the cut', () => {
    for (const char of ['x', 'é', '€']) {
      const framed = frameText(`h1,h2\nc,${char.repeat(70_000)}\nd,e\n`);
      const { raw } = framed.rejected[0]!;
      expect(raw, char).toHaveLength(2001);
      expect(raw.endsWith('…'), char).toBe(true);
    }
  });

  it('gives a rejected record the same raw preview however the bytes arrive', () => {
    const text = `h1,h2\nc,${'x'.repeat(100)}\nd,e\n`;
    const whole = frameText(text, { maxRecordBytes: 50 }).rejected.map((record) => record.raw);
    for (const piece of PIECES) {
      expect(
        frameText(text, { piece, maxRecordBytes: 50 }).rejected.map((record) => record.raw),
        `${piece}-byte pieces`,
      ).toEqual(whole);
    }
  });

  it('rejects an over-long quoted record that spans lines the same way however the bytes arrive', () => {
    // A multi-line quoted field, 2 lines of 40 bytes, closes properly; the record exceeds 50 bytes.
    frameEverywhere(`h1,h2\na,"${'x'.repeat(40)}\n${'y'.repeat(40)}",b\nc,d\n`, 50);
  });

  it('reports the line the next record would start on', () => {
    const framed: number[] = [];
    const framer = new RecordFramer({ frame: () => framed.push(1), reject: () => undefined });
    framer.push(Buffer.from('h\na\n\n'));
    expect(framer.currentLine).toBe(4);
    framer.end();
    expect(framed).toHaveLength(2);
  });
});

describe('multi-line records that do not parse into the header columns', () => {
  /** Frames with the header's width known, in one piece and in many piece sizes; all must agree. */
  function frameWide(text: string, width: number) {
    const whole = frameText(text, { width });
    for (const piece of PIECES)
      expect(structure(frameText(text, { piece, width })), `fed in ${piece}-byte pieces`).toEqual(
        structure(whole),
      );
    return whole;
  }

  it('rejects the first line of a stray opening quote and resumes on the next line', () => {
    const text = 'h1,h2,h3\n"a,b,c\nd,e,f\ng,"x,1",h\ni,j,k\n';
    const framed = frameWide(text, 3);
    expect(summary(framed)).toEqual({
      frames: [
        [1, 1, 'h1,h2,h3'],
        [3, 3, 'd,e,f'],
        [4, 4, 'g,"x,1",h'],
        [5, 5, 'i,j,k'],
      ],
      rejected: [[2, 2]],
    });
    expect(framed.rejected[0]!.reason).toMatch(/unterminated or misplaced quote/);
    expect(framed.rejected[0]!.raw).toBe('"a,b,c');
  });

  it('does the same with CRLF line ends, and the raw line has no CR', () => {
    const framed = frameWide('h1,h2\r\n"a,b\r\nc,"d"\r\ne,f\r\n', 2);
    expect(summary(framed)).toEqual({
      frames: [
        [1, 1, 'h1,h2'],
        [3, 3, 'c,"d"'],
        [4, 4, 'e,f'],
      ],
      rejected: [[2, 2]],
    });
    expect(framed.rejected[0]!.raw).toBe('"a,b');
  });

  it('keeps a well-formed multi-line field of the right width, with or without trailing empty fields', () => {
    expect(summary(frameWide('h1,h2,h3\na,"x\ny",b\nc,"p\r\nq",d,,\n', 3)).frames).toEqual([
      [1, 1, 'h1,h2,h3'],
      [2, 3, 'a,"x\ny",b'],
      [4, 5, 'c,"p\r\nq",d,,'],
    ]);
  });

  it('re-reads line by line a well-formed multi-line record of the wrong width', () => {
    const framed = frameWide('h1,h2,h3\n"a\nb",c\nd,e,f\n', 3);
    expect(summary(framed)).toEqual({
      frames: [
        [1, 1, 'h1,h2,h3'],
        [3, 3, 'b",c'],
        [4, 4, 'd,e,f'],
      ],
      rejected: [[2, 2]],
    });
  });

  it('rejects a non-empty field past the width, and a stray quote that reaches the last record', () => {
    const framed = frameWide('h1,h2\na,"x\ny",z\n"b,c\nd,"e"', 2);
    expect(summary(framed).rejected).toEqual([
      [2, 2],
      [4, 4],
    ]);
    expect(summary(framed).frames.map(([line]) => line)).toEqual([1, 3, 5]);
  });

  it('judges a multi-line header by its quotes only (its width is not known yet)', () => {
    expect(summary(frameText('"h\n1",h2\na,b\n')).frames[0]).toEqual([1, 2, '"h\n1",h2']);
  });
});

describe('parsesIntoFields', () => {
  const parses = (text: string, width?: number) =>
    parsesIntoFields(Buffer.from(text), 0, Buffer.byteLength(text), width);

  it('accepts RFC 4180 records of the width, trailing empty fields aside', () => {
    expect(parses('a,"b\nc",d', 3)).toBe(true);
    expect(parses('a,"say ""hi""\n",d', 3)).toBe(true);
    expect(parses('a,"b\nc",d,,""', 3)).toBe(true);
    expect(parses('a,"b\nc"', undefined)).toBe(true);
  });

  it('declines text after a closing quote, an open quote, too few fields, a filled extra field', () => {
    expect(parses('"a\nb,"c",d', 3)).toBe(false);
    expect(parses('a,"b\nc', 2)).toBe(false);
    expect(parses('a,"b\nc"', 3)).toBe(false);
    expect(parses('a,"b\nc",d,x', 3)).toBe(false);
  });

  it('declines a quote inside an unquoted field, as csv-parse does', () => {
    expect(parses('a,5" disc,"b\nc"', 3)).toBe(false);
  });
});
