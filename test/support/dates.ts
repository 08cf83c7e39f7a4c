/**
 * Dates as whole days since 1970-01-01 (UTC), and the written forms formats.md accepts. Computed here,
 * independently of the engine, for the tests, the samples and the bench batches.
 */

const DAY_MS = 86_400_000;

/** Days since 1970-01-01 of a `YYYY-MM-DD` date (the string is trusted: it comes from our own code). */
export function epochDay(iso: string): number {
  const [year, month, day] = iso.split('-').map(Number) as [number, number, number];
  return Date.UTC(year, month - 1, day) / DAY_MS;
}

/** `YYYY-MM-DD` */
export const isoDate = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);

/** ISO date `days` after (or before, when negative) `iso`. */
export const addDays = (iso: string, days: number): string => isoDate(epochDay(iso) + days);

const parts = (day: number): { year: string; month: string; day: string } => {
  const iso = isoDate(day);
  return { year: iso.slice(0, 4), month: iso.slice(5, 7), day: iso.slice(8, 10) };
};

/** `MM/DD/YYYY` */
export function usDate(day: number): string {
  const { year, month, day: dd } = parts(day);
  return `${month}/${dd}/${year}`;
}

/** `M/D/YYYY` (no leading zeros) */
export function usShortDate(day: number): string {
  const { year, month, day: dd } = parts(day);
  return `${Number(month)}/${Number(dd)}/${year}`;
}

/** `YYYYMMDD` */
export function compactDate(day: number): string {
  const { year, month, day: dd } = parts(day);
  return year + month + dd;
}
