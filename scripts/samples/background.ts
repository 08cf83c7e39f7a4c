/** Background: realistic clean claims (injections, work-ups, therapy), no findings by construction. */

import {
  COVERED_DIAGNOSES,
  chargeFor,
  GENERAL_BACK_DIAGNOSES,
  SAMPLE_AS_OF,
  SECONDARY_DIAGNOSES,
} from '../../bench/synthetic.js';
import { compactDate, epochDay, isoDate, usDate, usShortDate } from '../../test/support/dates.js';
import type { Random } from '../../test/support/random.js';
import type { Batch, HistoryRow, Patient, Provider } from './model.js';
import { ClaimBuilder, type World, weekday } from './world.js';

/** Last date of service used for clean lines: the day before the as-of date. */
const LAST_DAY = epochDay(SAMPLE_AS_OF) - 1;

/** `1250.00` → `$1,250.00` (written by hand so the output does not depend on the ICU build). */
const dollars = (plain: string): string => `$${plain.replace(/\B(?=(\d{3})+\.)/g, ',')}`;

/** Clean 62323 settings: office, outpatient hospital, ambulatory surgery center. */
const INDEX_SETTINGS = ['11', '11', '11', '22', '24', '24'] as const;

export function addBackground(world: World, batch: Batch, targetLines: number, withHistory: boolean): void {
  let lines = 0;
  while (lines < targetLines) {
    lines += world.rng.chance(0.6)
      ? injectionPatient(world, batch, withHistory)
      : workupPatient(world, batch);
  }
}

/** Dates of one claim, written mostly as ISO and sometimes in the other accepted formats. */
function dateWriter(rng: Random): (day: number) => string {
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
    const wanted = rng.between(1, 2);
    while (historyDays.size < wanted) historyDays.add(world.day('2025-02-03', '2025-12-12'));
    for (const day of historyDays) {
      const code = rng.pick(['62323', '62323', '64483']);
      batch.history.push(world.historyRow(patient.id, isoDate(day), code, doctor.npi));
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
  day = weekday(day + rng.between(7, 24));

  if (rng.chance(0.45) && day <= LAST_DAY) {
    claims.push(therapyClaim(world, patient, day));
    day = weekday(day + rng.between(14, 30));
  }

  const sessions = Math.min(4 - counted, rng.pick([1, 1, 2, 2, 2, 3]));
  for (let session = 0; session < sessions && day <= LAST_DAY; session += 1) {
    claims.push(injectionEncounter(world, patient, doctor, setting, day));
    counted += 1;
    day = weekday(day + rng.between(21, 63));
  }

  // Another pain procedure on its own day (64483 counts toward the frequency limit, the others do not).
  if (day <= LAST_DAY && rng.chance(0.15)) {
    const code = rng.pick(counted < 4 ? ['64483', '64493', '20552'] : ['64493', '20552']);
    visit(code, doctor, setting, (claim, dos) => {
      if (setting === '11') claim.drug(dos);
    });
    day = weekday(day + rng.between(14, 40));
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

  day = weekday(day + rng.between(3, 10));
  if (rng.chance(0.4) && day <= LAST_DAY) {
    const mri = newClaim(world, patient, rng.pick(world.radiologists), '22');
    mri.add('72148', isoDate(day), { mods: ['26'] });
    claims.push(mri);
    day = weekday(day + rng.between(5, 12));
  }

  const therapy = rng.between(1, 3);
  for (let visit = 0; visit < therapy && day <= LAST_DAY; visit += 1) {
    claims.push(therapyClaim(world, patient, day));
    day = weekday(day + rng.between(14, 28));
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
  const second = weekday(day + 7);
  // The second visit, a week later, only when it is still before the as-of date.
  const visits = rng.chance(0.3) && second <= LAST_DAY ? [day, second] : [day];
  for (const visitDay of visits) {
    const dos = isoDate(visitDay);
    claim.add('97110', dos, { mods: ['GP'] });
    claim.add('97140', dos, { mods: ['GP'] });
    if (rng.chance(0.5)) claim.add('97530', dos, { mods: ['GP'] });
  }
  return claim;
}

/** A few history rows for members who are not in tonight's batch, as a real history file would have. */
export function addUnrelatedHistory(world: World, rows: HistoryRow[]): void {
  for (let index = 0; index < 6; index += 1) {
    const member = world.memberId();
    const date = isoDate(world.day('2025-03-03', '2026-09-30'));
    const code = world.rng.pick(['62323', '64483', '64484', '62321']);
    rows.push(world.historyRow(member, date, code, world.rng.pick(world.painDoctors).npi));
  }
}
