/** Synthetic people, providers, ids and claims, all drawn from one seeded stream per file. */

import { chargeFor, OFFICE_STEROIDS } from '../../bench/synthetic.js';
import { epochDay, isoDate, usDate } from '../../test/support/dates.js';
import { makeNpiPool } from '../../test/support/npi.js';
import { Random } from '../../test/support/random.js';
import type {
  ClaimLineFields,
  DataLine,
  HistoryRow,
  LineOptions,
  Patient,
  Provider,
  Scenario,
} from './model.js';
import { BACKGROUND_PAYERS } from './packs.js';

export class World {
  readonly rng: Random;
  readonly painDoctors: Provider[];
  readonly therapists: Provider[];
  readonly radiologists: Provider[];
  readonly anesthesiologists: Provider[];
  /** Physicians in solo practice: their own (individual) NPI is the billing NPI. */
  readonly soloDoctors: string[];
  private readonly members = new Set<string>();
  private readonly claims = new Set<string>();
  private readonly historyLines = new Set<string>();

  constructor(seed: number) {
    this.rng = new Random(seed);
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
    this.soloDoctors = makeNpiPool(this.rng, 2, 1);
  }

  memberId(): string {
    for (;;) {
      const id = `M${this.rng.between(1, 9)}${this.rng.digits(7)}`;
      if (!this.members.has(id)) {
        this.members.add(id);
        return id;
      }
    }
  }

  claimId(): string {
    for (;;) {
      const id = `CLM${this.rng.between(1, 9)}${this.rng.digits(6)}`;
      if (!this.claims.has(id)) {
        this.claims.add(id);
        return id;
      }
    }
  }

  patient(dx: readonly string[], payer = this.rng.pick(BACKGROUND_PAYERS)): Patient {
    const birthDay = this.rng.between(epochDay('1941-01-01'), epochDay('1991-12-31'));
    // Most billing systems send ISO dates; a few send MM/DD/YYYY, which is accepted too.
    const dob = this.rng.chance(0.06) ? usDate(birthDay) : isoDate(birthDay);
    return { id: this.memberId(), dob, payer, dx, auth: `PA${this.rng.digits(8)}` };
  }

  /** A random weekday between two ISO dates (clinics bill Monday to Friday). */
  day(from: string, to: string): number {
    return weekday(this.rng.between(epochDay(from), epochDay(to)));
  }

  /**
   * A row of prior-history.csv: the session line an earlier nightly batch recorded, a few days after
   * the date of service, under its own claim id unless one is given.
   */
  historyRow(
    member: string,
    date: string,
    code: string,
    npi: string,
    more: { claimId?: string; frequency?: string } = {},
  ): HistoryRow {
    const batchId = `${isoDate(weekday(epochDay(date) + this.rng.between(1, 4)))}-nightly`;
    const claimId = more.claimId ?? this.claimId();
    const lineNo = String(this.rng.between(1, 2));
    // A batch's line holds one record: draw again rather than give two rows the same (batch, line).
    let line = this.rng.between(2, 640);
    while (this.historyLines.has(`${batchId} ${line}`)) line = this.rng.between(2, 640);
    this.historyLines.add(`${batchId} ${line}`);
    return { member, date, code, npi, claimId, lineNo, frequency: more.frequency ?? '1', batchId, line };
  }
}

/** Moves a Saturday or Sunday to the next Monday (day 0 = 1970-01-01 was a Thursday). */
export function weekday(day: number): number {
  const dow = (day + 4) % 7; // 0 = Sunday
  return dow === 6 ? day + 2 : dow === 0 ? day + 1 : day;
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
  '78630': 'cisternography',
};

/** A line's fields with what the answer key expects of it. */
function plannedLine(
  fields: ClaimLineFields,
  options: LineOptions,
  scenario: Scenario | undefined,
): DataLine {
  return {
    kind: 'line',
    fields,
    expect: options.expect ?? [],
    severities: options.severities ?? {},
    mustNot: options.mustNot ?? [],
    why: options.why ?? '',
    needsHistory: options.needsHistory ?? [],
    note: options.note ?? (scenario === undefined ? '' : (ROLE[fields.procedure_code] ?? '')),
    scenario,
  };
}

export class ClaimBuilder {
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
    /** claim_frequency (837P CLM05-3): most systems send 1 for an original claim, some leave it empty. */
    readonly frequency = world.rng.chance(0.6) ? '1' : '',
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
      claim_frequency: this.frequency,
      ...options.set,
    };
    const line = plannedLine(fields, options, this.scenario);
    this.lines.push(line);
    return line;
  }

  /** An office steroid line (J3301, J1100 or J0702). */
  drug(dos: string, options: LineOptions = {}): DataLine {
    const steroid = this.world.rng.pick(OFFICE_STEROIDS);
    return this.add(steroid.code, dos, { units: steroid.units, charge: steroid.charge, ...options });
  }
}
