/**
 * Synthetic NPIs for the tests, the samples and the bench batches. The check digit is computed here
 * on its own — the plain Luhn walk over the 80840-prefixed number, not the engine's shortcut — so the
 * tests and the samples' answer key can hold the engine's isValidNpi to it.
 */
import type { Random } from './random.js';

/** Luhn check digit of a 9-digit NPI base, with the 80840 prefix. */
export function npiCheckDigit(base: string): number {
  if (!/^\d{9}$/.test(base)) throw new Error(`npiCheckDigit: base must be 9 digits, got ${base}`);
  const digits = `80840${base}`;
  let sum = 0;
  // From the right, the first digit of the base+prefix string (next to the check digit) is doubled.
  for (let position = 0; position < digits.length; position += 1) {
    let digit = Number(digits[digits.length - 1 - position]);
    if (position % 2 === 0) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return (10 - (sum % 10)) % 10;
}

/** A 10-digit NPI from a 9-digit base: valid when the base starts with 1 or 2. */
export const npi = (base: string): string => `${base}${npiCheckDigit(base)}`;

/** The reference check the samples' answer key uses (the engine's own is functions/core/engine/values.ts). */
export function isValidNpi(value: string): boolean {
  return /^[12]\d{9}$/.test(value) && npiCheckDigit(value.slice(0, 9)) === Number(value[9]);
}

/** A valid NPI (the NPPES example). */
export const NPI_A = '1234567893';
export const NPI_B = npi('198765432');
export const NPI_C = npi('245678901');
/** NPI_A with a wrong check digit. */
export const NPI_BAD_CHECK = '1234567890';

/** A valid, made-up NPI: 1 for individual providers, 2 for organisations. */
export function makeNpi(random: Random, first: 1 | 2): string {
  return npi(String(first) + random.digits(8));
}

/** `count` distinct valid NPIs. */
export function makeNpiPool(random: Random, count: number, first: 1 | 2): string[] {
  const pool = new Set<string>();
  while (pool.size < count) pool.add(makeNpi(random, first));
  return [...pool];
}

/** A valid NPI with its check digit changed, so it fails the Luhn check. */
export function breakNpi(valid: string): string {
  if (!isValidNpi(valid)) throw new Error('breakNpi: the NPI to break must be valid');
  return valid.slice(0, 9) + String((Number(valid[9]) + 1) % 10);
}
