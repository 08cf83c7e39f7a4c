/**
 * The one seeded PRNG of everything that makes synthetic data: the property tests, the sample
 * generator (scripts/make-samples.ts) and the bench batches (bench/generate-batch.ts). mulberry32 is
 * tiny, fast and plenty for synthetic data; a fixed seed gives the same draws on every machine, which
 * is what keeps the samples and the bench batch byte-identical and lets tests pin line numbers.
 *
 * Every method draws from `next()` in a fixed way (one draw per int, pick and chance; one per digit;
 * one per swap in shuffle): changing that changes every generated file.
 */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** An integer in [min, max], both included. */
  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new Error('Random.pick: empty list');
    return item;
  }

  /** A string of `count` random decimal digits. */
  digits(count: number): string {
    let text = '';
    for (let index = 0; index < count; index += 1) text += String(this.int(10));
    return text;
  }

  /** A new array: `items` in random order (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const copy = [...items];
    for (let index = copy.length - 1; index > 0; index -= 1) {
      const other = this.int(index + 1);
      [copy[index], copy[other]] = [copy[other]!, copy[index]!];
    }
    return copy;
  }
}

export const seeded = (seed: number): Random => new Random(seed);
