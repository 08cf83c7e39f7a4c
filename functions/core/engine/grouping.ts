/** Small helpers the cross-line rules group and count with. */

export const ascending = (a: number, b: number): number => a - b;

export function groupBy<T, K>(items: Iterable<T>, keyOf: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

/** The first position of sorted `values` whose value is not below `target`. */
export function lowerBound(values: readonly number[], target: number): number {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (values[middle]! < target) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Values of sorted `values` within [from, to]. */
export function countBetween(values: readonly number[], from: number, to: number): number {
  return lowerBound(values, to + 1) - lowerBound(values, from);
}
