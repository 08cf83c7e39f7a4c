/**
 * Seeded synthetic batches for comparing the engine with the reference checker: few members, NPIs and
 * dates, so encounters, sessions and claims collide and every 62323/v2 rule fires often; payers in
 * varied case and spacing, some claimed by generated packs; and a history of earlier sessions.
 */
import { csvRecord } from '../csv.js';
import { addDays, compactDate, epochDay, isoDate, usDate, usShortDate } from '../dates.js';
import { makeNpiPool } from '../npi.js';
import { Random } from '../random.js';

export interface RandomV2Batch {
  readonly csv: string;
  readonly packs: unknown[];
  readonly defaultPack?: string;
  readonly history: string;
  readonly asOf: string;
  /** This batch's id: history rows carrying it must be ignored. */
  readonly batchId: string;
}

const AS_OF = '2026-11-28';
const BATCH_ID = 'tonight';
const HEADER = (
  'claim_id,line_no,member_id,patient_dob,date_of_service,date_of_service_to,procedure_code,modifiers,' +
  'diagnosis_codes,units,place_of_service,rendering_npi,billing_npi,charge,prior_auth,payer,claim_frequency'
).split(',');
/** A blank line (skipped), then rows without a member, with a bad date, without a code. */
const IGNORED_HISTORY_ROWS = [
  '',
  ',2026-01-05,62323,,,,,prior-1,',
  'M0001,2026-13-01,62323,,,,,prior-1,',
  'M0001,2026-01-05,,,,,,,',
];
const HISTORY_HEADER =
  'member_id,date_of_service,procedure_code,provider_npi,claim_id,line_no,claim_frequency,batch_id,line';

const COMPANIONS = [
  ...['77003', '77012', '76000', '72275', '62322', '62324', '62327', '62321', '64480', '64483', '64484'],
  ...['64493', 'G0260', '20553', '99213', '99214', '99222', '99283', '99238', '99152', '99153', '01937'],
  ...['00630', 'J3301', 'J0702', 'J1100', 'J1010', 'J1040', '78630', '62310', '99143', '01936', '6232X'],
];
const STEROID_MAX_UNITS: Record<string, number> = { J3301: 12, J0702: 4, J1100: 20, J1010: 100, J1040: 100 };
const MODIFIERS = ['', '', '', '', '25', '59', 'XS', 'RT', '50', 'KX', 'GA GY', 'GA|KX', 'TC', '76', 'ABC'];
const DIAGNOSES = [
  ...['M54.16', 'M5417', 'M51.26', 'M51361', 'M48062', 'B0222', 'B0223', 'M5450', 'M47816', 'M545'],
  ...['M4806', 'M5136', 'G8918', 'M5489', 'Z9', 'M5430'],
];
const POS = ['11', '11', '11', '11', '22', '19', '21', '23', '24', '12', '00', '1'];
const CHARGES = ['100.00', '100.00', '$1,250.00', '450', '0', '', '12.5'];
const FREQUENCIES = ['1', '1', '1', '', '7', '8', 'X'];
const PAYERS = ['Acme Health', 'Bluebird Commercial', 'State Medicaid', 'Medicare', 'Self Pay'];

function makePacks(random: Random): unknown[] {
  const umPack = {
    name: 'um-commercial',
    version: '1',
    payers: ['Acme Health', 'Bluebird Commercial'],
    rules: {
      FREQUENCY_EXCEEDED: {
        windows: [
          { limit: random.between(1, 3), days: random.pick([90, 120, 183]) },
          { limit: 4, days: 365 },
        ],
      },
      REPEAT_TOO_SOON: { enabled: true, days: random.pick([14, 21, 30]) },
      PRIOR_AUTH_MISSING: { severity: 'error' },
      KX_ON_INTERLAMINAR: { enabled: false },
      TIMELY_FILING: { days: random.pick([90, 180]) },
    },
    lists: {
      coveredDiagnoses: {
        remove: ['M5430'],
        add: [{ code: 'M54.89', effectiveFrom: addDays(AS_OF, -random.between(60, 300)) }],
      },
    },
  };
  const medicaidPack = {
    name: 'state-medicaid',
    version: '2',
    payers: ['State Medicaid'],
    rules: {
      IMAGING_BUNDLED: { severity: 'warning' },
      POS_NOT_ALLOWED: { severity: 'error', effectiveFrom: addDays(AS_OF, -random.between(100, 300)) },
      FREQUENCY_EXCEEDED: { windows: [{ limit: random.between(0, 2), days: 365 }] },
    },
    lists: {
      imagingCodes: ['77003', '77012'],
      allowedPlacesOfService: { add: ['12'] },
      exemptDiagnoses: { add: ['M5489'] },
    },
  };
  const housePack = {
    name: 'house-default',
    version: '1',
    payers: [],
    rules: {
      REPEAT_TOO_SOON: { enabled: true },
      DRUG_UNITS_HIGH: { severity: 'error' },
      TIMELY_FILING: { days: 730, effectiveTo: addDays(AS_OF, -random.between(30, 200)) },
    },
    lists: { axialDiagnoses: { add: [{ code: 'M5489', effectiveTo: addDays(AS_OF, -365) }] } },
  };
  return [umPack, medicaidPack, housePack];
}

