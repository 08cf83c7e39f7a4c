/**
 * Helpers shared by the sample generator (scripts/make-samples.ts) and the benchmark batch
 * generator (bench/generate-batch.ts): a seeded PRNG, NPI check digits, the accepted date formats,
 * CSV quoting, and the small code tables both use to make claim lines look real.
 *
 * Everything here is synthetic: member ids, NPIs, claim ids and payer names are made up.
 */

/** The input columns, in the order the samples and the bench batches write them. */
export const HEADER = [
  'claim_id',
  'line_no',
  'member_id',
  'patient_dob',
  'date_of_service',
  'date_of_service_to',
  'procedure_code',
  'modifier_1',
  'modifier_2',
  'modifier_3',
  'modifier_4',
  'dx_1',
  'dx_2',
  'dx_3',
  'dx_4',
  'units',
  'place_of_service',
  'rendering_npi',
  'billing_npi',
  'charge',
  'prior_auth',
  'payer',
] as const;

export type Column = (typeof HEADER)[number];
export type ClaimLineFields = Record<Column, string>;

export const HEADER_LINE: string = HEADER.join(',');

/** The as-of date the samples are written for: every "clean" date of service lies before it. */
export const SAMPLE_AS_OF = '2026-11-28';

// ---------------------------------------------------------------------------------------------
// Seeded PRNG

/**
 * mulberry32: a 32-bit generator that is tiny, fast and plenty for synthetic data. A fixed seed
 * gives byte-identical files on every machine, which is what lets tests pin line numbers.
 */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('Rng.pick: empty list');
    return item;
  }

  /** A string of `count` random decimal digits. */
  digits(count: number): string {
    let text = '';
    for (let index = 0; index < count; index += 1) text += String(Math.floor(this.next() * 10));
    return text;
  }

  /** Fisher–Yates, in place. */
  shuffle<T>(items: T[]): T[] {
    for (let index = items.length - 1; index > 0; index -= 1) {
      const other = Math.floor(this.next() * (index + 1));
      const held = items[index] as T;
      items[index] = items[other] as T;
      items[other] = held;
    }
    return items;
  }
}

// ---------------------------------------------------------------------------------------------
// NPI

/**
 * The NPI check digit: Luhn over the 9-digit base as if prefixed by the issuer code 80840. The
 * prefix always contributes 24 to the sum, so only the base needs walking.
 */
export function npiCheckDigit(base: string): number {
  if (!/^\d{9}$/.test(base)) throw new Error(`npiCheckDigit: base must be 9 digits, got ${base}`);
  let sum = 24;
  for (let index = 0; index < 9; index += 1) {
    // Counting from the right of the full 15-digit number, the base digits at even offsets are doubled.
    let digit = base.charCodeAt(index) - 48;
    if (index % 2 === 0) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return (10 - (sum % 10)) % 10;
}

export function isValidNpi(npi: string): boolean {
  return /^[12]\d{9}$/.test(npi) && npiCheckDigit(npi.slice(0, 9)) === Number(npi[9]);
}

/** A valid, made-up NPI: 1 for individual providers, 2 for organisations. */
export function makeNpi(rng: Rng, first: 1 | 2): string {
  const base = String(first) + rng.digits(8);
  return base + String(npiCheckDigit(base));
}

/** The same NPI with its check digit changed, so it fails the Luhn check. */
export function breakNpi(npi: string): string {
  const check = Number(npi[9]);
  return npi.slice(0, 9) + String((check + 1) % 10);
}

/** `count` distinct valid NPIs. */
export function makeNpiPool(rng: Rng, count: number, first: 1 | 2): string[] {
  const pool = new Set<string>();
  while (pool.size < count) pool.add(makeNpi(rng, first));
  return [...pool];
}

// ---------------------------------------------------------------------------------------------
// Dates, as whole days since 1970-01-01 (UTC), in the formats formats.md accepts

const DAY_MS = 86_400_000;

/** Day number of a `YYYY-MM-DD` date (the string is trusted: it comes from our own code). */
export function dayOf(iso: string): number {
  const [year, month, day] = iso.split('-').map(Number);
  return Date.UTC(year ?? 0, (month ?? 1) - 1, day ?? 1) / DAY_MS;
}

const parts = (day: number): { year: string; month: string; day: string } => {
  const iso = isoDate(day);
  return { year: iso.slice(0, 4), month: iso.slice(5, 7), day: iso.slice(8, 10) };
};

/** `YYYY-MM-DD` */
export const isoDate = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);

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

