/**
 * Writes the sample batches in samples/ (run from the repository root):
 *
 *   npx tsx scripts/make-samples.ts            # or bundle it with esbuild and run with node
 *
 * - nightly-batch.csv      ~600 lines, mostly clean, with every rule of 62323/v1 planted on purpose
 * - prior-sessions.csv     history from earlier batches (member, date, code) used by FREQUENCY_EXCEEDED
 * - clean-batch.csv        ~150 lines that must give zero findings
 * - expected-findings.json the answer key for nightly-batch.csv (line numbers computed here)
 * - README.md              the same answer key for people
 *
 * The output is a pure function of the seeds below: no Math.random, no clock. Edit this script and
 * regenerate rather than editing the CSVs by hand, or the line numbers in the answer key go stale.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type ClaimLineFields,
  COVERED_DIAGNOSES,
  chargeFor,
  claimLineRecord,
  compactDate,
  csvRecord,
  dayOf,
  GENERAL_BACK_DIAGNOSES,
  HEADER,
  HEADER_LINE,
  isoDate,
  isValidNpi,
  makeNpiPool,
  OFFICE_STEROIDS,
  PAYERS,
  Rng,
  SAMPLE_AS_OF,
  SECONDARY_DIAGNOSES,
  usDate,
  usShortDate,
} from '../bench/synthetic.js';
import { RULE_IDS, RULES, type RuleId } from '../functions/core/rules/catalog.js';

const NIGHTLY_SEED = 62323;
const CLEAN_SEED = 62324;
const NIGHTLY_TARGET_LINES = 600;
const CLEAN_TARGET_LINES = 150;
/** Last date of service used for clean lines: the day before the as-of date. */
const LAST_DAY = dayOf(SAMPLE_AS_OF) - 1;

// Rule ids and severities come from the engine's catalog (one place for rule data).
const severityOf = (rule: RuleId): 'error' | 'warning' | 'info' => RULES[rule].severity;

// ---------------------------------------------------------------------------------------------
// What goes into a file

interface DataLine {
  readonly kind: 'line';
  readonly fields: ClaimLineFields;
  /** Every finding this line must get (MISSING_FIELD once per missing field). */
  readonly expect: RuleId[];
  /** Rules a near miss must not trigger, and why. */
  readonly mustNot: RuleId[];
  readonly why: string;
  /** Findings that only appear when prior-sessions.csv is loaded. */
  readonly needsHistory: RuleId[];
  readonly note: string;
  readonly scenario: Scenario | undefined;
}

interface RawLine {
  readonly kind: 'raw';
  readonly text: string;
  readonly reason: string;
  readonly scenario: Scenario;
}

interface BlankLine {
  readonly kind: 'blank';
}

type Entry = DataLine | RawLine | BlankLine;

/** Lines that stay together in the file (a claim, or a claim and its duplicate). */
interface Block {
  readonly entries: Entry[];
  /** Keep near the top or the bottom of the file, e.g. to put related lines far apart. */
  readonly pin?: 'early' | 'late';
}

interface Scenario {
  readonly title: string;
  readonly why: string;
}

interface HistoryRow {
  readonly member: string;
  readonly date: string;
  readonly code: string;
}

interface Patient {
  readonly id: string;
  readonly dob: string;
  readonly payer: string;
  readonly dx: readonly string[];
  readonly auth: string;
}

interface Provider {
  readonly npi: string;
  readonly billing: string;
}

// ---------------------------------------------------------------------------------------------
// Synthetic people, providers and ids

class World {
  readonly rng: Rng;
  readonly painDoctors: Provider[];
  readonly therapists: Provider[];
  readonly radiologists: Provider[];
  readonly anesthesiologists: Provider[];
  private readonly members = new Set<string>();
  private readonly claims = new Set<string>();

  constructor(seed: number) {
    this.rng = new Rng(seed);
    // A few group practices (organisation NPIs start with 2) bill for the individual providers.
    const groups = makeNpiPool(this.rng, 6, 2);
    const individuals = makeNpiPool(this.rng, 36, 1);
    const providers = individuals.map((npi, index) => ({
      npi,
      billing: groups[index % groups.length] ?? '',
    }));
    this.painDoctors = providers.slice(0, 20);
    this.therapists = providers.slice(20, 28);
    this.radiologists = providers.slice(28, 32);
    this.anesthesiologists = providers.slice(32, 36);
  }

  memberId(): string {
    for (;;) {
      const id = `M${this.rng.int(1, 9)}${this.rng.digits(7)}`;
      if (!this.members.has(id)) {
        this.members.add(id);
        return id;
      }
    }
  }

  claimId(): string {
    for (;;) {
      const id = `CLM${this.rng.int(1, 9)}${this.rng.digits(6)}`;
      if (!this.claims.has(id)) {
        this.claims.add(id);
        return id;
      }
    }
  }

  patient(dx: readonly string[], payer = this.rng.pick(PAYERS)): Patient {
    const birthDay = this.rng.int(dayOf('1941-01-01'), dayOf('1991-12-31'));
    // Most billing systems send ISO dates; a few send MM/DD/YYYY, which is accepted too.
    const dob = this.rng.chance(0.06) ? usDate(birthDay) : isoDate(birthDay);
    return { id: this.memberId(), dob, payer, dx, auth: `PA${this.rng.digits(8)}` };
  }

  /** A random weekday between two ISO dates (clinics bill Monday to Friday). */
  day(from: string, to: string): number {
    return weekday(this.rng.int(dayOf(from), dayOf(to)));
  }
}

/** Moves a Saturday or Sunday to the next Monday (day 0 = 1970-01-01 was a Thursday). */
function weekday(day: number): number {
  const dow = (day + 4) % 7; // 0 = Sunday
  return dow === 6 ? day + 2 : dow === 0 ? day + 1 : day;
}

/** `1250.00` → `$1,250.00` (written by hand so the output does not depend on the ICU build). */
const dollars = (plain: string): string => `$${plain.replace(/\B(?=(\d{3})+\.)/g, ',')}`;

// ---------------------------------------------------------------------------------------------
// Claims

interface LineOptions {
  pos?: string;
  mods?: readonly string[];
  dx?: readonly string[];
  units?: string;
  charge?: string;
  auth?: string;
  dosTo?: string;
  /** Raw overrides applied last (e.g. an empty member_id). */
  set?: Partial<ClaimLineFields>;
  expect?: RuleId[];
  mustNot?: RuleId[];
  why?: string;
  needsHistory?: RuleId[];
  note?: string;
}

/** Default README notes for the supporting lines of a scenario (usually the related lines of a finding). */
const ROLE: Readonly<Record<string, string>> = {
  '62323': 'the injection',
  J3301: 'steroid, office',
  J1100: 'steroid, office',
  J0702: 'steroid, office',
  '97110': 'therapy',
  '97140': 'therapy',
  '72100': 'lumbar X-ray',
  '20552': 'trigger points',
};

class ClaimBuilder {
  readonly id: string;
  readonly lines: DataLine[] = [];
  private count = 0;

  constructor(
    private readonly world: World,
    readonly patient: Patient,
    readonly provider: Provider,
    private readonly pos: string,
    private readonly scenario: Scenario | undefined,
    /** Whether this billing system repeats the date in date_of_service_to. */
    private readonly fillTo: boolean,
  ) {
    this.id = world.claimId();
  }

  add(code: string, dos: string, options: LineOptions = {}): DataLine {
    this.count += 1;
    const mods = options.mods ?? [];
    const dx = options.dx ?? this.patient.dx;
    const fields: ClaimLineFields = {
      claim_id: this.id,
      line_no: String(this.count),
      member_id: this.patient.id,
      patient_dob: this.patient.dob,
      date_of_service: dos,
      date_of_service_to: options.dosTo ?? (this.fillTo ? dos : ''),
      procedure_code: code,
      modifier_1: mods[0] ?? '',
      modifier_2: mods[1] ?? '',
      modifier_3: mods[2] ?? '',
      modifier_4: mods[3] ?? '',
      dx_1: dx[0] ?? '',
      dx_2: dx[1] ?? '',
      dx_3: dx[2] ?? '',
      dx_4: dx[3] ?? '',
      units: options.units ?? (code === '97110' ? '2' : '1'),
      place_of_service: options.pos ?? this.pos,
      rendering_npi: this.provider.npi,
      billing_npi: this.provider.billing,
      charge: options.charge ?? chargeFor(this.world.rng, code),
      prior_auth: options.auth ?? (code === '62323' ? this.patient.auth : ''),
      payer: this.patient.payer,
      ...options.set,
    };
    const line: DataLine = {
      kind: 'line',
      fields,
      expect: options.expect ?? [],
      mustNot: options.mustNot ?? [],
      why: options.why ?? '',
      needsHistory: options.needsHistory ?? [],
      note: options.note ?? (this.scenario === undefined ? '' : (ROLE[code] ?? '')),
      scenario: this.scenario,
    };
    this.lines.push(line);
    return line;
  }

  /** An office steroid line (J3301, J1100 or J0702). */
  drug(dos: string, options: LineOptions = {}): DataLine {
    const steroid = this.world.rng.pick(OFFICE_STEROIDS);
    return this.add(steroid.code, dos, { units: steroid.units, charge: steroid.charge, ...options });
  }
}

