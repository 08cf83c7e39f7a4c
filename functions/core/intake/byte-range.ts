/**
 * Byte ranges of an upload, aligned to lines, so several readers can split one upload at once.
 * A range owns the lines that start inside it: its reader skips to the first line start at or after
 * its start and reads through the line that runs over its end. Two neighbours find their shared cut
 * with the same byte scan, so together the ranges hold every line exactly once.
 *
 * A line start is not always a record start: a quoted field may hold a line feed. The reader of the
 * range before a cut frames on past it from a known record start until a record starts at or after
 * the cut, so it can tell (ReadOptions `cutLine`, IntakeResult `endsAtRecord`); when a record runs
 * across a cut, the ranges cannot be joined and the upload is read whole instead.
 */
import { LF } from './chars.js';

export interface ByteRange {
  /** Bytes [start, end) of the upload, before alignment. */
  readonly start: number;
  readonly end: number;
  /** The upload's last range: it reads to the end, whatever `end` says. */
  readonly last: boolean;
}

/** Cuts `size` bytes into ranges of about `rangeBytes`, at most `maxRanges` of them. */
export function byteRangesOf(size: number, rangeBytes: number, maxRanges: number): ByteRange[] {
  const step = Math.max(rangeBytes, Math.ceil(size / maxRanges));
  const count = Math.max(1, Math.ceil(size / step));
  return Array.from({ length: count }, (_, index) => ({
    start: index * step,
    end: Math.min(size, (index + 1) * step),
    last: index === count - 1,
  }));
}

/** Where a reader of `range` asks the upload to begin: one byte early, to see whether a line starts at `start`. */
export const readFromOf = (range: ByteRange): number => Math.max(0, range.start - 1);

/**
 * A range's bytes, from a stream of the upload that begins at `readFromOf(range)`: from its first
 * line start on, through its cut (just past the first line feed at or after byte end - 1), and then
 * on past it, so a reader can finish the records that run over the cut; it stops reading there
 * (leaving the loop closes the stream).
 */
export class RangeLines implements AsyncIterable<Buffer> {
  /** Line feeds before the cut: the next range's lines start this many lines further on. */
  lineFeeds = 0;
  /** Bytes before the cut. */
  bytes = 0;
  /** The cut is passed: every byte handed out from now on is the next range's. */
  pastCut = false;

  constructor(
    private readonly source: AsyncIterable<Uint8Array>,
    private readonly range: ByteRange,
  ) {}

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer> {
    const { start, end, last } = this.range;
    let at = readFromOf(this.range); // where the next piece starts in the upload
    let started = start === 0;
    for await (const raw of this.source) {
      const piece = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
      const pieceStart = at;
      at += piece.length;
      let from = 0;
      if (!started) {
        const newline = piece.indexOf(LF);
        if (newline < 0) continue;
        // The first line start lies at or past the cut: this range owns no line.
        if (!last && pieceStart + newline >= end - 1) return;
        started = true;
        from = newline + 1;
      }
      if (this.pastCut) {
        yield piece;
        continue;
      }
      const newline = last ? -1 : piece.indexOf(LF, Math.max(from, end - 1 - pieceStart));
      if (newline < 0) {
        if (from < piece.length) yield this.owned(piece.subarray(from));
        continue;
      }
      yield this.owned(piece.subarray(from, newline + 1));
      this.pastCut = true;
      if (newline + 1 < piece.length) yield piece.subarray(newline + 1);
    }
  }

  private owned(bytes: Buffer): Buffer {
    this.bytes += bytes.length;
    for (let at = bytes.indexOf(LF); at !== -1; at = bytes.indexOf(LF, at + 1)) this.lineFeeds += 1;
    return bytes;
  }
}
