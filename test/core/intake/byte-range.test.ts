import { describe, expect, it } from 'vitest';
import { byteRangesOf, RangeLines, readFromOf } from '../../../functions/core/intake/byte-range.js';
import { readBatch } from '../../../functions/core/intake/reader.js';

async function* piecesOf(bytes: Buffer, size: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

/** What each range hands out, and its line feeds, read in pieces of `pieceSize`. */
async function rangesOf(text: string, rangeBytes: number, pieceSize: number) {
  const bytes = Buffer.from(text);
  const out: { text: string; lineFeeds: number }[] = [];
  for (const range of byteRangesOf(bytes.length, rangeBytes, 1000)) {
    const lines = new RangeLines(piecesOf(bytes.subarray(readFromOf(range)), pieceSize), range);
    const pieces: Buffer[] = [];
    for await (const piece of lines) if (!lines.pastCut) pieces.push(piece);
    out.push({ text: Buffer.concat(pieces).toString(), lineFeeds: lines.lineFeeds });
  }
  return out;
}

describe('byte ranges', () => {
  it('cuts an upload into ranges of about the size asked, and no more ranges than the most', () => {
    expect(byteRangesOf(10, 4, 1000)).toEqual([
      { start: 0, end: 4, last: false },
      { start: 4, end: 8, last: false },
      { start: 8, end: 10, last: true },
    ]);
    expect(byteRangesOf(100, 4, 5).map((range) => range.end - range.start)).toEqual([20, 20, 20, 20, 20]);
    expect(byteRangesOf(3, 4, 1000)).toEqual([{ start: 0, end: 3, last: true }]);
  });

  it('gives every line to exactly one range, whatever the range size and the pieces the bytes come in', async () => {
    const text = 'h1,h2\nAAAA\nB\n\nCCCCCCCCC\nD\nE\nFFFFFFF\nG';
    for (let rangeBytes = 1; rangeBytes <= text.length + 1; rangeBytes += 1) {
      for (const pieceSize of [1, 2, 3, 7, 64]) {
        const ranges = await rangesOf(text, rangeBytes, pieceSize);
        expect(ranges.map((range) => range.text).join(''), `${rangeBytes}/${pieceSize}`).toBe(text);
        // Each range but an empty one starts at a line start and ends just past a line feed (the last aside).
        for (const range of ranges.slice(0, -1))
          expect(range.text === '' || range.text.endsWith('\n')).toBe(true);
        const feeds = ranges.reduce((sum, range) => sum + range.lineFeeds, 0);
        expect(feeds).toBe(text.split('\n').length - 1);
      }
    }
  });

  it('leaves a range that holds no line start empty, and its neighbour takes the long line', async () => {
    const ranges = await rangesOf(`h\n${'x'.repeat(20)}\nshort\n`, 5, 4);
    expect(ranges.map((range) => range.text)).toEqual([`h\n${'x'.repeat(20)}\n`, '', '', '', 'short\n', '']);
  });
});

describe('readBatch with a cut line', () => {
  const header =
    'claim_id,line_no,member_id,date_of_service,procedure_code,units,place_of_service,rendering_npi,charge,payer\n';
  const line = (claim: string, payer = 'Acme') =>
    `${claim},1,M1,2026-01-05,62323,1,11,1234567893,10,${payer}\n`;
  const read = (text: string, cutLine: number) => {
    const lines: number[] = [];
    const result = readBatch(
      [Buffer.from(text)],
      (chunk) => {
        lines.push(...chunk.startLines);
      },
      { cutLine: () => cutLine },
    );
    return result.then((intake) => ({ intake, lines }));
  };

  it('keeps the records before the cut line and says none ran across it', async () => {
    const text = `${header}${line('C1', '"Acme\nHealth"')}${line('C2')}${line('C3')}${line('C4')}`;
    const { intake, lines } = await read(text, 4);
    expect(intake.rejection).toBeUndefined();
    expect(lines).toEqual([2]); // C1 spans lines 2-3; C2, on line 4, is the next range's
    expect(intake.endsAtRecord).toBe(true);
  });

  it('frames on past the cut to decide a stray quote, and keeps only its own line', async () => {
    const text = `${header}${line('C1')}C2,1,"stray\n${line('C3')}${line('C4', '"Acme Health, Inc."')}`;
    const { intake, lines } = await read(text, 4);
    expect(intake.rejected.map((record) => record.line)).toEqual([3]);
    expect(lines).toEqual([2]);
    expect(intake.endsAtRecord).toBe(true);
  });

  it('says a quoted record runs across the cut', async () => {
    const text = `${header}${line('C1')}${line('C2', '"Acme\nHealth"')}${line('C3')}`;
    const { intake } = await read(text, 4);
    expect(intake.endsAtRecord).toBe(false);
  });
});
