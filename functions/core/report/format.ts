/** How numbers read in every report and command output: US English, thousands separated. */

const COUNT = new Intl.NumberFormat('en-US');
const CENTS = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** A count: 1234567 → `1,234,567`. */
export const formatCount = (value: number): string => COUNT.format(value);

/** A count with its noun: (1, 'claim') → `1 claim`, (1203, 'claim') → `1,203 claims`. */
export const formatCounted = (value: number, one: string, many = `${one}s`): string =>
  `${formatCount(value)} ${value === 1 ? one : many}`;

/** Dollars to the cent: 1234.5 → `$1,234.50`. */
export const formatMoney = (value: number): string => `$${CENTS.format(value)}`;

const PERCENT = new Intl.NumberFormat('en-US', { style: 'percent', maximumFractionDigits: 1 });

/** A rate: 0.9475 → `94.8%`. */
export const formatPercent = (value: number): string => PERCENT.format(value);
