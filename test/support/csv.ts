/**
 * CSV as billing systems write it, for the synthetic batches of the tests, samples and bench. Input
 * quoting only: the report's own cells (functions/core/report/csv.ts) also defuse formulas, which an
 * input file must not do (a charge of `-45.00` is written as is).
 */

const NEEDS_QUOTES = /[",\r\n]/;

/** RFC 4180: quote a field only when it holds a comma, a quote or a line break. */
export const csvField = (value: string): string =>
  NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value;

export const csvRecord = (values: readonly string[]): string => values.map(csvField).join(',');
