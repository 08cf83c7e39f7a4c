/**
 * The example rule packs of samples/packs/ (packs.md), and the payers the samples write. The packs are
 * data here so that the scenarios planted for them and the files cannot drift apart.
 */

/** A rule pack as packs.md defines it, plus this project's optional `sources` (short, in our words). */
export interface SamplePack {
  readonly name: string;
  readonly version: string;
  readonly extends: '62323/v2';
  readonly description: string;
  readonly payers: readonly string[];
  readonly sources: readonly string[];
  readonly rules: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly lists?: Readonly<Record<string, unknown>>;
}

/** From this date of service on, the commercial plans no longer accept sciatica codes alone. */
export const SCIATICA_DROPPED_FROM = '2026-07-01';
export const COMMERCIAL_TIMELY_DAYS = 180;
export const REPEAT_DAYS = 14;

export const COMMERCIAL_UM: SamplePack = {
  name: 'commercial-um',
  version: '1',
  extends: '62323/v2',
  description:
    'Utilization management of the example commercial plans: tighter frequency, 14 days between injections, prior authorization required, 180-day filing limit',
  payers: ['Acme Health', 'Bluebird Commercial'],
  sources: [
    'Commercial utilization-management guidelines for lumbar epidurals: at most 3 sessions per region in 6 months and 4 in 12, and at least 14 days between injections',
    'The plans deny an epidural billed without the authorization number they issued, so a missing number is an error, not a warning',
    "The plans' provider contracts allow 180 days from the date of service to file",
    `Plan policy update effective ${SCIATICA_DROPPED_FROM}: sciatica codes (M54.30–M54.32) alone no longer support an epidural; radiculopathy or stenosis must be coded`,
  ],
  rules: {
    FREQUENCY_EXCEEDED: {
      windows: [
        { limit: 3, days: 183 },
        { limit: 4, days: 365 },
      ],
    },
    REPEAT_TOO_SOON: { enabled: true, days: REPEAT_DAYS },
    PRIOR_AUTH_MISSING: { severity: 'error' },
    TIMELY_FILING: { days: COMMERCIAL_TIMELY_DAYS },
  },
  lists: {
    coveredDiagnoses: {
      remove: ['M5430', 'M5431', 'M5432'].map((code) => ({ code, effectiveFrom: SCIATICA_DROPPED_FROM })),
    },
  },
};

export const MEDICARE: SamplePack = {
  name: 'medicare',
  version: '1',
  extends: '62323/v2',
  description:
    'Original Medicare (Part B): the built-in limits of 62323/v2 stated explicitly, and no prior authorization to check',
  payers: ['Medicare Part B', 'Medicare'],
  sources: [
    'Medicare epidural LCDs (L39240, L33906): at most 4 sessions per spinal region in a rolling 12 months',
    '42 CFR 424.44: a Medicare claim is filed within 12 months of the date of service',
    'Original Medicare in most MAC jurisdictions does not prior-authorize lumbar epidurals: the claim is checked against the LCD after the service, so there is no authorization number to look for',
    'Where a CMS model does require prior authorization for epidurals (WISeR, in some states from 2026), give those payers a pack of their own',
  ],
  rules: {
    FREQUENCY_EXCEEDED: { windows: [{ limit: 4, days: 365 }] },
    TIMELY_FILING: { days: 365 },
    PRIOR_AUTH_MISSING: { enabled: false },
  },
};

export const SAMPLE_PACKS: readonly { readonly file: string; readonly pack: SamplePack }[] = [
  { file: 'samples/packs/commercial-um.json', pack: COMMERCIAL_UM },
  { file: 'samples/packs/medicare.json', pack: MEDICARE },
];

export const BUILT_IN = '62323/v2';

/** The pack that judges a payer as written: packs.md compares names trimmed, without regard to case. */
export function packOf(payer: string): string {
  const key = payer.trim().toLowerCase();
  const found = SAMPLE_PACKS.find(({ pack }) => pack.payers.some((name) => name.toLowerCase() === key));
  return found?.pack.name ?? BUILT_IN;
}

/** Payers of the background claims: invented, none claimed by commercial-um (its 180-day limit would flag them). */
export const BACKGROUND_PAYERS: readonly string[] = [
  'Contoso Health Plan',
  'Contoso Health Plan',
  'Fabrikam Mutual',
  'Blue Heron "Select" PPO',
  'Northwind Benefits',
  'Woodgrove Health, Inc.',
  'Medicare Part B',
  'Medicare Part B',
];

/** How billing systems write the pack payers on planted lines: case and surrounding spaces vary. */
export const PAYER = {
  acme: ' acme health ',
  acmeUpper: 'ACME HEALTH',
  bluebird: 'Bluebird Commercial',
  bluebirdLower: 'bluebird commercial ',
  medicare: ' MEDICARE',
  medicareB: 'medicare part b',
  /** Not a pack payer: "Acme Health, Inc." is not "Acme Health". */
  acmeInc: 'Acme Health, Inc.',
} as const;

/** The pack file as written: two-space JSON, one final newline. */
export const packJson = (pack: SamplePack): string => `${JSON.stringify(pack, null, 2)}\n`;
