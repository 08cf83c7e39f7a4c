/**
 * A growable int32 column kept in fixed-size pages. Growing adds a page and never copies, so a big
 * batch never holds an old and a new copy of a column at once (a doubling array briefly needs 3x).
 * Unwritten positions read as 0.
 */
const PAGE_BITS = 14;
const PAGE_SIZE = 1 << PAGE_BITS;
const PAGE_MASK = PAGE_SIZE - 1;

export class Int32Pages {
  private readonly pages: Int32Array[] = [];

  get(index: number): number {
    return this.pages[index >>> PAGE_BITS]?.[index & PAGE_MASK] ?? 0;
  }

  set(index: number, value: number): void {
    const page = index >>> PAGE_BITS;
    while (page >= this.pages.length) this.pages.push(new Int32Array(PAGE_SIZE));
    this.pages[page]![index & PAGE_MASK] = value;
  }

  /** Bytes held (for tests and the bench). */
  get bytes(): number {
    return this.pages.length * PAGE_SIZE * 4;
  }
}