/** A date of service in one of the accepted forms (rarely not a real date), about two years back. */
function writtenDate(random: Random, day: number): string {
  if (random.chance(0.01)) return '2026-02-30';
  return random.pick([isoDate, usDate, usShortDate, compactDate])(day);
}

const variant = (random: Random, text: string): string =>
  random.pick([text, text, text.toUpperCase(), `  ${text.toLowerCase()} `]);

type Claim = ReturnType<typeof makeClaim>;
type Pools = { members: string[]; npis: string[]; billers: string[] };

function unitsFor(random: Random, code: string): string {
  if (random.chance(0.02)) return random.pick(['0', 'x', '1.5']);
  const max = STEROID_MAX_UNITS[code];
  if (max !== undefined) return String(random.between(1, max));
  return code === '62323' && random.chance(0.1) ? '2' : '1';
}

function claimLine(random: Random, claim: Claim, lineNo: number, code: string): string[] {
  const dx = Array.from({ length: random.between(0, 3) }, () => random.pick(DIAGNOSES));
  const dosTo = random.chance(0.7) ? undefined : claim.day + random.between(-1, 1);
  return [
    claim.id,
    String(random.chance(0.02) ? 1 : lineNo),
    random.chance(0.01) ? '' : variant(random, claim.member),
    random.chance(0.1) ? '' : addDays('1950-01-01', random.between(0, 20_000)),
    writtenDate(random, claim.day),
    dosTo === undefined ? '' : writtenDate(random, dosTo),
    random.chance(0.01) ? '' : random.pick([code, code, code.toLowerCase()]),
    random.pick(MODIFIERS),
    dx.join(random.pick([' ', ',', ';', '|'])),
    unitsFor(random, code),
    random.pick(POS),
    claim.rendering,
    claim.billing,
    random.pick(CHARGES),
    random.chance(0.8) ? `PA${random.digits(6)}` : '',
    claim.payer,
    claim.frequency,
  ];
}

function makeClaim(random: Random, id: number, pools: Pools) {
  const rendering = random.chance(0.15) ? '' : random.pick(pools.npis);
  return {
    id: `C${random.chance(0.05) ? Math.max(1, id - 1) : id}`,
    member: random.pick(pools.members),
    day: epochDay(AS_OF) - random.between(-10, 730), // a few after the as-of date
    rendering,
    billing: rendering === '' || random.chance(0.3) ? random.pick(pools.billers) : '',
    payer: random.chance(0.1) ? '' : variant(random, random.pick(PAYERS)),
    frequency: random.pick(FREQUENCIES),
  };
}

/** Prior sessions of the batch's members; some repeat a batch line under another (or the same) claim. */
function makeHistory(random: Random, claims: readonly Claim[], { members, npis }: Pools): string {
  const rows: string[] = [HISTORY_HEADER];
  const row = (member: string, day: number, code: string, npi: string, claim: string, batch: string) =>
    rows.push(csvRecord([member, isoDate(day), code, npi, claim, '1', '1', batch, '2']));
  for (const member of members) {
    for (let count = random.between(0, 4); count > 0; count -= 1) {
      const day = epochDay(AS_OF) - random.between(20, 760);
      const code = random.pick(['62323', '62323', '64483', '64484', '99213']);
      row(variant(random, member), day, code, random.pick(npis), `H${random.digits(4)}`, 'prior-1');
    }
  }
  for (const claim of claims) {
    if (!random.chance(0.15)) continue;
    const npi = claim.rendering || claim.billing;
    const claimId = random.chance(0.7) ? `H${random.digits(4)}` : claim.id;
    const batch = random.pick(['prior-2', BATCH_ID]);
    row(claim.member, claim.day, '62323', random.pick([npi, npi, '']), claimId, batch);
  }
  return [...rows, ...IGNORED_HISTORY_ROWS].join('\n') + '\n';
}

export function randomV2Batch(seed: number, options: { lines?: number } = {}): RandomV2Batch {
  const random = new Random(seed);
  const target = options.lines ?? 400;
  const memberCount = Math.max(3, Math.round(target / 30));
  const members = Array.from({ length: memberCount }, (_, n) => `M${String(n).padStart(4, '0')}`);
  const pools = { members, npis: makeNpiPool(random, 3, 1), billers: makeNpiPool(random, 2, 2) };
  pools.npis.push('1234567890'); // a bad check digit, now and then
  const packs = makePacks(random);
  const rows = [csvRecord(HEADER)];
  const claims: Claim[] = [];
  while (rows.length <= target) {
    const claim = makeClaim(random, claims.length + 1, pools);
    claims.push(claim);
    const codes = [random.chance(0.7) ? '62323' : random.pick(COMPANIONS)];
    for (let extra = random.between(0, 3); extra > 0; extra -= 1) codes.push(random.pick(COMPANIONS));
    codes.slice(0, target + 1 - rows.length).forEach((code, index) => {
      rows.push(csvRecord(claimLine(random, claim, index + 1, code)));
    });
  }
  return {
    csv: rows.join(random.chance(0.5) ? '\r\n' : '\n') + '\n',
    packs,
    ...(random.chance(0.5) ? { defaultPack: 'house-default' } : {}),
    history: makeHistory(random, claims, pools),
    asOf: AS_OF,
    batchId: BATCH_ID,
  };
}