// ---------------------------------------------------------------------------------------------
// Background: realistic clean claims (injections, work-ups, therapy), no findings by construction

interface Batch {
  readonly blocks: Block[];
  readonly history: HistoryRow[];
}

/** Clean 62323 settings: office, outpatient hospital, ambulatory surgery center. */
const INDEX_SETTINGS = ['11', '11', '11', '22', '24', '24'] as const;

function addBackground(world: World, batch: Batch, targetLines: number, withHistory: boolean): void {
  let lines = 0;
  while (lines < targetLines) {
    lines += world.rng.chance(0.6)
      ? injectionPatient(world, batch, withHistory)
      : workupPatient(world, batch);
  }
}

/** Dates of one claim, written mostly as ISO and sometimes in the other accepted formats. */
function dateWriter(rng: Rng): (day: number) => string {
  const roll = rng.next();
  if (roll < 0.03) return usShortDate;
  if (roll < 0.05) return compactDate;
  if (roll < 0.08) return usDate;
  return isoDate;
}

function newClaim(world: World, patient: Patient, provider: Provider, pos: string): ClaimBuilder {
  return new ClaimBuilder(world, patient, provider, pos, undefined, world.rng.chance(0.7));
}

/** A member having epidural injections: work-up, maybe therapy, 1–3 injections, follow-up. */
function injectionPatient(world: World, batch: Batch, withHistory: boolean): number {
  const rng = world.rng;
  const doctor = rng.pick(world.painDoctors);
  const dx = [rng.pick(COVERED_DIAGNOSES)];
  if (rng.chance(0.45)) dx.push(rng.pick(SECONDARY_DIAGNOSES));
  const patient = world.patient(dx);
  const setting = rng.pick(INDEX_SETTINGS);
  const claims: ClaimBuilder[] = [];

  // Sessions from earlier batches. Keeping every member at 4 counted dates or fewer overall
  // (history + this batch) means no window can exceed the limit, wherever the dates fall.
  let counted = 0;
  if (withHistory && rng.chance(0.35)) {
    const historyDays = new Set<number>();
    const wanted = rng.int(1, 2);
    while (historyDays.size < wanted) historyDays.add(world.day('2025-02-03', '2025-12-12'));
    for (const day of historyDays) {
      batch.history.push({
        member: patient.id,
        date: isoDate(day),
        code: rng.pick(['62323', '62323', '64483']),
      });
    }
    counted = historyDays.size;
  }

  let day = world.day('2026-01-05', '2026-09-25');
  const visit = (
    code: string,
    provider: Provider,
    pos: string,
    more?: (claim: ClaimBuilder, dos: string) => void,
  ) => {
    const claim = newClaim(world, patient, provider, pos);
    const write = dateWriter(rng);
    claim.add(code, write(day));
    more?.(claim, write(day));
    claims.push(claim);
  };

  visit(rng.pick(['99203', '99204']), doctor, '11', (claim, dos) => {
    if (rng.chance(0.35)) claim.add('72100', dos);
  });
  day = weekday(day + rng.int(7, 24));

  if (rng.chance(0.45) && day <= LAST_DAY) {
    claims.push(therapyClaim(world, patient, day));
    day = weekday(day + rng.int(14, 30));
  }

  const sessions = Math.min(4 - counted, rng.pick([1, 1, 2, 2, 2, 3]));
  for (let session = 0; session < sessions && day <= LAST_DAY; session += 1) {
    claims.push(injectionEncounter(world, patient, doctor, setting, day));
    counted += 1;
    day = weekday(day + rng.int(21, 63));
  }

  // Another pain procedure on its own day (64483 counts toward the frequency limit, the others do not).
  if (day <= LAST_DAY && rng.chance(0.15)) {
    const code = rng.pick(counted < 4 ? ['64483', '64493', '20552'] : ['64493', '20552']);
    visit(code, doctor, setting, (claim, dos) => {
      if (setting === '11') claim.drug(dos);
    });
    day = weekday(day + rng.int(14, 40));
  }

  if (day <= LAST_DAY && rng.chance(0.6)) visit(rng.pick(['99213', '99214']), doctor, '11');

  for (const claim of claims) batch.blocks.push({ entries: claim.lines });
  return claims.reduce((sum, claim) => sum + claim.lines.length, 0);
}

/** One clean injection encounter: the 62323, in the office with a steroid and maybe an E/M with 25. */
function injectionEncounter(
  world: World,
  patient: Patient,
  doctor: Provider,
  pos: string,
  day: number,
): ClaimBuilder {
  const rng = world.rng;
  const claim = newClaim(world, patient, doctor, pos);
  const dos = dateWriter(rng)(day);
  const office = pos === '11';
  if (rng.chance(office ? 0.3 : 0.1)) claim.add(rng.pick(['99213', '99214']), dos, { mods: ['25'] });
  const charge = chargeFor(rng, '62323');
  claim.add('62323', dos, { charge: rng.chance(0.08) ? dollars(charge) : charge });
  // In a facility the steroid is the facility's cost, so the physician bills it only in the office.
  if (office && rng.chance(0.8)) claim.drug(dos);
  return claim;
}

/** A member in a back-pain work-up: E/M, imaging, physical therapy, follow-up. No injections. */
function workupPatient(world: World, batch: Batch): number {
  const rng = world.rng;
  const doctor = rng.pick(world.painDoctors);
  const dx = [rng.pick(GENERAL_BACK_DIAGNOSES)];
  if (rng.chance(0.4)) dx.push(rng.pick(SECONDARY_DIAGNOSES.filter((code) => code !== dx[0])));
  const patient = world.patient(dx);
  const claims: ClaimBuilder[] = [];
  let day = world.day('2026-01-05', '2026-10-30');

  const first = newClaim(world, patient, doctor, '11');
  const write = dateWriter(rng);
  first.add(rng.pick(['99203', '99204', '99213']), write(day));
  if (rng.chance(0.35)) first.add('72100', write(day));
  claims.push(first);

  day = weekday(day + rng.int(3, 10));
  if (rng.chance(0.4) && day <= LAST_DAY) {
    const mri = newClaim(world, patient, rng.pick(world.radiologists), '22');
    mri.add('72148', isoDate(day), { mods: ['26'] });
    claims.push(mri);
    day = weekday(day + rng.int(5, 12));
  }

  const therapy = rng.int(1, 3);
  for (let visit = 0; visit < therapy && day <= LAST_DAY; visit += 1) {
    claims.push(therapyClaim(world, patient, day));
    day = weekday(day + rng.int(14, 28));
  }

  if (day <= LAST_DAY && rng.chance(0.6)) {
    const follow = newClaim(world, patient, doctor, '11');
    follow.add(rng.pick(['99213', '99214']), isoDate(day));
    claims.push(follow);
  }

  for (const claim of claims) batch.blocks.push({ entries: claim.lines });
  return claims.reduce((sum, claim) => sum + claim.lines.length, 0);
}

/** Physical therapy: one visit, or two visits a week apart on one claim (GP = therapy plan of care). */
function therapyClaim(world: World, patient: Patient, day: number): ClaimBuilder {
  const rng = world.rng;
  const claim = newClaim(world, patient, rng.pick(world.therapists), '11');
  const visits = rng.chance(0.3) ? [day, weekday(day + 7)] : [day];
  for (const visitDay of visits) {
    const dos = isoDate(visitDay);
    claim.add('97110', dos, { mods: ['GP'] });
    claim.add('97140', dos, { mods: ['GP'] });
    if (rng.chance(0.5)) claim.add('97530', dos, { mods: ['GP'] });
  }
  return claim;
}

// ---------------------------------------------------------------------------------------------
// Planted scenarios (nightly batch only)

class Planter {
  readonly batch: Batch = { blocks: [], history: [] };
  readonly scenarios: Scenario[] = [];
  private current: Scenario | undefined;

  constructor(readonly world: World) {}

  begin(title: string, why: string): void {
    this.current = { title, why };
    this.scenarios.push(this.current);
  }

  /** A patient with a covered diagnosis unless told otherwise. */
  patient(dx?: readonly string[], payer?: string): Patient {
    return this.world.patient(dx ?? [this.world.rng.pick(COVERED_DIAGNOSES)], payer);
  }

  doctor(): Provider {
    return this.world.rng.pick(this.world.painDoctors);
  }

  claim(patient: Patient, provider: Provider, pos = '11'): ClaimBuilder {
    return new ClaimBuilder(this.world, patient, provider, pos, this.current, true);
  }

  place(claims: readonly ClaimBuilder[], pin?: 'early' | 'late'): void {
    const entries = claims.flatMap((claim) => claim.lines);
    this.batch.blocks.push(pin === undefined ? { entries } : { entries, pin });
  }

  day(from = '2026-01-12', to = '2026-11-13'): string {
    return isoDate(this.world.day(from, to));
  }

  history(member: string, date: string, code: string): void {
    this.batch.history.push({ member, date, code });
  }

  raw(text: string, reason: string): void {
    if (this.current === undefined) throw new Error('raw line outside a scenario');
    this.batch.blocks.push({ entries: [{ kind: 'raw', text, reason, scenario: this.current }] });
  }
}

