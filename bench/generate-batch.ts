/**
 * Synthetic claim batches of any size for benchmarks: the same header as the samples, ~12% 62323
 * lines among E/M, steroid, therapy and imaging lines, ~5 lines per member, a pool of 2,000
 * providers, and 2–5% of lines carrying a finding (some of them a very long way from the line
 * they relate to, so chunked runs have cross-chunk work to do).
 *
 * Streams the file in blocks and keeps only a bounded window of members in memory, so 10M lines
 * cost no more memory than 10k.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { STANDARD_HEADER_LINE } from '../test/support/columns.js';
import { csvField } from '../test/support/csv.js';
import { epochDay, isoDate } from '../test/support/dates.js';
import { breakNpi, makeNpiPool } from '../test/support/npi.js';
import { Random } from '../test/support/random.js';
import {
  COVERED_DIAGNOSES,
  chargeFor,
  GENERAL_BACK_DIAGNOSES,
  OFFICE_STEROIDS,
  PAYERS,
  SAMPLE_AS_OF,
  SECONDARY_DIAGNOSES,
} from './synthetic.js';

/** Lines joined into one write: big enough to amortise the stream, small enough to stay flat. */
const BLOCK_LINES = 4096;
/** Members whose claims are interleaved at any time (a real batch is not sorted by member). */
const ACTIVE_MEMBERS = 64;
/** What a batch is made of: the bench's own mix, or one dense with 62323 lines and findings. */
export interface BatchProfile {
  /** Chance that a new member is an injection patient. */
  readonly injectionMembers: number;
  /** Sessions an injection patient gets in the year (picked at random from these). */
  readonly sessions: readonly number[];
  /** Chance of a therapy visit for an injection patient. */
  readonly therapy: number;
  /** Chance of a follow-up visit. */
  readonly followUp: number;
  /** Chance that a visit gets one planted problem. */
  readonly faultRate: number;
}

/** ~12% 62323 lines, ~3% of lines carrying a finding. */
export const BENCH_PROFILE: BatchProfile = {
  injectionMembers: 0.45,
  sessions: [1, 1, 1, 1, 2, 2, 3],
  therapy: 0.35,
  followUp: 0.5,
  faultRate: 0.055,
};

/** About a third of the lines 62323, and findings dense (a planted problem on ~40% of visits). */
export const DENSE_PROFILE: BatchProfile = {
  injectionMembers: 1,
  sessions: [2, 3, 3, 3],
  therapy: 0.3,
  followUp: 0.4,
  faultRate: 0.4,
};
/** Lines held back to be written far from their encounter; bounded so memory stays flat. */
const MAX_DEFERRED = 1024;

const FIRST_DAY = epochDay('2026-01-05');
const LAST_DAY = epochDay(SAMPLE_AS_OF) - 1;
const FIRST_BIRTHDAY = epochDay('1941-01-01');
const LAST_BIRTHDAY = epochDay('1991-12-31');

type VisitKind = 'newPatient' | 'imaging' | 'therapy' | 'injection' | 'otherSpinal' | 'followUp';

interface Visit {
  readonly kind: VisitKind;
  readonly day: number;
}

interface Provider {
  readonly npi: string;
  readonly billing: string;
}

interface Member {
  readonly id: string;
  readonly dob: string;
  /** Already CSV-quoted. */
  readonly payer: string;
  /** The four dx columns, pre-joined. */
  readonly dx: string;
  readonly auth: string;
  readonly doctor: Provider;
  /** Place of service of this member's injections. */
  readonly setting: string;
  readonly visits: Visit[];
  next: number;
}

/** One line before it is written; `mods` and `dx` hold four pre-joined columns each. */
interface Line {
  code: string;
  mods: string;
  dx: string;
  units: string;
  pos: string;
  npi: string;
  billing: string;
  charge: string;
  auth: string;
  dos: string;
  dosTo: string;
  /** A resent copy: written with the previous line's line_no. */
  resent?: boolean;
}

// The four modifier columns, pre-joined (the generator only ever uses one modifier per line).
const NO_MODS = ',,,';
const MOD_25 = '25,,,';
const MOD_26 = '26,,,';
const MOD_50 = '50,,,';
const MOD_59 = '59,,,';
const MOD_GP = 'GP,,,';
const MOD_KX = 'KX,,,';
const dxColumns = (codes: readonly string[]): string => [...codes, '', '', '', ''].slice(0, 4).join(',');

type Fault =
  | 'noAuth'
  | 'emWithout25'
  | 'fluoroscopy'
  | 'farFluoroscopy'
  | 'twoUnits'
  | 'bilateral'
  | 'axialOnly'
  | 'facilityDrug'
  | 'kx'
  | 'noImagingTwin'
  | 'sedation'
  | 'retiredDrug'
  | 'badNpi'
  | 'noUnits'
  | 'retiredDx'
  | 'badDate'
  | 'zeroCharge'
  | 'duplicate';

