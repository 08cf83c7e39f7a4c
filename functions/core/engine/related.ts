/**
 * Related lines, bounded: a finding lists at most the RELATED_LIMIT lowest other lines of its group
 * and its message gives the total. A group of any size keeps one sorted list; each finding gets a
 * short array (shared by every line outside the lowest few), so output stays linear in the lines.
 */
import { formatCount } from '../report/format.js';
import { lowerBound } from './grouping.js';

export const RELATED_LIMIT = 20;

const EMPTY: readonly number[] = [];

/** The related lines of one group: `sorted` ascending, without repeats. */
export class RelatedLines {
  /** The lowest RELATED_LIMIT lines: the related lines of any line that is not among them. */
  private readonly lowest: readonly number[];

  constructor(private readonly sorted: readonly number[]) {
    this.lowest = sorted.length <= RELATED_LIMIT ? sorted : sorted.slice(0, RELATED_LIMIT);
  }

  /** The lines other than `self`, the lowest RELATED_LIMIT of them. */
  of(self = -1): readonly number[] {
    const end = Math.min(this.sorted.length, RELATED_LIMIT + 1);
    // Only a line among the lowest RELATED_LIMIT + 1 changes which lines are listed.
    if (end === 0 || self > this.sorted[end - 1]! || !this.has(self)) return this.lowest;
    const others: number[] = [];
    for (let at = 0; at < end; at += 1) if (this.sorted[at] !== self) others.push(this.sorted[at]!);
    return others.length === 0 ? EMPTY : others;
  }

  /** How many lines other than `self` there are. */
  total(self = -1): number {
    return this.sorted.length - (this.has(self) ? 1 : 0);
  }

  /** `message`, with the total when it lists fewer related lines than there are. */
  message(message: string, self = -1): string {
    return withTotal(message, this.total(self));
  }

  private has(line: number): boolean {
    const at = lowerBound(this.sorted, line);
    return this.sorted[at] === line;
  }
}

/** A finding's message, and the related lines in all when there are more than it lists. */
export const withTotal = (message: string, total: number): string =>
  total <= RELATED_LIMIT
    ? message
    : `${message} (${formatCount(total)} related lines; the ${RELATED_LIMIT} lowest are listed)`;

/**
 * The lowest RELATED_LIMIT of two ascending lists, ascending (the lists share no line). Used to
 * combine groups' lowest lines without sorting their union.
 */
export function lowestOfBoth(a: readonly number[], b: readonly number[]): readonly number[] {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (out.length < RELATED_LIMIT && (i < a.length || j < b.length)) {
    if (j >= b.length || (i < a.length && a[i]! < b[j]!)) out.push(a[i++]!);
    else out.push(b[j++]!);
  }
  return out;
}
