/**
 * Field values as formats.md and rules.md define them: dates, codes, amounts. Plain regular
 * expressions and arithmetic, written for reading, not speed.
 */

const DAY_MS = 86_400_000;

const isLeapYear = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Days since 1970-01-01 of a real calendar date, or undefined. */
function calendarDay(year: number, month: number, day: number): number | undefined {
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day); // setUTCFullYear keeps years below 100 as written
  return date.getTime() / DAY_MS;
}

/** A date in one of the accepted forms (YYYY-MM-DD, MM/DD/YYYY or M/D/YYYY, YYYYMMDD) as a day number. */
export function parseDate(text: string): number | undefined {
  const value = text.trim();
  let match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (match) return calendarDay(Number(match[1]), Number(match[2]), Number(match[3]));
  match = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(value);
  if (match) return calendarDay(Number(match[3]), Number(match[1]), Number(match[2]));
  match = /^(\d{4})(\d{2})(\d{2})$/.exec(value);
  if (match) return calendarDay(Number(match[1]), Number(match[2]), Number(match[3]));
  return undefined;
}

/** A trusted `YYYY-MM-DD` (as-of date, catalog dates) as a day number. */
export function isoDay(iso: string): number {
  const day = parseDate(iso);
  if (day === undefined || !/^\d{4}-\d{2}-\d{2}$/.test(iso)) throw new Error(`not a YYYY-MM-DD date: ${iso}`);
  return day;
}

/** Codes: trimmed, upper-case. */
export const normCode = (text: string): string => text.trim().toUpperCase();
/** Diagnosis codes: as codes, without the dot. */
export const normDiagnosis = (text: string): string => normCode(text).replaceAll('.', '');
/** Member ids compare trimmed and case-insensitively (packs.md). */
export const memberKey = (text: string): string => text.trim().toUpperCase();

/** A list column's separators (formats.md): spaces, commas, colons, semicolons, pipes. */
export const splitList = (text: string): string[] => text.split(/[\s,:;|]+/).filter((part) => part !== '');

export const isProcedureCode = (code: string): boolean =>
  /^\d{5}$/.test(code) || /^\d{4}[FTU]$/.test(code) || /^[A-Z]\d{4}$/.test(code);

export const isModifier = (code: string): boolean => /^[A-Z0-9]{2}$/.test(code);

export const isDiagnosis = (code: string): boolean => /^[A-Z]\d[A-Z0-9]{1,5}$/.test(code);

/** Units: digits only, value ≥ 1 ("1.0" is not written as a whole number — spec silent, read strictly). */
export function parseUnits(text: string): number | undefined {
  const value = text.trim();
  if (!/^\d+$/.test(value)) return undefined;
  const units = Number(value);
  return units >= 1 ? units : undefined;
}

/**
 * A charge > 0, with an optional `$` and thousands commas. Spec silent on the details; an auditor's
 * reading: commas must group by three, and at most two decimals (cents).
 */
export function isValidCharge(text: string): boolean {
  const value = text.trim();
  const match = /^\$?(\d{1,3}(?:,\d{3})+|\d+)(?:\.\d{1,2})?$/.exec(value);
  if (!match) return false;
  return Number(value.replaceAll('$', '').replaceAll(',', '')) > 0;
}

export const isValidPos = (pos: string): boolean => /^\d{2}$/.test(pos) && pos !== '00';

/** claim_frequency: 7 replacement, 8 void, anything else counts as 1 (formats.md). */
export const claimFrequency = (text: string): '1' | '7' | '8' => {
  const value = text.trim();
  return value === '7' || value === '8' ? value : '1';
};