const INJECTION_FAULTS: readonly Fault[] = [
  'noAuth',
  'noAuth',
  'emWithout25',
  'fluoroscopy',
  'farFluoroscopy',
  'twoUnits',
  'bilateral',
  'axialOnly',
  'facilityDrug',
  'kx',
  'noImagingTwin',
  'sedation',
  'retiredDrug',
];
const ANY_FAULTS: readonly Fault[] = ['badNpi', 'noUnits', 'retiredDx', 'badDate', 'zeroCharge', 'duplicate'];

class BatchGenerator {
  private readonly doctors: Provider[];
  private readonly therapists: Provider[];
  private readonly radiologists: Provider[];
  private readonly anesthesiologists: Provider[];
  private readonly payers: string[] = PAYERS.map(csvField);
  private readonly coveredDx: string[];
  private readonly generalDx: string[];
  /** ISO strings for every day a line can fall on, so the hot loop never formats a date. */
  private readonly dates: string[] = [];
  private readonly birthdays: string[] = [];
  private readonly active: Member[] = [];
  private readonly queue: string[] = [];
  private queueHead = 0;
  private readonly deferred: { due: number; line: string }[] = [];
  private deferredHead = 0;
  private members = 0;
  private claims = 0;
  private emitted = 0;

  constructor(
    private readonly rng: Random,
    private readonly total: number,
    private readonly profile: BatchProfile,
  ) {
    const groups = makeNpiPool(rng, 200, 2);
    const individuals = makeNpiPool(rng, 1800, 1).map((npi, index) => ({
      npi,
      billing: groups[index % groups.length] ?? '',
    }));
    this.doctors = individuals.slice(0, 1000);
    this.therapists = individuals.slice(1000, 1500);
    this.radiologists = individuals.slice(1500, 1700);
    this.anesthesiologists = individuals.slice(1700);
    this.coveredDx = COVERED_DIAGNOSES.flatMap((covered) => [
      dxColumns([covered]),
      ...SECONDARY_DIAGNOSES.map((secondary) => dxColumns([covered, secondary])),
    ]);
    this.generalDx = GENERAL_BACK_DIAGNOSES.map((code) => dxColumns([code]));
    for (let day = FIRST_DAY; day <= LAST_DAY; day += 1) this.dates.push(isoDate(day));
    for (let day = FIRST_BIRTHDAY; day <= LAST_BIRTHDAY; day += 1) this.birthdays.push(isoDate(day));
    for (let slot = 0; slot < ACTIVE_MEMBERS; slot += 1) this.active.push(this.newMember());
  }

  /** The next data line of the batch. */
  next(): string {
    const remaining = this.total - this.emitted;
    const waiting = this.deferred.length - this.deferredHead;
    const head = this.deferred[this.deferredHead];
    this.emitted += 1;
    if (head !== undefined && (head.due <= this.emitted || remaining <= waiting)) {
      this.deferredHead += 1;
      if (this.deferredHead >= MAX_DEFERRED) {
        // Drop the consumed prefix now and then, so the array does not grow with the batch.
        this.deferred.splice(0, this.deferredHead);
        this.deferredHead = 0;
      }
      return head.line;
    }
    while (this.queueHead === this.queue.length) {
      this.queue.length = 0;
      this.queueHead = 0;
      this.fill();
    }
    const line = this.queue[this.queueHead] as string;
    this.queueHead += 1;
    return line;
  }

  /** Writes the next visit of a random active member into the queue. */
  private fill(): void {
    const slot = this.rng.int(ACTIVE_MEMBERS);
    let member = this.active[slot] as Member;
    if (member.next >= member.visits.length) {
      member = this.newMember();
      this.active[slot] = member;
    }
    const visit = member.visits[member.next] as Visit;
    member.next += 1;
    this.writeVisit(member, visit);
  }

  private newMember(): Member {
    const rng = this.rng;
    this.members += 1;
    const { profile } = this;
    const injections = rng.chance(profile.injectionMembers);
    const visits: Visit[] = [];
    let day = FIRST_DAY + rng.between(0, 265);
    const add = (kind: VisitKind, gapMin: number, gapMax: number): void => {
      if (day > LAST_DAY) return;
      visits.push({ kind, day });
      day += rng.between(gapMin, gapMax);
    };
    add('newPatient', 4, 20);
    if (!injections && rng.chance(0.4)) add('imaging', 5, 12);
    if (rng.chance(injections ? profile.therapy : 0.8)) add('therapy', 7, 21);
    if (!injections && rng.chance(0.3)) add('therapy', 7, 21);
    if (injections) {
      // A rare member gets five sessions in the year: a FREQUENCY_EXCEEDED finding.
      const sessions = rng.chance(0.002) ? 5 : rng.pick(profile.sessions);
      for (let session = 0; session < sessions; session += 1) add('injection', 21, sessions === 5 ? 35 : 63);
      if (rng.chance(0.1)) add('otherSpinal', 14, 30);
    }
    if (rng.chance(profile.followUp)) add('followUp', 0, 0);
    return {
      id: `M${10_000_000 + this.members}`,
      dob: rng.pick(this.birthdays),
      payer: rng.pick(this.payers),
      dx: rng.pick(injections ? this.coveredDx : this.generalDx),
      auth: `PA${rng.digits(8)}`,
      doctor: rng.pick(this.doctors),
      setting: rng.pick(['11', '11', '11', '22', '24']),
      visits,
      next: 0,
    };
  }