function plantScenarios(world: World): Planter {
  const p = new Planter(world);
  plantDataRules(p);
  plantImagingAndTwins(p);
  plantUnitsAndModifiers(p);
  plantDiagnoses(p);
  plantSessionRules(p);
  plantPlaceAndAuth(p);
  plantFrequency(p);
  plantDuplicates(p);
  plantFormats(p);
  plantRejected(p);
  return p;
}

/** Section A rules on lines that are alone on their day, so no cross-line rule can join in. */
function plantDataRules(p: Planter): void {
  p.begin(
    'Required fields left empty',
    'Each empty required field is its own MISSING_FIELD finding and nothing else.',
  );
  let c = p.claim(p.patient(), p.doctor());
  let dos = p.day();
  c.add('99213', dos, { set: { units: '' }, expect: ['MISSING_FIELD'], note: 'units empty' });
  c.add('72100', dos);
  p.place([c]);

  c = p.claim(p.patient(), p.world.rng.pick(p.world.therapists));
  dos = p.day();
  c.add('97110', dos, { mods: ['GP'] });
  c.add('97140', dos, {
    mods: ['GP'],
    set: { rendering_npi: '', charge: '' },
    expect: ['MISSING_FIELD', 'MISSING_FIELD'],
    note: 'rendering_npi and charge empty: two findings',
  });
  p.place([c]);

  c = p.claim(p.patient(), p.doctor());
  c.add('99214', '', { dosTo: '', expect: ['MISSING_FIELD'], note: 'date_of_service empty' });
  p.place([c]);

  c = p.claim(p.patient(), p.doctor());
  c.add('', p.day(), { expect: ['MISSING_FIELD'], note: 'procedure_code empty' });
  p.place([c]);

  c = p.claim(p.patient(), p.world.rng.pick(p.world.therapists));
  c.add('97110', p.day(), {
    mods: ['GP'],
    pos: '',
    expect: ['MISSING_FIELD'],
    note: 'place_of_service empty',
  });
  p.place([c]);

  c = p.claim(p.patient(), p.doctor());
  c.add('99213', p.day(), { set: { line_no: '' }, expect: ['MISSING_FIELD'], note: 'line_no empty' });
  p.place([c]);

  p.begin(
    'Member id missing on a 62323 and its fluoroscopy line',
    'Lines without a member id take no part in encounter rules, so the 77003 is not IMAGING_BUNDLED.',
  );
  c = p.claim(p.patient(), p.doctor());
  dos = p.day();
  c.add('62323', dos, { set: { member_id: '' }, expect: ['MISSING_FIELD'], note: 'member_id empty' });
  c.add('77003', dos, {
    set: { member_id: '' },
    expect: ['MISSING_FIELD'],
    mustNot: ['IMAGING_BUNDLED'],
    why: 'no member id, so no encounter',
    note: 'member_id empty',
  });
  p.place([c]);

  p.begin('Dates that are not real or not accepted', 'INVALID_DATE, at most once per line.');
  c = p.claim(p.patient(), p.doctor());
  c.add('99213', '2026-02-30', { dosTo: '', expect: ['INVALID_DATE'], note: 'February 30' });
  p.place([c]);

  c = p.claim(p.patient(), p.world.rng.pick(p.world.therapists));
  c.add('97110', p.day(), {
    mods: ['GP'],
    set: { patient_dob: '1961-13-05' },
    expect: ['INVALID_DATE'],
    note: 'dob month 13',
  });
  p.place([c]);

  c = p.claim(p.patient(), p.doctor());
  c.add('99214', '2026-04-28', {
    dosTo: '2026-04-31',
    set: { patient_dob: '19700231' },
    expect: ['INVALID_DATE'],
    note: 'dob 19700231 and date_of_service_to April 31: one finding',
  });
  p.place([c]);

  c = p.claim(p.patient(), p.doctor());
  c.add('72100', '2026/03/04', {
    dosTo: '',
    expect: ['INVALID_DATE'],
    note: 'YYYY/MM/DD is not an accepted format',
  });
  p.place([c]);

  p.begin(
    'A 62323 and its fluoroscopy on a date that does not exist',
    'Lines with an invalid date of service take no part in encounter rules.',
  );
  c = p.claim(p.patient(), p.doctor());
  c.add('62323', '2026-09-31', { dosTo: '', expect: ['INVALID_DATE'], note: 'September 31' });
  c.add('77003', '2026-09-31', {
    dosTo: '',
    expect: ['INVALID_DATE'],
    mustNot: ['IMAGING_BUNDLED'],
    why: 'invalid date of service, so no encounter',
    note: 'September 31',
  });
  p.place([c]);

  p.begin('Dates out of range', 'After the as-of date, before birth, or ending before they start.');
  c = p.claim(p.patient(), p.doctor());
  c.add('99213', '2026-12-02', { expect: ['DATE_OUT_OF_RANGE'], note: 'after the as-of date 2026-11-28' });
  p.place([c]);

  c = p.claim(p.patient(), p.doctor());
  c.add('99213', p.day(), {
    set: { patient_dob: '2061-07-19' },
    expect: ['DATE_OUT_OF_RANGE'],
    note: 'born 2061',
  });
  p.place([c]);

  c = p.claim(p.patient(), p.world.rng.pick(p.world.therapists));
  c.add('97110', '2026-06-10', {
    mods: ['GP'],
    dosTo: '2026-06-03',
    expect: ['DATE_OUT_OF_RANGE'],
    note: 'ends a week before it starts',
  });
  p.place([c]);

  c = p.claim(p.patient(), p.doctor());
  c.add('99213', SAMPLE_AS_OF, {
    mustNot: ['DATE_OUT_OF_RANGE'],
    why: 'on the as-of date itself, which is not after it',
    note: 'date of service = as-of date',
  });
  p.place([c]);

  p.begin('NPIs that fail the check digit', 'INVALID_NPI, once per line even when both NPIs are bad.');
  const therapist = p.world.rng.pick(p.world.therapists);
  c = p.claim(p.patient(), { npi: breakCheckDigit(therapist.npi), billing: therapist.billing });
  c.add('97110', p.day(), {
    mods: ['GP'],
    expect: ['INVALID_NPI'],
    note: 'rendering NPI check digit off by one',
  });
  p.place([c]);

  const doctor = p.doctor();
  c = p.claim(p.patient(), { npi: doctor.npi, billing: `3${doctor.billing.slice(1)}` });
  c.add('99213', p.day(), { expect: ['INVALID_NPI'], note: 'billing NPI starts with 3' });
  p.place([c]);

  c = p.claim(p.patient(), { npi: doctor.npi.slice(0, 9), billing: breakCheckDigit(doctor.billing) });
  c.add('99214', p.day(), {
    expect: ['INVALID_NPI'],
    note: '9-digit rendering NPI and bad billing check digit',
  });
  p.place([c]);

  p.begin(
    'Malformed procedure codes',
    'INVALID_PROCEDURE_CODE; lower-case codes are fine after normalisation.',
  );
  c = p.claim(p.patient(), p.doctor());
  c.add('6232', p.day(), { expect: ['INVALID_PROCEDURE_CODE'], note: 'four digits' });
  p.place([c]);

  c = p.claim(p.patient(), p.doctor());
  c.add('99213-25', p.day(), { expect: ['INVALID_PROCEDURE_CODE'], note: 'modifier typed into the code' });
  p.place([c]);

  c = p.claim(p.patient(), p.doctor());
  dos = p.day();
  c.add('20552', dos);
  c.add('j3301', dos, {
    units: '4',
    charge: '26.00',
    mustNot: ['INVALID_PROCEDURE_CODE'],
    why: 'lower case is normalised to J3301',
    note: 'j3301 in lower case, trigger points, no 62323',
  });
  p.place([c]);

  p.begin('Malformed modifiers', 'INVALID_MODIFIER; lower-case modifiers are fine.');
  c = p.claim(p.patient(), p.world.rng.pick(p.world.therapists));
  c.add('97110', p.day(), { mods: ['GP', '5'], expect: ['INVALID_MODIFIER'], note: 'modifier "5"' });
  p.place([c]);

  c = p.claim(p.patient(), p.doctor());
  c.add('72100', p.day(), { mods: ['59X'], expect: ['INVALID_MODIFIER'], note: 'modifier "59X"' });
  p.place([c]);

  c = p.claim(p.patient(), p.world.rng.pick(p.world.therapists));
  c.add('97110', p.day(), {
    mods: ['gp'],
    mustNot: ['INVALID_MODIFIER'],
    why: 'lower case is normalised to GP',
    note: 'modifier "gp"',
  });
  p.place([c]);

  p.begin('Malformed diagnoses', 'INVALID_DIAGNOSIS, once per line.');
  c = p.claim(p.patient(['54.16']), p.doctor());
  c.add('99213', p.day(), { expect: ['INVALID_DIAGNOSIS'], note: 'dx "54.16" (no letter)' });
  p.place([c]);

  c = p.claim(p.patient(['M5', '5416']), p.doctor());
  c.add('99214', p.day(), { expect: ['INVALID_DIAGNOSIS'], note: 'dx "M5" and "5416": one finding' });
  p.place([c]);

  p.begin('Bad units and charges', 'INVALID_UNITS and INVALID_CHARGE.');
  c = p.claim(p.patient(), p.world.rng.pick(p.world.therapists));
  dos = p.day();
  c.add('97110', dos, { mods: ['GP'], units: '1.5', expect: ['INVALID_UNITS'], note: 'units 1.5' });
  c.add('97140', dos, { mods: ['GP'], charge: '-45.00', expect: ['INVALID_CHARGE'], note: 'charge -45.00' });
  p.place([c]);

  c = p.claim(p.patient(), p.doctor());
  dos = p.day();
  c.add('99213', dos, { units: '0', expect: ['INVALID_UNITS'], note: 'units 0' });
  c.add('72100', dos, { charge: '0.00', expect: ['INVALID_CHARGE'], note: 'charge 0.00' });
  p.place([c]);

  p.begin('Bad places of service', 'INVALID_POS: not two digits, or 00.');
  c = p.claim(p.patient(), p.doctor());
  c.add('99213', p.day(), { pos: '00', expect: ['INVALID_POS'], note: 'POS 00' });
  p.place([c]);

  c = p.claim(p.patient(), p.world.rng.pick(p.world.therapists));
  c.add('97110', p.day(), { mods: ['GP'], pos: '5', expect: ['INVALID_POS'], note: 'POS "5"' });
  p.place([c]);

  p.begin('Retired codes and diagnoses', 'CODE_RETIRED and DIAGNOSIS_RETIRED on any line.');
  c = p.claim(p.patient(), p.doctor());
  c.add('62311', p.day(), { expect: ['CODE_RETIRED'], note: '62311 (deleted 2017), no 62323 that day' });
  p.place([c]);

  c = p.claim(p.patient(['M54.5']), p.doctor());
  c.add('99213', p.day(), { expect: ['DIAGNOSIS_RETIRED'], note: 'dx M54.5 (retired 2021-10-01)' });
  p.place([c]);

  c = p.claim(p.patient(['M51.37']), p.world.rng.pick(p.world.therapists));
  c.add('97110', p.day(), {
    mods: ['GP'],
    expect: ['DIAGNOSIS_RETIRED'],
    note: 'dx M51.37 (retired 2024-10-01)',
  });
  p.place([c]);

  p.begin('ABN modifiers that contradict each other', 'Two of GA/GY/GZ, or GA with KX.');
  c = p.claim(p.patient(), p.world.rng.pick(p.world.therapists));
  dos = p.day();
  c.add('97110', dos, { mods: ['GP', 'GA', 'GY'], expect: ['ABN_MODIFIER_CONFLICT'], note: 'GP GA GY' });
  c.add('97140', dos, {
    mods: ['GP', 'KX', 'GY'],
    mustNot: ['ABN_MODIFIER_CONFLICT'],
    why: 'KX conflicts only with GA',
    note: 'GP KX GY',
  });
  c.add('97530', dos, {
    mods: ['GP', 'GA'],
    mustNot: ['ABN_MODIFIER_CONFLICT'],
    why: 'GA alone',
    note: 'GP GA',
  });
  p.place([c]);

  c = p.claim(p.patient(), p.world.rng.pick(p.world.radiologists), '22');
  c.add('72148', p.day(), { mods: ['26', 'GY', 'GZ'], expect: ['ABN_MODIFIER_CONFLICT'], note: '26 GY GZ' });
  p.place([c]);
}