// ---------------------------------------------------------------------------------------------
// CSV

const NEEDS_QUOTES = /[",\r\n]/;

/** RFC 4180: quote a field only when it holds a comma, a quote or a line break. */
export function csvField(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

export function csvRecord(values: readonly string[]): string {
  return values.map(csvField).join(',');
}

export function claimLineRecord(fields: ClaimLineFields): string {
  return csvRecord(HEADER.map((column) => fields[column]));
}

// ---------------------------------------------------------------------------------------------
// Code tables for realistic clean lines (the rule catalog itself lives in functions/core/rules)

/** Covered lumbar/sacral diagnoses, as billers write them (with the dot, and a few without). */
export const COVERED_DIAGNOSES: readonly string[] = [
  'M54.16',
  'M54.17',
  'M5416',
  'M5417',
  'M51.16',
  'M51.17',
  'M51.26',
  'M48.061',
  'M48.062',
  'M48062',
  'M47.26',
  'M47.27',
  'M54.41',
  'M54.42',
  'M96.1',
];

/** Secondary diagnoses that may sit beside a covered one (none retired, none on their own for 62323). */
export const SECONDARY_DIAGNOSES: readonly string[] = ['M54.50', 'G89.29', 'M62.830', 'M47.816', 'Z79.899'];

/** Diagnoses for members who are not having injections (back pain work-up, therapy). */
export const GENERAL_BACK_DIAGNOSES: readonly string[] = [
  'M54.50',
  'M54.59',
  'M54.2',
  'M62.830',
  'M47.816',
  'M54.16',
  'M51.26',
  'G89.29',
];

/** Steroids billed by the physician in the office (POS 11), with units and a line charge. */
export const OFFICE_STEROIDS: readonly { code: string; units: string; charge: string }[] = [
  { code: 'J3301', units: '4', charge: '26.00' },
  { code: 'J3301', units: '8', charge: '52.00' },
  { code: 'J1100', units: '10', charge: '9.00' },
  { code: 'J0702', units: '2', charge: '28.00' },
];

/** Typical line charges per code (one unit), as plain amounts. */
export const CHARGES: Readonly<Record<string, readonly string[]>> = {
  '62323': ['1150.00', '1185.00', '1240.00', '1095.00'],
  '62322': ['780.00'],
  '62327': ['1320.00'],
  '62321': ['1110.00'],
  '62311': ['1080.00'],
  '64479': ['1050.00'],
  '64483': ['985.00', '1010.00'],
  '64493': ['760.00'],
  '20552': ['140.00'],
  '20553': ['165.00'],
  '99203': ['190.00'],
  '99204': ['285.00'],
  '99213': ['145.00', '150.00'],
  '99214': ['210.00', '215.00'],
  '99243': ['260.00'],
  '99152': ['95.00'],
  '99153': ['40.00'],
  '01938': ['480.00'],
  '97110': ['124.00'],
  '97140': ['58.00'],
  '97530': ['70.00'],
  '72100': ['118.00', '121.00'],
  '72148': ['850.00'],
  '77003': ['210.00'],
  '77012': ['380.00'],
  '76000': ['180.00'],
  '72275': ['320.00'],
  J1030: ['18.00'],
  J1040: ['36.00'],
};

export function chargeFor(rng: Rng, code: string): string {
  const options = CHARGES[code.toUpperCase()];
  return options === undefined ? '100.00' : rng.pick(options);
}

/** Made-up payers; two need CSV quoting (a comma, and embedded quotes). */
export const PAYERS: readonly string[] = [
  'Acme Health, Inc.',
  'Contoso Health Plan',
  'Fabrikam Mutual',
  'Blue Heron "Select" PPO',
  'Northwind Benefits',
  'Medicare Part B',
  'Medicare Part B',
  'Contoso Health Plan',
];