  private line(
    member: Member,
    provider: Provider,
    day: number,
    code: string,
    pos: string,
    more?: Partial<Line>,
  ): Line {
    const dos = this.dates[day - FIRST_DAY] as string;
    return {
      code,
      mods: NO_MODS,
      dx: member.dx,
      units: '1',
      pos,
      npi: provider.npi,
      billing: provider.billing,
      charge: chargeFor(this.rng, code),
      auth: '',
      dos,
      dosTo: dos,
      ...more,
    };
  }

  private writeVisit(member: Member, visit: Visit): void {
    const rng = this.rng;
    const { day } = visit;
    const lines: Line[] = [];
    switch (visit.kind) {
      case 'newPatient':
        lines.push(this.line(member, member.doctor, day, rng.pick(['99203', '99204']), '11'));
        if (rng.chance(0.35)) lines.push(this.line(member, member.doctor, day, '72100', '11'));
        break;
      case 'imaging':
        lines.push(this.line(member, rng.pick(this.radiologists), day, '72148', '22', { mods: MOD_26 }));
        break;
      case 'therapy': {
        const therapist = rng.pick(this.therapists);
        lines.push(this.line(member, therapist, day, '97110', '11', { mods: MOD_GP, units: '2' }));
        lines.push(this.line(member, therapist, day, '97140', '11', { mods: MOD_GP }));
        if (rng.chance(0.5)) lines.push(this.line(member, therapist, day, '97530', '11', { mods: MOD_GP }));
        break;
      }
      case 'injection': {
        const office = member.setting === '11';
        if (rng.chance(office ? 0.3 : 0.1)) {
          lines.push(
            this.line(member, member.doctor, day, rng.pick(['99213', '99214']), member.setting, {
              mods: MOD_25,
            }),
          );
        }
        lines.push(this.line(member, member.doctor, day, '62323', member.setting, { auth: member.auth }));
        if (office && rng.chance(0.8)) {
          const steroid = rng.pick(OFFICE_STEROIDS);
          lines.push(
            this.line(member, member.doctor, day, steroid.code, '11', {
              units: steroid.units,
              charge: steroid.charge,
            }),
          );
        }
        break;
      }
      case 'otherSpinal':
        lines.push(this.line(member, member.doctor, day, rng.pick(['64493', '20552']), member.setting));
        break;
      case 'followUp':
        lines.push(this.line(member, member.doctor, day, rng.pick(['99213', '99214']), '11'));
        break;
    }
    if (rng.chance(this.profile.faultRate)) {
      this.plantFault(
        member,
        visit,
        lines,
        rng.pick(visit.kind === 'injection' ? INJECTION_FAULTS : ANY_FAULTS),
      );
    }

    this.claims += 1;
    const claim = `CLM${String(this.claims).padStart(8, '0')}`;
    let lineNo = 0;
    // The record in STANDARD_COLUMNS order, spelled out: this is the generator's hot loop.
    for (const l of lines) {
      if (l.resent !== true) lineNo += 1;
      this.queue.push(
        `${claim},${lineNo},${member.id},${member.dob},${l.dos},${l.dosTo},${l.code},${l.mods},${l.dx},${l.units},${l.pos},${l.npi},${l.billing},${l.charge},${l.auth},${member.payer},`,
      );
    }
  }