function breakCheckDigit(npi: string): string {
  const broken = npi.slice(0, 9) + String((Number(npi[9]) + 1) % 10);
  if (isValidNpi(broken)) throw new Error('breakCheckDigit produced a valid NPI');
  return broken;
}

function plantImagingAndTwins(p: Planter): void {
  p.begin(
    'Fluoroscopy billed with the injection',
    'IMAGING_BUNDLED on each imaging line; modifier 59 does not override it.',
  );
  let c = p.claim(p.patient(), p.doctor());
  let dos = p.day();
  c.add('62323', dos);
  c.add('77003', dos, { mods: ['59'], expect: ['IMAGING_BUNDLED'], note: '77003-59' });
  c.add('76000', dos, { expect: ['IMAGING_BUNDLED'], note: '76000' });
  c.drug(dos);
  p.place([c]);

  c = p.claim(p.patient(), p.doctor(), '24');
  dos = p.day();
  c.add('62323', dos);
  c.add('77012', dos, { mods: ['XS'], expect: ['IMAGING_BUNDLED'], note: 'CT guidance 77012-XS' });
  p.place([c]);

  p.begin(
    'Epidurography sent as a late charge, far from its injection',
    'Same member, date and rendering NPI: one encounter even hundreds of lines apart, and with the date in MM/DD/YYYY.',
  );
  const patient = p.patient();
  const doctor = p.doctor();
  const day = p.world.day('2026-05-04', '2026-06-26');
  c = p.claim(patient, doctor);
  c.add('62323', isoDate(day), { note: 'near the top of the file' });
  c.drug(isoDate(day));
  p.place([c], 'early');
  const late = p.claim(patient, doctor);
  late.add('72275', usDate(day), {
    dosTo: usDate(day),
    expect: ['IMAGING_BUNDLED'],
    note: 'near the bottom, date as MM/DD/YYYY',
  });
  p.place([late], 'late');

  p.begin(
    'Imaging that is not bundled',
    'Imaging on another day, or billed by another provider, is not in the encounter.',
  );
  const imagingPatient = p.patient();
  const imagingDoctor = p.doctor();
  const imagingDay = p.world.day('2026-02-02', '2026-10-16');
  c = p.claim(imagingPatient, imagingDoctor);
  c.add('62323', isoDate(imagingDay), { note: 'the injection; its 77003 comes a week later' });
  c.add('72100', isoDate(imagingDay), {
    mustNot: ['IMAGING_BUNDLED'],
    why: '72100 is a diagnostic X-ray, not guidance',
    note: 'lumbar X-ray same day',
  });
  p.place([c]);
  c = p.claim(imagingPatient, imagingDoctor);
  c.add('77003', isoDate(weekday(imagingDay + 7)), {
    mustNot: ['IMAGING_BUNDLED'],
    why: 'a week after the injection',
    note: '77003 on another day',
  });
  p.place([c]);

  const radiologyPatient = p.patient();
  dos = p.day();
  c = p.claim(radiologyPatient, p.doctor(), '22');
  c.add('62323', dos, { note: 'the injection; a radiologist bills the 77003' });
  p.place([c]);
  c = p.claim(radiologyPatient, p.world.rng.pick(p.world.radiologists), '22');
  c.add('77003', dos, {
    mods: ['26'],
    mustNot: ['IMAGING_BUNDLED'],
    why: 'different rendering NPI, so a different encounter',
    note: '77003-26 by a radiologist, same day',
  });
  p.place([c]);

  p.begin('The injection without imaging billed too', 'NO_IMAGING_TWIN on the 62322 line.');
  c = p.claim(p.patient(), p.doctor());
  dos = p.day();
  c.add('62323', dos);
  c.add('62322', dos, { expect: ['NO_IMAGING_TWIN'], note: '62322' });
  p.place([c]);

  p.begin('A catheter epidural billed with the injection', 'CATHETER_TWIN (warning) on the 62327 line.');
  c = p.claim(p.patient(), p.doctor(), '22');
  dos = p.day();
  c.add('62323', dos);
  c.add('62327', dos, { expect: ['CATHETER_TWIN'], note: '62327' });
  p.place([c]);
}

