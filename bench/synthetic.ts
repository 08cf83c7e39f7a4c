/**
 * What the sample generator (scripts/make-samples.ts) and the benchmark batch generator
 * (bench/generate-batch.ts) share beyond the test-support helpers both use (seeded random, NPIs,
 * dates, CSV quoting, the standard header): the as-of date and the small code tables that make claim
 * lines look real.
 *
 * Everything here is synthetic: member ids, NPIs, claim ids and payer names are made up.
 */
import type { Random } from '../test/support/random.js';

/** The as-of date the samples and bench batches are written for: every "clean" date of service lies before it. */
export const SAMPLE_AS_OF = '2026-11-28';

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

export function chargeFor(random: Random, code: string): string {
  const options = CHARGES[code.toUpperCase()];
  return options === undefined ? '100.00' : random.pick(options);
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
