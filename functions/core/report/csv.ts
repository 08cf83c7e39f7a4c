/** CSV output: RFC 4180 quoting, and a guard so spreadsheets never run a cell as a formula. */

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** A text cell: a leading `'` defuses `=`, `+`, `-`, `@`, tab or CR; quotes where RFC 4180 needs them. */
export function textCell(value: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** A number cell, written as is (never guarded: `-1` stays a number). */
export const numberCell = (value: number | string): string => String(value);

export const csvRow = (cells: readonly string[]): string => `${cells.join(',')}\n`;