function plantUnitsAndModifiers(p: Planter): void {
  p.begin(
    'More than one 62323 unit in an encounter',
    'UNITS_EXCEED_MUE on every 62323 line of the encounter.',
  );
  let c = p.claim(p.patient(), p.doctor());
  let dos = p.day();
  c.add('62323', dos, { units: '2', charge: '2300.00', expect: ['UNITS_EXCEED_MUE'], note: 'units 2' });
  c.drug(dos);
  p.place([c]);

  c = p.claim(p.patient(), p.doctor(), '24');
  dos = p.day();
  c.add('62323', dos, { expect: ['UNITS_EXCEED_MUE'], note: 'first level' });
  c.add('62323', dos, {
    mods: ['76'],
    expect: ['MODIFIER_NOT_ALLOWED', 'UNITS_EXCEED_MUE'],
    note: 'second level as a 76 repeat',
  });
  p.place([c]);

  p.begin('62323 lines that do not add up past one unit', 'Near misses for UNITS_EXCEED_MUE.');
  const twoDoctors = p.patient();
  dos = p.day();
  c = p.claim(twoDoctors, p.world.painDoctors[0] ?? p.doctor(), '22');
  c.add('62323', dos, {
    mustNot: ['UNITS_EXCEED_MUE'],
    why: 'the other 62323 that day has another rendering NPI (another encounter)',
    note: 'provider A',
  });
  p.place([c]);
  c = p.claim(twoDoctors, p.world.painDoctors[1] ?? p.doctor(), '22');
  c.add('62323', dos, {
    mustNot: ['UNITS_EXCEED_MUE'],
    why: 'the other 62323 that day has another rendering NPI (another encounter)',
    note: 'provider B, same day',
  });
  p.place([c]);

  c = p.claim(p.patient(), p.doctor());
  dos = p.day();
  c.add('62323', dos, {
    mustNot: ['UNITS_EXCEED_MUE'],
    why: 'units 0 are left out of the sum',
    note: 'units 1',
  });
  c.add('62323', dos, {
    units: '0',
    expect: ['INVALID_UNITS'],
    mustNot: ['UNITS_EXCEED_MUE'],
    why: 'units 0 are left out of the sum',
    note: 'units 0',
  });
  p.place([c]);

  p.begin('Bilateral modifiers on 62323', 'BILATERAL_MODIFIER, including a lower-case rt.');
  c = p.claim(p.patient(), p.doctor());
  c.add('62323', p.day(), { mods: ['50'], expect: ['BILATERAL_MODIFIER'], note: '62323-50' });
  p.place([c]);

  c = p.claim(p.patient(), p.doctor(), '24');
  c.add('62323', p.day(), { mods: ['rt'], expect: ['BILATERAL_MODIFIER'], note: '62323-rt (lower case)' });
  p.place([c]);

  p.begin(
    'Modifiers not allowed on 62323',
    'MODIFIER_NOT_ALLOWED; 25 on the procedure leaves the E/M without it.',
  );
  c = p.claim(p.patient(), p.doctor(), '22');
  c.add('62323', p.day(), { mods: ['26'], expect: ['MODIFIER_NOT_ALLOWED'], note: '62323-26' });
  p.place([c]);

  c = p.claim(p.patient(), p.doctor());
  dos = p.day();
  c.add('99214', dos, { expect: ['EM_SAME_DAY_NO_25'], note: 'E/M without 25' });
  c.add('62323', dos, {
    mods: ['25'],
    expect: ['MODIFIER_NOT_ALLOWED'],
    note: '62323-25 (25 on the wrong line)',
  });
  c.drug(dos);
  p.place([c]);

  p.begin('KX on an interlaminar injection', 'KX_ON_INTERLAMINAR; GA with KX is also an ABN conflict.');
  c = p.claim(p.patient(), p.doctor());
  c.add('62323', p.day(), { mods: ['KX'], expect: ['KX_ON_INTERLAMINAR'], note: '62323-KX' });
  p.place([c]);

  c = p.claim(p.patient(), p.doctor(), '24');
  c.add('62323', p.day(), {
    mods: ['GA', 'KX'],
    expect: ['ABN_MODIFIER_CONFLICT', 'KX_ON_INTERLAMINAR'],
    note: '62323-GA-KX',
  });
  p.place([c]);
}

function plantDiagnoses(p: Planter): void {
  p.begin(
    'Diagnoses that do not support 62323',
    'DX_AXIAL_ONLY when every code is axial, else DX_NOT_COVERED.',
  );
  const single = (dx: string[], expect: RuleId[], note: string, pos = '11'): void => {
    const c = p.claim(p.patient(dx), p.doctor(), pos);
    c.add('62323', p.day(), { expect, note });
    p.place([c]);
  };
  single(['M54.50', 'M47.816'], ['DX_AXIAL_ONLY'], 'dx M54.50 M47.816 (all axial)');
  single(['M54.5'], ['DIAGNOSIS_RETIRED', 'DX_AXIAL_ONLY'], 'dx M54.5 (axial and retired)', '24');
  single(['G89.29', 'M54.59'], ['DX_NOT_COVERED'], 'dx G89.29 M54.59 (not all axial, none covered)');
  single(['M51.36'], ['DIAGNOSIS_RETIRED', 'DX_NOT_COVERED'], 'dx M51.36 (retired, not covered)', '22');
  single(['M54.12'], ['DX_NOT_COVERED'], 'dx M54.12 (cervical radiculopathy)');

  const c = p.claim(p.patient(['M5417']), p.doctor());
  c.add('62323', p.day(), { dx: [], expect: ['MISSING_FIELD'], note: 'no diagnosis at all' });
  p.place([c]);

  p.begin('Diagnoses that are fine', 'Near misses for the diagnosis rules.');
  const fine = (dx: string[], why: string, note: string): void => {
    const claim = p.claim(p.patient(dx), p.doctor(), '24');
    claim.add('62323', p.day(), { mustNot: ['DX_AXIAL_ONLY', 'DX_NOT_COVERED'], why, note });
    p.place([claim]);
  };
  fine(['G89.18'], 'G89.18 is exempt from the diagnosis checks', 'dx G89.18 only');
  fine(['M54.50', 'M54.16'], 'one code is covered (M5416)', 'dx M54.50 M54.16');
}

function plantSessionRules(p: Planter): void {
  p.begin('Another spinal region in the same session', 'ONE_REGION_PER_SESSION, whoever bills it.');
  let patient = p.patient();
  let dos = p.day();
  let c = p.claim(patient, p.world.painDoctors[2] ?? p.doctor(), '24');
  c.add('62323', dos);
  p.place([c]);
  c = p.claim(patient, p.world.painDoctors[3] ?? p.doctor(), '24');
  c.add('62321', dos, {
    dx: ['M54.12'],
    expect: ['ONE_REGION_PER_SESSION'],
    note: 'cervical epidural, other provider',
  });
  p.place([c]);

  c = p.claim(p.patient(), p.doctor(), '22');
  dos = p.day();
  c.add('62323', dos);
  c.add('64479', dos, { expect: ['ONE_REGION_PER_SESSION'], note: 'cervical transforaminal' });
  p.place([c]);

  p.begin('Other spinal procedures in the same session', 'SAME_SESSION_OTHER_SPINAL (warning).');
  c = p.claim(p.patient(), p.doctor(), '24');
  dos = p.day();
  c.add('62323', dos);
  c.add('64483', dos, { expect: ['SAME_SESSION_OTHER_SPINAL'], note: 'lumbar transforaminal' });
  c.add('64493', dos, { expect: ['SAME_SESSION_OTHER_SPINAL'], note: 'facet injection' });
  p.place([c]);

  patient = p.patient();
  dos = p.day();
  c = p.claim(patient, p.world.painDoctors[4] ?? p.doctor());
  c.add('62323', dos);
  c.drug(dos);
  p.place([c]);
  c = p.claim(patient, p.world.painDoctors[5] ?? p.doctor());
  c.add('20553', dos, { expect: ['SAME_SESSION_OTHER_SPINAL'], note: 'trigger points, same day' });
  p.place([c]);

  p.begin('E/M on the injection day', 'EM_SAME_DAY_NO_25 only when the same provider bills it without 25.');
  c = p.claim(p.patient(), p.doctor());
  const emDay = p.world.day('2026-03-02', '2026-10-30');
  c.add('99213', compactDate(emDay), {
    dosTo: '',
    expect: ['EM_SAME_DAY_NO_25'],
    note: 'no 25; date written YYYYMMDD',
  });
  c.add('62323', isoDate(emDay));
  c.add('J0702', isoDate(emDay), { units: '2', charge: '28.00' });
  p.place([c]);

  patient = p.patient();
  dos = p.day();
  c = p.claim(patient, p.world.painDoctors[6] ?? p.doctor());
  c.add('62323', dos);
  c.drug(dos);
  p.place([c]);
  c = p.claim(patient, p.world.painDoctors[7] ?? p.doctor());
  c.add('99204', dos, {
    mustNot: ['EM_SAME_DAY_NO_25'],
    why: 'billed by another provider (another encounter)',
    note: 'E/M without 25, other provider',
  });
  p.place([c]);

  c = p.claim(p.patient(), p.doctor());
  dos = p.day();
  c.add('99214', dos, {
    mods: ['GC', '25'],
    mustNot: ['EM_SAME_DAY_NO_25'],
    why: 'modifier 25 present (second position)',
    note: 'E/M GC 25',
  });
  c.add('62323', dos);
  c.drug(dos);
  p.place([c]);

  c = p.claim(p.patient(), p.doctor());
  dos = p.day();
  c.add('99213', dos, {
    mods: ['25'],
    mustNot: ['EM_SAME_DAY_NO_25'],
    why: 'modifier 25 present',
    note: 'E/M with 25',
  });
  c.add('62323', dos);
  c.drug(dos, {
    mustNot: ['DRUG_IN_FACILITY'],
    why: 'office (POS 11): the physician buys the drug',
    note: 'steroid in the office',
  });
  p.place([c]);

  p.begin('Sedation in the injection session', 'SEDATION_SAME_SESSION (warning), whoever bills it.');
  c = p.claim(p.patient(), p.doctor());
  dos = p.day();
  c.add('62323', dos);
  c.add('99152', dos, { expect: ['SEDATION_SAME_SESSION'], note: 'moderate sedation' });
  c.add('99153', dos, { expect: ['SEDATION_SAME_SESSION'], note: 'sedation add-on' });
  p.place([c]);

  patient = p.patient();
  dos = p.day();
  c = p.claim(patient, p.doctor(), '24');
  c.add('62323', dos);
  p.place([c]);
  c = p.claim(patient, p.world.rng.pick(p.world.anesthesiologists), '24');
  c.add('01938', dos, {
    mods: ['AA'],
    units: '4',
    expect: ['SEDATION_SAME_SESSION'],
    note: 'anesthesia, other provider',
  });
  p.place([c]);

  p.begin('Steroid billed by the physician in a facility', 'DRUG_IN_FACILITY (warning) on the drug line.');
  c = p.claim(p.patient(), p.doctor(), '22');
  dos = p.day();
  c.add('62323', dos);
  c.add('J3301', dos, { units: '4', charge: '26.00', expect: ['DRUG_IN_FACILITY'], note: 'J3301 at POS 22' });
  p.place([c]);

  c = p.claim(p.patient(), p.doctor(), '19');
  dos = p.day();
  c.add('62323', dos, {
    mustNot: ['POS_NOT_ALLOWED', 'POS_UNUSUAL'],
    why: 'POS 19 (off-campus outpatient hospital) is allowed',
    note: 'POS 19',
  });
  c.add('J1040', dos, {
    units: '1',
    expect: ['CODE_RETIRED', 'DRUG_IN_FACILITY'],
    note: 'J1040 (retired 2024-04-01) at POS 19',
  });
  p.place([c]);

  p.begin('Retired steroid code in the office', 'CODE_RETIRED only: POS 11 is not a facility.');
  c = p.claim(p.patient(), p.doctor());
  dos = p.day();
  c.add('62323', dos);
  c.add('J1030', dos, { units: '1', expect: ['CODE_RETIRED'], note: 'J1030 at POS 11' });
  p.place([c]);
}