  /** One deliberate problem, giving (mostly) one finding on one line. */
  private plantFault(member: Member, visit: Visit, lines: Line[], fault: Fault): void {
    const index = lines.find((l) => l.code === '62323');
    const target = index ?? (lines[0] as Line);
    const extra = (code: string, more?: Partial<Line>): Line =>
      this.line(member, member.doctor, visit.day, code, target.pos, more);
    switch (fault) {
      case 'noAuth':
        target.auth = '';
        break;
      case 'emWithout25':
        lines.unshift(extra('99213'));
        break;
      case 'fluoroscopy':
        lines.push(extra('77003', { mods: MOD_59 }));
        break;
      case 'farFluoroscopy':
        if (!this.deferFluoroscopy(member, visit, target)) lines.push(extra('77003'));
        break;
      case 'twoUnits':
        target.units = '2';
        break;
      case 'bilateral':
        target.mods = MOD_50;
        break;
      case 'axialOnly':
        target.dx = dxColumns(['M54.50']);
        break;
      case 'facilityDrug':
        if (target.pos === '11') target.pos = '22';
        for (const l of lines) if (l.code.startsWith('J')) l.pos = target.pos;
        if (!lines.some((l) => l.code.startsWith('J')))
          lines.push(extra('J3301', { units: '4', charge: '26.00' }));
        break;
      case 'kx':
        target.mods = MOD_KX;
        break;
      case 'noImagingTwin':
        lines.push(extra('62322'));
        break;
      case 'sedation':
        lines.push(this.line(member, this.rng.pick(this.anesthesiologists), visit.day, '01938', target.pos));
        break;
      case 'retiredDrug':
        lines.push(extra('J1030', { pos: '11' }));
        if (target.pos !== '11') target.pos = '11';
        break;
      case 'badNpi':
        target.npi = breakNpi(target.npi);
        break;
      case 'noUnits':
        target.units = '';
        break;
      case 'retiredDx':
        target.dx = dxColumns(['M54.5']);
        break;
      case 'badDate':
        target.dos = '2026-02-30';
        target.dosTo = '';
        break;
      case 'zeroCharge':
        target.charge = '0.00';
        break;
      case 'duplicate':
        lines.push({ ...(lines[lines.length - 1] as Line), resent: true });
        break;
    }
  }

  /**
   * A 77003 for this encounter sent as a late charge: written a quarter of the batch later, so the
   * IMAGING_BUNDLED finding needs lines from different chunks. False when there is no room for it
   * (near the end of the batch, or too many already waiting).
   */
  private deferFluoroscopy(member: Member, visit: Visit, index: Line): boolean {
    const delay = Math.max(1000, Math.floor(this.total / 4));
    const waiting = this.deferred.length - this.deferredHead;
    if (waiting >= MAX_DEFERRED || this.total - this.emitted - waiting - 1 <= delay) return false;
    const late = this.line(member, member.doctor, visit.day, '77003', index.pos);
    this.claims += 1;
    const claim = `CLM${String(this.claims).padStart(8, '0')}`;
    const text = `${claim},1,${member.id},${member.dob},${late.dos},${late.dosTo},77003,${NO_MODS},${late.dx},1,${late.pos},${late.npi},${late.billing},${late.charge},,${member.payer},`;
    this.deferred.push({ due: this.emitted + delay, line: text });
    return true;
  }
}

/**
 * Writes a synthetic batch of `lines` data lines (plus the header) to `path`. Deterministic for a
 * given seed. Resolves with the file size once everything is flushed.
 */
export async function writeSyntheticBatch(
  path: string,
  lines: number,
  seed = 62323,
  profile: BatchProfile = BENCH_PROFILE,
): Promise<{ bytes: number }> {
  if (!Number.isInteger(lines) || lines < 0)
    throw new Error(`lines must be a whole number ≥ 0, got ${lines}`);
  const generator = new BatchGenerator(new Random(seed), lines, profile);
  const stream = createWriteStream(path);
  // Each block of lines is one string: appending is cheaper here than building an array to join.
  let block = `${STANDARD_HEADER_LINE}\n`;
  let blockLines = 0;
  for (let written = 0; written < lines; written += 1) {
    block += `${generator.next()}\n`;
    blockLines += 1;
    if (blockLines === BLOCK_LINES) {
      // Respect backpressure: wait for the disk instead of buffering the whole file in memory.
      if (!stream.write(block)) await once(stream, 'drain');
      block = '';
      blockLines = 0;
    }
  }
  if (block.length > 0) stream.write(block);
  stream.end();
  await finished(stream);
  return { bytes: stream.bytesWritten };
}

/**
 * Run on its own: `npx tsx bench/generate-batch.ts out.csv 1000000 [seed] [bench|dense]`. Matched on the script
 * name (not import.meta.url) so that a bench bundle that includes this module never triggers it.
 */
async function main(args: readonly string[]): Promise<void> {
  const [path = 'synthetic-batch.csv', count = '1000000', seed = '62323', profile = 'bench'] = args;
  const started = performance.now();
  const { bytes } = await writeSyntheticBatch(
    path,
    Number(count),
    Number(seed),
    profile === 'dense' ? DENSE_PROFILE : BENCH_PROFILE,
  );
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  console.log(`wrote ${path}: ${count} lines, ${(bytes / 1e6).toFixed(1)} MB in ${seconds}s`);
}

if (/generate-batch\.[cm]?[jt]s$/.test(process.argv[1] ?? '')) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  });
}
