/**
 * Each checked line's key cells, UTF-8 encoded back to back in one byte array. A partial carries
 * these for every line (duplicates and claim/member counts need them all); one byte array crosses a
 * thread boundary by transfer and is read by the merge without making a string per cell.
 */

/** Cells of a line, in this order. */
export const KEY_CELLS = [
  'claimId',
  'lineNo',
  'memberKey',
  'memberId',
  'dosText',
  'code',
  'chargeText',
  'npi',
  'payer',
] as const;
export const KEY_CELL_COUNT = KEY_CELLS.length;
export const CELL = Object.fromEntries(KEY_CELLS.map((name, index) => [name, index])) as {
  readonly [K in (typeof KEY_CELLS)[number]]: number;
};

export interface PackedKeys {
  readonly bytes: Uint8Array;
  /** End offset of every cell (line i, cell c at i * KEY_CELL_COUNT + c); a cell starts where the previous ends. */
  readonly ends: Int32Array;
}

/**
 * Room the packers of one thread share: a chunk is packed in one synchronous pass and finish()
 * copies what it holds, so the next chunk can write over it. A pair made for every chunk would be
 * about as many bytes of garbage as the batch itself, and the collector lets that much pile up before
 * it runs (peak memory).
 */
let scratchBytes = Buffer.allocUnsafe(0);
let scratchEnds = new Int32Array(0);

export class KeyPacker {
  private bytes: Buffer;
  private readonly ends: Int32Array;
  private used = 0;
  private cells = 0;

  /**
   * `textBytes`: the bytes of the records the cells come from. The cells are drawn from those records,
   * so that much room seldom needs to grow. One packer at a time per thread: a second one writes
   * over the first's cells.
   */
  constructor(lines: number, textBytes: number) {
    const room = Math.max(64, textBytes);
    if (scratchBytes.length < room) scratchBytes = Buffer.allocUnsafe(room);
    if (scratchEnds.length < lines * KEY_CELL_COUNT) scratchEnds = new Int32Array(lines * KEY_CELL_COUNT);
    this.bytes = scratchBytes;
    this.ends = scratchEnds;
  }

  cell(text: string): void {
    const { length } = text;
    const used = this.used;
    if (used + length * 3 > this.bytes.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, used + length * 3));
      this.bytes.copy(bigger, 0, 0, used);
      this.bytes = bigger;
      scratchBytes = bigger;
    }
    // Locals, not fields, in the loop: it runs for every character of nine cells of every line.
    const bytes = this.bytes;
    let index = 0;
    for (; index < length; index += 1) {
      const char = text.charCodeAt(index);
      if (char >= 0x80) break;
      bytes[used + index] = char;
    }
    const end = index === length ? used + length : used + bytes.write(text, used, 'utf8');
    this.used = end;
    this.ends[this.cells++] = end;
  }

  finish(): PackedKeys {
    // Exact-size copies: the room is the next chunk's, and the arrays may be transferred to another thread.
    return {
      bytes: Uint8Array.prototype.slice.call(this.bytes, 0, this.used),
      ends: this.ends.slice(0, this.cells),
    };
  }
}

export function cellText(keys: PackedKeys, line: number, cell: number): string {
  const index = line * KEY_CELL_COUNT + cell;
  const start = index === 0 ? 0 : keys.ends[index - 1]!;
  return Buffer.from(keys.bytes.buffer, keys.bytes.byteOffset, keys.bytes.byteLength).toString(
    'utf8',
    start,
    keys.ends[index]!,
  );
}