function plantPlaceAndAuth(p: Planter): void {
  p.begin(
    'Missing prior authorization',
    'PRIOR_AUTH_MISSING (warning); the only 62323 lines without an auth number.',
  );
  let c = p.claim(p.patient(), p.doctor(), '24');
  c.add('62323', p.day(), {
    auth: '',
    set: { payer: 'Contoso Health Plan\nAttn: Prior Authorization Unit' },
    expect: ['PRIOR_AUTH_MISSING'],
    note: 'payer field holds a line break, so this record spans two physical lines',
  });
  p.place([c]);

  c = p.claim(p.patient(['M54.50']), p.doctor(), '12');
  c.add('62323', p.day(), {
    units: '2',
    mods: ['50'],
    auth: '',
    expect: [
      'BILATERAL_MODIFIER',
      'DX_AXIAL_ONLY',
      'POS_NOT_ALLOWED',
      'PRIOR_AUTH_MISSING',
      'UNITS_EXCEED_MUE',
    ],
    note: 'everything wrong: home, bilateral, 2 units, axial dx, no auth',
  });
  p.place([c]);

  p.begin(
    'Unusual or wrong places of service',
    'POS_UNUSUAL for 21/23, POS_NOT_ALLOWED for others, INVALID_POS for 00.',
  );
  c = p.claim(p.patient(), p.doctor(), '21');
  c.add('62323', p.day(), { expect: ['POS_UNUSUAL'], note: 'inpatient (21)' });
  p.place([c]);
  c = p.claim(p.patient(), p.doctor(), '23');
  c.add('62323', p.day(), { expect: ['POS_UNUSUAL'], note: 'emergency room (23)' });
  p.place([c]);
  c = p.claim(p.patient(), p.doctor(), '49');
  c.add('62323', p.day(), { expect: ['POS_NOT_ALLOWED'], note: 'independent clinic (49)' });
  p.place([c]);
  c = p.claim(p.patient(), p.doctor(), '00');
  c.add('62323', p.day(), {
    expect: ['INVALID_POS'],
    mustNot: ['POS_NOT_ALLOWED'],
    why: '00 is not a valid-shaped POS, so only INVALID_POS',
    note: 'POS 00',
  });
  p.place([c]);

  p.begin(
    '62323 spanning more than one day',
    'MULTI_DAY_SPAN (warning); a span that ends first is also out of range.',
  );
  c = p.claim(p.patient(), p.doctor(), '24');
  c.add('62323', '2026-05-04', { dosTo: '2026-05-05', expect: ['MULTI_DAY_SPAN'], note: 'May 4 to May 5' });
  p.place([c]);
  c = p.claim(p.patient(), p.doctor(), '22');
  c.add('62323', '2026-08-12', {
    dosTo: '2026-08-11',
    expect: ['DATE_OUT_OF_RANGE', 'MULTI_DAY_SPAN'],
    note: 'August 12 to August 11',
  });
  p.place([c]);
}

/**
 * FREQUENCY_EXCEEDED: more than 4 distinct dates with 62323/64483/64484 in [d − 364, d]. Each
 * member below has one injection per claim, so the claims land all over the file.
 */
function plantFrequency(p: Planter): void {
  const series = (
    patient: Patient,
    doctor: Provider,
    dates: readonly string[],
    fire: readonly string[],
  ): void => {
    for (const date of dates) {
      const c = p.claim(patient, doctor, '24');
      const fires = fire.includes(date);
      c.add('62323', date, {
        expect: fires ? ['FREQUENCY_EXCEEDED'] : [],
        mustNot: fires ? [] : ['FREQUENCY_EXCEEDED'],
        why: fires ? '' : 'at most 4 counted dates in its window',
        note: `session ${date}`,
      });
      p.place([c]);
    }
  };

  p.begin('Five injections in the batch', 'Only the fifth date has 5 dates in its 365-day window.');
  series(
    p.patient(),
    p.doctor(),
    ['2026-01-13', '2026-03-10', '2026-05-12', '2026-07-14', '2026-09-15'],
    ['2026-09-15'],
  );

  p.begin(
    'Three injections in the batch, two more in history',
    'Fires only with prior-sessions.csv: 2025-08-12 (62323) is exactly 364 days before 2026-08-11, inside the window.',
  );
  const withHistory = p.patient();
  p.history(withHistory.id, '2025-08-12', '62323');
  p.history(withHistory.id, '2025-11-18', '64484');
  const doctor = p.doctor();
  for (const date of ['2026-04-07', '2026-06-09', '2026-08-11']) {
    const c = p.claim(withHistory, doctor, '22');
    const fires = date === '2026-08-11';
    c.add('62323', date, {
      expect: fires ? ['FREQUENCY_EXCEEDED'] : [],
      needsHistory: fires ? ['FREQUENCY_EXCEEDED'] : [],
      mustNot: fires ? [] : ['FREQUENCY_EXCEEDED'],
      why: fires ? '' : 'at most 4 counted dates in its window, history included',
      note: `session ${date}${fires ? ' (5th counted date with history)' : ''}`,
    });
    p.place([c]);
  }

  p.begin(
    'Six sessions, one of them a transforaminal 64483',
    'The 64483 date counts toward the limit but is not itself flagged; the 5th and 6th dates fire.',
  );
  const six = p.patient();
  const sixDoctor = p.doctor();
  series(six, sixDoctor, ['2026-01-20', '2026-03-03', '2026-04-14'], []);
  const c = p.claim(six, sixDoctor, '24');
  c.add('64483', '2026-05-26', { note: 'counted date without a 62323 line' });
  p.place([c]);
  series(six, sixDoctor, ['2026-07-07', '2026-08-18'], ['2026-07-07', '2026-08-18']);

  p.begin(
    'Exactly four sessions',
    'History repeats one batch date (counted once) and adds codes that do not count (62321, 64490).',
  );
  const four = p.patient();
  series(four, p.doctor(), ['2026-02-10', '2026-04-21', '2026-06-30', '2026-09-08'], []);
  p.history(four.id, '2026-02-10', '62323');
  p.history(four.id, '2025-12-02', '62321');
  p.history(four.id, '2026-05-19', '64490');

  p.begin(
    'Five sessions, the oldest 365 days before the newest',
    'History 2025-10-15 falls just outside the window of 2026-10-15 ([2025-10-16, 2026-10-15]).',
  );
  const edge = p.patient();
  p.history(edge.id, '2025-10-15', '62323');
  series(edge, p.doctor(), ['2026-01-20', '2026-04-14', '2026-07-07', '2026-10-15'], []);
}

function plantDuplicates(p: Planter): void {
  p.begin(
    'The same claim line sent again',
    'DUPLICATE_LINE on every later copy of (claim_id, line_no); the first copy is not flagged.',
  );
  const therapy = p.claim(p.patient(), p.world.rng.pick(p.world.therapists));
  const dos = p.day('2026-02-02', '2026-06-30');
  const original = therapy.add('97110', dos, { mods: ['GP'], note: 'first copy' });
  therapy.add('97140', dos, { mods: ['GP'] });
  const copy = (note: string): DataLine => ({ ...original, expect: ['DUPLICATE_LINE'], note });
  p.batch.blocks.push({ entries: [...therapy.lines, copy('second copy, right after')], pin: 'early' });
  p.batch.blocks.push({ entries: [copy('third copy, near the end of the file')], pin: 'late' });

  const c = p.claim(p.patient(), p.doctor());
  const day = p.day();
  const index = c.add('62323', day, { expect: ['UNITS_EXCEED_MUE'], note: 'first copy' });
  c.drug(day);
  const resent: DataLine = {
    ...index,
    expect: ['DUPLICATE_LINE', 'UNITS_EXCEED_MUE'],
    note: 'resent copy: also a second unit in the encounter',
  };
  p.batch.blocks.push({ entries: [...c.lines, resent] });
}

