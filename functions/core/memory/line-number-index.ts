/**
 * The first line of each (claim, line number) pair, for DUPLICATE_LINE. A claim has a few lines, so
 * its entries hang off the claim's table id in a short list: 12 bytes a pair in paged columns,
 * about half a hash entry, and nothing to rehash. A claim with very many lines gets a map of its
 * own, so no list grows long. Line numbers that are not plain numbers are keyed as text.
 */
import { Int32Pages } from './int-pages.js';

/** Entries a claim keeps in its list before it moves to a map. */
const LIST_LIMIT = 32;

export class LineNumberIndex {
  /** Claim id → its newest entry + 1 (0: none). */
  private readonly heads = new Int32Pages();
  private readonly numbers = new Int32Pages();
  private readonly firstLines = new Int32Pages();
  /** Entry → the claim's previous entry + 1 (0: end of list). */
  private readonly nexts = new Int32Pages();
  private readonly crowded = new Map<number, Map<number, number>>();
  private count = 0;

  /** The entry of (claim, number), or -1 when the pair is new. */
  find(claim: number, number: number): number {
    const own = this.crowded.get(claim);
    if (own !== undefined) return own.get(number) ?? -1;
    for (let entry = this.heads.get(claim) - 1; entry >= 0; entry = this.nexts.get(entry) - 1)
      if (this.numbers.get(entry) === number) return entry;
    return -1;
  }

  /** Adds the pair (known to be new) first seen on `line`; returns its entry. */
  add(claim: number, number: number, line: number): number {
    const entry = this.count++;
    this.numbers.set(entry, number);
    this.firstLines.set(entry, line);
    const own = this.crowded.get(claim);
    if (own !== undefined) {
      own.set(number, entry);
      return entry;
    }
    this.nexts.set(entry, this.heads.get(claim));
    this.heads.set(claim, entry + 1);
    let length = 0;
    for (let at = entry; at >= 0 && length <= LIST_LIMIT; at = this.nexts.get(at) - 1) length += 1;
    if (length > LIST_LIMIT) {
      const map = new Map<number, number>();
      for (let at = entry; at >= 0; at = this.nexts.get(at) - 1) map.set(this.numbers.get(at), at);
      this.crowded.set(claim, map);
    }
    return entry;
  }

  firstLine(entry: number): number {
    return this.firstLines.get(entry);
  }

  setFirstLine(entry: number, line: number): void {
    this.firstLines.set(entry, line);
  }
}
