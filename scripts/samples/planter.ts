/** Planted scenarios (nightly batch only): the claims of each scenario, tagged with it, and its history rows. */
import { COVERED_DIAGNOSES } from '../../bench/synthetic.js';
import { isoDate } from '../../test/support/dates.js';
import type { Batch, Patient, Provider, Scenario } from './model.js';
import { ClaimBuilder, type World } from './world.js';

export class Planter {
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

  /** A claim of the current scenario; `frequency` sets claim_frequency (7 replacement, 8 void). */
  claim(patient: Patient, provider: Provider, pos = '11', frequency?: string): ClaimBuilder {
    return frequency === undefined
      ? new ClaimBuilder(this.world, patient, provider, pos, this.current, true)
      : new ClaimBuilder(this.world, patient, provider, pos, this.current, true, frequency);
  }

  place(claims: readonly ClaimBuilder[], pin?: 'early' | 'late'): void {
    const entries = claims.flatMap((claim) => claim.lines);
    this.batch.blocks.push(pin === undefined ? { entries } : { entries, pin });
  }

  day(from = '2026-01-12', to = '2026-11-13'): string {
    return isoDate(this.world.day(from, to));
  }

  /** An earlier batch's session line in prior-history.csv (its own claim id unless given). */
  history(
    member: string,
    date: string,
    code: string,
    npi: string,
    more: { claimId?: string; frequency?: string } = {},
  ): void {
    this.batch.history.push(this.world.historyRow(member, date, code, npi, more));
  }

  raw(text: string, reason: string): void {
    if (this.current === undefined) throw new Error('raw line outside a scenario');
    this.batch.blocks.push({ entries: [{ kind: 'raw', text, reason, scenario: this.current }] });
  }
}