/** Clean lines written in the less common accepted forms. */
function plantFormats(p: Planter): void {
  p.begin(
    'Accepted formats',
    'Quoted fields, a $ amount, M/D/YYYY dates and lower-case codes are all valid.',
  );
  const patient = p.patient(['m54.17', 'M48.062'], 'Acme Health, Inc.');
  const c = p.claim(patient, p.doctor());
  const day = p.world.day('2026-03-02', '2026-10-30');
  c.add('99214', usShortDate(day), {
    mods: ['25'],
    dosTo: usShortDate(day),
    mustNot: ['INVALID_DATE', 'INVALID_DIAGNOSIS', 'EM_SAME_DAY_NO_25'],
    why: 'M/D/YYYY date, lower-case dx',
    note: 'E/M-25, date M/D/YYYY',
  });
  c.add('62323', isoDate(day), {
    charge: '$1,250.00',
    mustNot: ['INVALID_CHARGE', 'INVALID_DIAGNOSIS', 'DX_NOT_COVERED'],
    why: '"$1,250.00" is a valid amount; m54.17 is M5417, covered',
    note: 'charge "$1,250.00", payer "Acme Health, Inc."',
  });
  c.drug(usDate(day), {
    dosTo: usDate(day),
    mustNot: ['INVALID_DATE'],
    why: 'MM/DD/YYYY date',
    note: 'steroid, office, date MM/DD/YYYY',
  });
  p.place([c]);
}

function plantRejected(p: Planter): void {
  p.begin(
    'Records that cannot be parsed',
    'Rejected (rejected.csv), never checked; parsing resumes on the next line.',
  );
  const patient = p.patient(undefined, 'Fabrikam Mutual');
  const c = new ClaimBuilder(p.world, patient, p.doctor(), '11', undefined, true);
  const dos = p.day();
  const cut = c.add('62323', dos);
  p.raw(
    csvRecord(HEADER.slice(0, 21).map((column) => cut.fields[column])),
    'wrong number of fields (21, expected 22)',
  );

  const t = new ClaimBuilder(
    p.world,
    p.patient(undefined, 'Northwind Benefits'),
    p.doctor(),
    '11',
    undefined,
    true,
  );
  const stray = t.add('99213', p.day(), { dx: ['M51.26', 'L4-5" disc'] });
  // Written without quoting on purpose: a quote inside an unquoted field breaks RFC 4180.
  p.raw(HEADER.map((column) => stray.fields[column]).join(','), 'a quote inside an unquoted field');
}

// ---------------------------------------------------------------------------------------------
// Layout and output

interface Placed {
  readonly line: number;
  readonly endLine: number;
  readonly entry: Entry;
}

/** Shuffles the blocks, keeps pinned ones near the top/bottom, adds one blank line in the middle. */
function layout(rng: Rng, blocks: readonly Block[], blankLine: boolean): Block[] {
  const free = rng.shuffle(blocks.filter((block) => block.pin === undefined));
  const early = blocks.filter((block) => block.pin === 'early');
  const late = blocks.filter((block) => block.pin === 'late');
  const ordered = [...free];
  ordered.splice(Math.floor(ordered.length * 0.9), 0, ...late);
  ordered.splice(Math.min(3, ordered.length), 0, ...early);
  if (blankLine) ordered.splice(Math.floor(ordered.length / 2), 0, { entries: [{ kind: 'blank' }] });
  return ordered;
}

function render(blocks: readonly Block[]): { text: string; placed: Placed[] } {
  const out = [HEADER_LINE];
  const placed: Placed[] = [];
  let line = 2; // the header is line 1
  for (const block of blocks) {
    for (const entry of block.entries) {
      const text =
        entry.kind === 'line' ? claimLineRecord(entry.fields) : entry.kind === 'raw' ? entry.text : '';
      const endLine = line + (text.match(/\n/g)?.length ?? 0);
      placed.push({ line, endLine, entry });
      out.push(text);
      line = endLine + 1;
    }
  }
  return { text: `${out.join('\n')}\n`, placed };
}

interface Finding {
  readonly line: number;
  readonly rule_id: RuleId;
}

const byLineThenRule = (a: Finding, b: Finding): number =>
  a.line - b.line || (a.rule_id < b.rule_id ? -1 : a.rule_id > b.rule_id ? 1 : 0);

function expectedFindings(placed: readonly Placed[]): Finding[] {
  const findings: Finding[] = [];
  for (const { line, entry } of placed) {
    if (entry.kind !== 'line') continue;
    for (const rule_id of entry.expect) findings.push({ line, rule_id });
  }
  return findings.sort(byLineThenRule);
}

/** Guards against a planted scenario quietly losing its point when the script is edited. */
function selfCheck(placed: readonly Placed[], findings: readonly Finding[]): void {
  const fired = new Set(findings.map((finding) => finding.rule_id));
  const missing = RULE_IDS.filter((rule) => !fired.has(rule));
  if (missing.length > 0) throw new Error(`rules not planted: ${missing.join(', ')}`);
  const priorAuthMissing = placed.filter(
    ({ entry }) =>
      entry.kind === 'line' && entry.fields.procedure_code === '62323' && entry.fields.prior_auth === '',
  );
  if (priorAuthMissing.length !== 2) throw new Error('expected exactly two 62323 lines without prior auth');
  for (const { entry } of placed) {
    if (entry.kind !== 'line' || entry.scenario !== undefined) continue;
    const { rendering_npi, billing_npi } = entry.fields;
    if (!isValidNpi(rendering_npi) || !isValidNpi(billing_npi))
      throw new Error('background line with a bad NPI');
  }
}

function historyCsv(rows: readonly HistoryRow[]): string {
  const sorted = [...rows].sort((a, b) => a.date.localeCompare(b.date) || a.member.localeCompare(b.member));
  const lines = [
    'member_id,date_of_service,procedure_code',
    ...sorted.map((row) => csvRecord([row.member, row.date, row.code])),
  ];
  return `${lines.join('\n')}\n`;
}

/** A few history rows for members who are not in tonight's batch, as a real history file would have. */
function addUnrelatedHistory(world: World, rows: HistoryRow[]): void {
  for (let index = 0; index < 6; index += 1) {
    rows.push({
      member: world.memberId(),
      date: isoDate(world.day('2025-03-03', '2026-09-30')),
      code: world.rng.pick(['62323', '64483', '64484', '62321']),
    });
  }
}

/** Pretty JSON with each small object and list of strings on one line, so the answer key diffs well. */
function compactJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)
    .replace(
      /\[\n\s+("[^"\n]*"(?:,\n\s+"[^"\n]*")*)\n\s+\]/g,
      (_match, items: string) => `[${items.split(/,\n\s+/).join(', ')}]`,
    )
    .replace(
      /\{\n\s+([^{}[\]]*?)\n\s+\}/g,
      (_match, body: string) => `{ ${body.split(/,\n\s+/).join(', ')} }`,
    )}\n`;
}

// ---------------------------------------------------------------------------------------------
// README

const esc = (text: string): string => text.replaceAll('|', '\\|').replaceAll('\n', '\\n');
const code = (text: string): string => (text === '' ? '(empty)' : `\`${esc(text)}\``);

