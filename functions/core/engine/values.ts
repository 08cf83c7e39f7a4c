/** Field-level parsing and normalisation: dates, money, NPIs and code shapes. Pure and allocation-light. */

/** Days since 1970-01-01 for a real calendar date, or undefined. */
export function dayNumber(year: number, month: number, day: number): number | undefined {
  if (year < 1000 || year > 9999 || month < 1 || month > 12 || day < 1) return undefined;
  if (day > daysInMonth(year, month)) return undefined;
  // Days from civil (Howard Hinnant's algorithm): exact for the proleptic Gregorian calendar.
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

const US = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;

/** Digits at [start, start + length) as a number, or -1 if any is not a digit. */
function digitsAt(text: string, start: number, length: number): number {
  let value = 0;
  for (let index = start; index < start + length; index += 1) {
    const digit = text.charCodeAt(index) - 0x30;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/** Parses YYYY-MM-DD, MM/DD/YYYY (or M/D/YYYY) or YYYYMMDD into a day number. */
export function parseDate(text: string): number | undefined {
  // Hand-rolled for the two fixed-width formats: this runs for every date of every line.
  if (text.length === 10 && text.charCodeAt(4) === 0x2d && text.charCodeAt(7) === 0x2d) {
    const year = digitsAt(text, 0, 4);
    const month = digitsAt(text, 5, 2);
    const day = digitsAt(text, 8, 2);
    return year < 0 || month < 0 || day < 0 ? undefined : dayNumber(year, month, day);
  }
  if (text.length === 8 && digitsAt(text, 0, 8) >= 0) {
    return dayNumber(digitsAt(text, 0, 4), digitsAt(text, 4, 2), digitsAt(text, 6, 2));
  }
  const match = US.exec(text);
  return match ? dayNumber(Number(match[3]), Number(match[1]), Number(match[2])) : undefined;
}

/** A date as YYYY-MM-DD, undefined when it is not one; text already in that form is kept as it is. */
export function isoDateOf(text: string): string | undefined {
  const day = parseDate(text);
  if (day === undefined) return undefined;
  const iso = text.length === 10 && text.charCodeAt(4) === 0x2d && text.charCodeAt(7) === 0x2d;
  return iso ? text : formatDay(day);
}

/** Day number back to YYYY-MM-DD. */
export function formatDay(days: number): string {
  return new Date(days * 86_400_000).toISOString().slice(0, 10);
}

const AMOUNT = /^\$?(\d{1,3}(?:,\d{3})+|\d+)?(?:\.(\d{1,2}))?$/;

/** An amount as cents: `1250`, `1250.5`, `$1,250.00`. Negative, malformed or over-precise amounts give undefined. */
export function parseCents(text: string): number | undefined {
  // Fast path for the common plain form `1250` / `1250.00` (runs for every line).
  const dot = text.indexOf('.');
  const wholeLength = dot === -1 ? text.length : dot;
  const fractionLength = dot === -1 ? 0 : text.length - dot - 1;
  if (wholeLength > 0 && wholeLength <= 13 && fractionLength <= 2 && (dot === -1 || fractionLength > 0)) {
    const whole = digitsAt(text, 0, wholeLength);
    const fraction = fractionLength === 0 ? 0 : digitsAt(text, dot + 1, fractionLength);
    if (whole >= 0 && fraction >= 0) return whole * 100 + (fractionLength === 1 ? fraction * 10 : fraction);
  }
  const match = AMOUNT.exec(text);
  if (!match || (match[1] === undefined && match[2] === undefined)) return undefined;
  const whole = match[1] === undefined ? 0 : Number(match[1].replaceAll(',', ''));
  const fraction = match[2] === undefined ? 0 : Number(match[2].padEnd(2, '0'));
  const cents = whole * 100 + fraction;
  return Number.isSafeInteger(cents) ? cents : undefined;
}

export const formatCents = (cents: number): string => {
  const whole = Math.floor(cents / 100);
  const fraction = cents % 100;
  return `${whole}.${fraction < 10 ? '0' : ''}${fraction}`;
};

const UNITS = /^\d+(?:\.0+)?$/;

/** Units as a whole number ≥ 1 (`2` or `2.0`), else undefined. */
export function parseUnits(text: string): number | undefined {
  if (!UNITS.test(text)) return undefined;
  const units = Number.parseInt(text, 10);
  return units >= 1 && Number.isSafeInteger(units) ? units : undefined;
}

/**
 * NPI check digit: Luhn over the 9-digit base with the card-issuer prefix 80840 (NPPES). The prefix
 * contributes a constant 24 to the doubled-digit sum.
 */
export function isValidNpi(npi: string): boolean {
  if (npi.length !== 10) return false;
  const first = npi.charCodeAt(0);
  if (first !== 0x31 && first !== 0x32) return false;
  let sum = 24;
  for (let index = 0; index < 9; index += 1) {
    let digit = npi.charCodeAt(index) - 0x30;
    if (digit < 0 || digit > 9) return false;
    if (index % 2 === 0) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  const check = npi.charCodeAt(9) - 0x30;
  return check >= 0 && check <= 9 && (10 - (sum % 10)) % 10 === check;
}

export const PROCEDURE_CODE_SHAPE = /^(?:\d{5}|\d{4}[FTU]|[A-Z]\d{4})$/;
export const MODIFIER_SHAPE = /^[A-Z0-9]{2}$/;
export const DIAGNOSIS_SHAPE = /^[A-Z]\d[A-Z0-9]{1,5}$/;
export const POS_SHAPE = /^\d{2}$/;
export const isValidPos = (pos: string): boolean => POS_SHAPE.test(pos) && pos !== '00';

/** Splits a list cell (`25 59`, `M54.16;M48.062`, …) on spaces, commas, colons, semicolons or pipes. */
export const splitList = (cell: string): string[] =>
  cell.split(/[\s,:;|]+/).filter((part) => part.length > 0);

/**
 * Diagnosis codes compare upper-case without the dot. ICD-10-CM writes its one dot after the third
 * character (`M54.16`); a dot anywhere else is kept, so the shape check rejects the code as written.
 */
export function normalizeDiagnosis(code: string): string {
  // Most codes are already upper-case and trimmed; this runs for every code of every line.
  let clean = true;
  for (let index = 0; index < code.length; index += 1) {
    const char = code.charCodeAt(index);
    if (char !== 0x2e && !((char >= 0x30 && char <= 0x39) || (char >= 0x41 && char <= 0x5a))) clean = false;
  }
  const upper = clean ? code : code.trim().toUpperCase();
  const dot = upper.indexOf('.');
  if (dot === -1) return upper;
  return dot === 3 && upper.indexOf('.', dot + 1) === -1 && upper.length > 4
    ? upper.slice(0, 3) + upper.slice(4)
    : upper;
}
