/**
 * A set of line numbers as one bit each, in pages: a batch's flagged lines take an eighth of a byte
 * a line however many findings they have, and testing a line never allocates.
 */
const PAGE_BITS = 17;
const PAGE_SIZE = 1 << PAGE_BITS;
const PAGE_MASK = PAGE_SIZE - 1;

export class LineSet {
  private readonly pages: Uint8Array[] = [];
  private count = 0;

  /** Adds `line`; true when it was not in the set yet. */
  add(line: number): boolean {
    const bit = line >>> 0;
    const page = Math.floor(bit / (PAGE_SIZE * 8));
    while (page >= this.pages.length) this.pages.push(new Uint8Array(PAGE_SIZE));
    const byte = (bit >>> 3) & PAGE_MASK;
    const mask = 1 << (bit & 7);
    const bytes = this.pages[page]!;
    if ((bytes[byte]! & mask) !== 0) return false;
    bytes[byte] = bytes[byte]! | mask;
    this.count += 1;
    return true;
  }

  get size(): number {
    return this.count;
  }
}