function readme(
  placed: readonly Placed[],
  findings: readonly Finding[],
  scenarios: readonly Scenario[],
  counts: {
    lines: number;
    checked: number;
    rejected: number;
    physical: number;
    history: number;
    clean: number;
  },
): string {
  const out: string[] = [];
  const push = (...lines: string[]): void => {
    out.push(...lines);
  };
  const blank = placed.find(({ entry }) => entry.kind === 'blank');

  push(
    '# Sample batches',
    '',
    'Synthetic claim-line batches for trying `scrub62323` and for its tests. Nothing here is real:',
    'member ids (`M` + 8 digits), claim ids (`CLM` + 7 digits), prior authorization numbers and NPIs are',
    'made up (the NPIs do pass the check digit, so they look valid), and there are no names. Payers are',
    'invented too.',
    '',
    'Generated by `scripts/make-samples.ts` from fixed seeds: running it again gives byte-identical files.',
    'Do not edit the CSVs by hand; change the script and regenerate, so the line numbers below stay true.',
    '',
    '```sh',
    'npx tsx scripts/make-samples.ts',
    'scrub62323 check samples/nightly-batch.csv --as-of 2026-11-28 --history samples/prior-sessions.csv',
    '```',
    '',
    '## Files',
    '',
    '| file | what it is |',
    '|---|---|',
    `| \`nightly-batch.csv\` | A night's batch: ${counts.physical} physical lines (header, ${counts.lines} records, one blank line). Mostly clean claims; every rule of 62323/v1 is planted on purpose, along with near misses that must not fire and ${counts.rejected} records that cannot be parsed. |`,
    `| \`prior-sessions.csv\` | ${counts.history} sessions from earlier batches. FREQUENCY_EXCEEDED counts them together with the batch. |`,
    `| \`clean-batch.csv\` | ${counts.clean} lines that must give no findings at all (as-of 2026-11-28, with or without history). |`,
    '| `expected-findings.json` | The answer key for `nightly-batch.csv`: every finding as `{line, rule_id}`, the rejected records, the findings that need the history file, and the near misses. |',
    '',
    '## Columns',
    '',
    'The batches use the standard header (see "Input" in the main README):',
    '',
    '| column | example | notes |',
    '|---|---|---|',
    '| `claim_id` | `CLM4820193` | one claim has 1–6 lines |',
    '| `line_no` | `1` | line number within the claim; (`claim_id`, `line_no`) is unique except where planted |',
    '| `member_id` | `M40213377` | synthetic member id |',
    '| `patient_dob` | `1958-04-17` | mostly `YYYY-MM-DD`, a few `MM/DD/YYYY` |',
    '| `date_of_service` | `2026-06-09` | all in 2026 and before the as-of date 2026-11-28, except where planted; a few `MM/DD/YYYY`, `M/D/YYYY` or `YYYYMMDD` |',
    '| `date_of_service_to` | `2026-06-09` | same as the date of service, or empty (as different billing systems send it) |',
    '| `procedure_code` | `62323` | CPT/HCPCS: 62323, E/M (99203/99204/99213/99214), steroids (J3301, J1100, J0702), physical therapy (97110, 97140, 97530), imaging (72100, 72148), other pain procedures on other days (64483, 64493, 20552) |',
    '| `modifier_1`…`modifier_4` | `25`, `GP`, `26` | E/M on an injection day carries 25; therapy carries GP |',
    '| `dx_1`…`dx_4` | `M54.16`, `M5417` | ICD-10-CM with or without the dot |',
    '| `units` | `1` | 62323 is always 1 unit on clean lines |',
    '| `place_of_service` | `11` | clean 62323 lines are in the office (11), outpatient hospital (22) or ambulatory surgery center (24) |',
    '| `rendering_npi`, `billing_npi` | `1…`, `2…` | individual providers start with 1, their group practices with 2 |',
    '| `charge` | `1150.00` | a few written as `"$1,250.00"` |',
    '| `prior_auth` | `PA12345678` | on every 62323 line except the two planted ones |',
    '| `payer` | `Acme Health, Inc.` | some need CSV quoting (a comma, or `""` quotes) |',
    '',
    '`prior-sessions.csv` has `member_id,date_of_service,procedure_code`: one row per earlier session',
    '(62323, 64483 and 64484 count toward the frequency limit; a few other codes are there and must not count).',
    '',
    '## What is planted where (nightly-batch.csv)',
    '',
    '`line` is the physical line where a record starts; the header is line 1. As-of date 2026-11-28,',
    'history loaded from `prior-sessions.csv`. Encounter = same member, date and rendering NPI;',
    'session = same member and date.',
    '',
    `Special lines: line ${blank?.line ?? '?'} is blank (skipped, not counted as a record); one record has a line break inside its quoted payer field, so it spans two physical lines (see PRIOR_AUTH_MISSING below), and the line numbers after it are one more than the record count suggests.`,
    '',
    '### By rule',
    '',
    '| rule | severity | fires on lines |',
    '|---|---|---|',
  );
  for (const rule of RULE_IDS) {
    const lines = findings.filter((finding) => finding.rule_id === rule).map((finding) => finding.line);
    const shown = [...new Set(lines)].map((line) => {
      const times = lines.filter((other) => other === line).length;
      return times === 1 ? String(line) : `${line} (×${times})`;
    });
    push(`| ${rule} | ${severityOf(rule)} | ${shown.join(', ')} |`);
  }

  push(
    '',
    '### By scenario',
    '',
    'Every line of a planted scenario, with all the findings it must get (— = none). A line with an',
    'empty finding list that is part of a scenario is usually the related line of another finding',
    '(e.g. the 62323 that an imaging line is bundled into).',
    '',
  );
  for (const scenario of scenarios) {
    const members = placed.filter(({ entry }) => entry.kind !== 'blank' && entry.scenario === scenario);
    if (members.length === 0) continue;
    push(
      `#### ${scenario.title}`,
      '',
      scenario.why,
      '',
      '| line | claim / line | code | findings | note |',
      '|---|---|---|---|---|',
    );
    for (const { line, endLine, entry } of members) {
      const lineText = endLine > line ? `${line}–${endLine}` : String(line);
      if (entry.kind === 'raw') {
        push(`| ${lineText} | — | — | rejected: ${entry.reason} | \`${esc(entry.text)}\` |`);
      } else if (entry.kind === 'line') {
        const f = entry.fields;
        const rules = [...entry.expect].sort();
        const findingText = rules.length === 0 ? '—' : rules.join(', ');
        const mods = [f.modifier_1, f.modifier_2, f.modifier_3, f.modifier_4]
          .filter((mod) => mod !== '')
          .join('-');
        push(
          `| ${lineText} | ${code(f.claim_id)} / ${code(f.line_no)} | ${code(f.procedure_code)}${mods === '' ? '' : `-${mods}`} | ${findingText} | ${esc(entry.note)} |`,
        );
      }
    }
    push('');
  }

  push(
    '### Near misses (must not fire)',
    '',
    '| line | must not fire | why |',
    '|---|---|---|',
    ...placed.flatMap(({ line, entry }) =>
      entry.kind === 'line' && entry.mustNot.length > 0
        ? [`| ${line} | ${entry.mustNot.join(', ')} | ${esc(entry.why)} |`]
        : [],
    ),
    '',
    '### Without the history file',
    '',
    'Run without `prior-sessions.csv`, the batch gives the same findings except these, which need the',
    'earlier sessions:',
    '',
    ...placed.flatMap(({ line, entry }) =>
      entry.kind === 'line' ? entry.needsHistory.map((rule) => `- line ${line}: ${rule}`) : [],
    ),
    '',
    '## clean-batch.csv',
    '',
    `${counts.clean} lines drawn like the clean part of the nightly batch: every 62323 line has a prior`,
    'authorization, a covered diagnosis, POS 11/22/24 and one unit; steroids are billed only in the office;',
    'an E/M on an injection day carries 25; no member has more than 4 counted sessions; every NPI, date,',
    'code and amount is valid and current. A few fields use the other accepted forms (quoted payers,',
    '`$` amounts, `MM/DD/YYYY`, `M/D/YYYY`, `YYYYMMDD`). Any finding on this file is a bug.',
    '',
  );
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Main

function main(): void {
  const outDir = process.argv[2] ?? 'samples';
  mkdirSync(outDir, { recursive: true });

  // Nightly batch: planted scenarios first (so their ids do not depend on the background size).
  const world = new World(NIGHTLY_SEED);
  const planter = plantScenarios(world);
  const plantedLines = planter.batch.blocks.reduce((sum, block) => sum + block.entries.length, 0);
  addBackground(world, planter.batch, NIGHTLY_TARGET_LINES - plantedLines, true);
  addUnrelatedHistory(world, planter.batch.history);
  const nightly = render(layout(world.rng, planter.batch.blocks, true));
  const findings = expectedFindings(nightly.placed);
  selfCheck(nightly.placed, findings);

  // Clean batch: background only, its own seed, no history.
  const cleanWorld = new World(CLEAN_SEED);
  const clean: Batch = { blocks: [], history: [] };
  addBackground(cleanWorld, clean, CLEAN_TARGET_LINES, false);
  const cleanFile = render(layout(cleanWorld.rng, clean.blocks, false));

  const records = nightly.placed.filter(({ entry }) => entry.kind !== 'blank');
  const rejected = records.flatMap(({ line, endLine, entry }) =>
    entry.kind === 'raw' ? [{ line, end_line: endLine, reason: entry.reason }] : [],
  );
  const checked = records.filter(({ entry }) => entry.kind === 'line');
  const severity = { error: 0, warning: 0, info: 0 };
  for (const finding of findings) severity[severityOf(finding.rule_id)] += 1;

  const answer = {
    file: 'samples/nightly-batch.csv',
    history: 'samples/prior-sessions.csv',
    asOf: SAMPLE_AS_OF,
    ruleSet: '62323/v1',
    counts: {
      lines: records.length,
      checked: checked.length,
      rejected: rejected.length,
      indexLines: checked.filter(
        ({ entry }) => entry.kind === 'line' && entry.fields.procedure_code.trim().toUpperCase() === '62323',
      ).length,
      flaggedLines: new Set(findings.map((finding) => finding.line)).size,
      findings: severity,
    },
    findings,
    rejected,
    onlyWithHistory: nightly.placed
      .flatMap(({ line, entry }) =>
        entry.kind === 'line' ? entry.needsHistory.map((rule_id) => ({ line, rule_id })) : [],
      )
      .sort(byLineThenRule),
    nearMisses: nightly.placed.flatMap(({ line, entry }) =>
      entry.kind === 'line' && entry.mustNot.length > 0
        ? [{ line, mustNotFire: entry.mustNot, why: entry.why }]
        : [],
    ),
    cleanBatch: { file: 'samples/clean-batch.csv', lines: cleanFile.placed.length, findings: [] },
  };

  const historyText = historyCsv(planter.batch.history);
  writeFileSync(join(outDir, 'nightly-batch.csv'), nightly.text);
  writeFileSync(join(outDir, 'prior-sessions.csv'), historyText);
  writeFileSync(join(outDir, 'clean-batch.csv'), cleanFile.text);
  writeFileSync(join(outDir, 'expected-findings.json'), compactJson(answer));
  writeFileSync(
    join(outDir, 'README.md'),
    readme(nightly.placed, findings, planter.scenarios, {
      lines: records.length,
      checked: checked.length,
      rejected: rejected.length,
      physical: nightly.text.split('\n').length - 1,
      history: planter.batch.history.length,
      clean: cleanFile.placed.length,
    }),
  );
  console.log(
    `wrote ${outDir}/: nightly-batch.csv (${records.length} records, ${findings.length} findings), ` +
      `prior-sessions.csv (${planter.batch.history.length} rows), clean-batch.csv (${cleanFile.placed.length} lines)`,
  );
}

main();
