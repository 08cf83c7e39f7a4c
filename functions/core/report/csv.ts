/** CSV output: RFC 4180 quoting, and a guard so spreadsheets never run a cell as a formula. */

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** RFC 4180 quoting alone: quotes a field only when it holds a comma, a quote or a line break. */
export const quoteCsv = (value: string): string =>
  NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value;

/** A text cell: a leading `'` defuses `=`, `+`, `-`, `@`, tab or CR; quotes where RFC 4180 needs them. */
export const textCell = (value: string): string => quoteCsv(FORMULA_START.test(value) ? `'${value}` : value);

/** A number cell, written as is (never guarded: `-1` stays a number). */
export const numberCell = (value: number | string): string => String(value);

export const csvRow = (cells: readonly string[]): string => `${cells.join(',')}\n`;
