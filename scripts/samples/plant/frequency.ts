/** The member rules that count sessions across batches: FREQUENCY_EXCEEDED, REPEAT_TOO_SOON, PRIOR_BATCH_DUPLICATE. */

import type { Patient, Provider, RuleId } from '../model.js';
import { PAYER, REPEAT_DAYS } from '../packs.js';
import type { Planter } from '../planter.js';

/** One 62323 claim per date (so the claims land all over the file); `fire` lists the dates that must fire. */
function series(
  p: Planter,
  patient: Patient,
  doctor: Provider,
  dates: readonly string[],
  fire: readonly string[],
  options: { why?: string; needsHistory?: boolean; label?: string } = {},
): void {
  const label = options.label === undefined ? '' : `${options.label}: `;
  for (const date of dates) {
    const c = p.claim(patient, doctor, '24');
    const fires = fire.includes(date);
    const rule: RuleId[] = ['FREQUENCY_EXCEEDED'];
    c.add('62323', date, {
      expect: fires ? rule : [],
      needsHistory: fires && options.needsHistory === true ? rule : [],
      mustNot: fires ? [] : rule,
      why: fires ? '' : (options.why ?? 'at most 4 counted dates in its window'),
      note: `${label}session ${date}`,
    });
    p.place([c]);
  }
}

/**
 * FREQUENCY_EXCEEDED: more counted dates (62323/64483/64484, this batch and history) in a window
 * ending on the date than the limit: 4 in 365 days by default, also 3 in 183 under commercial-um.
 */
export function plantFrequency(p: Planter): void {
  p.begin('Five injections in the batch', 'Only the fifth date has 5 dates in its 365-day window.');
  series(
    p,
    p.patient(),
    p.doctor(),
    ['2026-01-13', '2026-03-10', '2026-05-12', '2026-07-14', '2026-09-15'],
    ['2026-09-15'],
  );

  p.begin(
    'Three injections in the batch, two more in history',
    'Fires only with prior-history.csv: 2025-08-12 (62323) is exactly 364 days before 2026-08-11, inside the window.',
  );
  const withHistory = p.patient();
  const doctor = p.doctor();
  p.history(withHistory.id, '2025-08-12', '62323', doctor.npi);
  p.history(withHistory.id, '2025-11-18', '64484', doctor.npi);
  series(p, withHistory, doctor, ['2026-04-07', '2026-06-09', '2026-08-11'], ['2026-08-11'], {
    why: 'at most 4 counted dates in its window, history included',
    needsHistory: true,
  });

  p.begin(
    'Six sessions, one of them a transforaminal 64483',
    'The 64483 date counts toward the limit but is not itself flagged; the 5th and 6th dates fire.',
  );
  const six = p.patient();
  const sixDoctor = p.doctor();
  series(p, six, sixDoctor, ['2026-01-20', '2026-03-03', '2026-04-14'], []);
  const c = p.claim(six, sixDoctor, '24');
  c.add('64483', '2026-05-26', { note: 'counted date without a 62323 line' });
  p.place([c]);
  series(p, six, sixDoctor, ['2026-07-07', '2026-08-18'], ['2026-07-07', '2026-08-18']);

  p.begin(
    'Exactly four sessions',
    'History repeats one batch date (the same claim, recorded when an earlier batch held it: counted once, and no PRIOR_BATCH_DUPLICATE) and adds codes that do not count (62321, 64490).',
  );
  const four = p.patient();
  const fourDoctor = p.doctor();
  const first = p.claim(four, fourDoctor, '24');
  first.add('62323', '2026-02-10', {
    mustNot: ['FREQUENCY_EXCEEDED', 'PRIOR_BATCH_DUPLICATE'],
    why: 'at most 4 counted dates; the history row of this date is this same claim',
    note: 'session 2026-02-10, also in history under this claim id',
  });
  p.place([first]);
  series(p, four, fourDoctor, ['2026-04-21', '2026-06-30', '2026-09-08'], []);
  p.history(four.id, '2026-02-10', '62323', fourDoctor.npi, { claimId: first.id });
  p.history(four.id, '2025-12-02', '62321', fourDoctor.npi);
  p.history(four.id, '2026-05-19', '64490', fourDoctor.npi);

  p.begin(
    'Five sessions, the oldest 365 days before the newest',
    'History 2025-10-15 falls just outside the window of 2026-10-15 ([2025-10-16, 2026-10-15]).',
  );
  const edge = p.patient();
  const edgeDoctor = p.doctor();
  p.history(edge.id, '2025-10-15', '62323', edgeDoctor.npi);
  series(p, edge, edgeDoctor, ['2026-01-20', '2026-04-14', '2026-07-07', '2026-10-15'], []);

  plantCommercialWindow(p);
}

/** commercial-um's second window: 3 sessions in 183 days ([d − 182, d]). */
function plantCommercialWindow(p: Planter): void {
  p.begin(
    'Four sessions in six months under commercial-um',
    'commercial-um allows 3 sessions in 183 days: with the history session of 2026-05-19 (182 days before 2026-11-17) the fourth fires; 2026-05-18 (183 days) is outside; 62323/v2 has no such window.',
  );
  const dates = ['2026-07-20', '2026-09-18', '2026-11-17'];
  const doctor = p.doctor();
  const acme = p.patient(undefined, PAYER.acmeUpper);
  p.history(acme.id, '2026-05-19', '62323', doctor.npi);
  series(p, acme, doctor, dates, ['2026-11-17'], {
    why: 'at most 3 counted dates in 183 days, history included',
    needsHistory: true,
    label: 'ACME HEALTH, history 2026-05-19',
  });

  const bluebird = p.patient(undefined, PAYER.bluebird);
  p.history(bluebird.id, '2026-05-18', '62323', doctor.npi);
  series(p, bluebird, doctor, dates, [], {
    why: 'the history session of 2026-05-18 is 183 days before 2026-11-17: outside [d − 182, d]',
    label: 'Bluebird Commercial, history 2026-05-18',
  });

  const plain = p.patient(undefined, 'Fabrikam Mutual');
  p.history(plain.id, '2026-05-19', '62323', doctor.npi);
  series(p, plain, doctor, dates, [], {
    why: 'judged by 62323/v2: 4 in 365 days is the limit, not above it (no 183-day window)',
    label: 'Fabrikam Mutual, history 2026-05-19',
  });
}

/** REPEAT_TOO_SOON, on only under commercial-um: a session date 1 to 13 days before. */
export function plantRepeat(p: Planter): void {
  p.begin(
    'Injections too close together (commercial-um)',
    `REPEAT_TOO_SOON (warning) when an earlier session is less than ${REPEAT_DAYS} days before; off in 62323/v2.`,
  );
  const repeat = (
    payer: string,
    before: string,
    after: string,
    options: { fires: boolean; why?: string },
  ) => {
    const patient = p.patient(undefined, payer);
    const doctor = p.doctor();
    p.history(patient.id, before, '62323', doctor.npi);
    const c = p.claim(patient, doctor, '24');
    c.add('62323', after, {
      expect: options.fires ? ['REPEAT_TOO_SOON'] : [],
      needsHistory: options.fires ? ['REPEAT_TOO_SOON'] : [],
      mustNot: options.fires ? [] : ['REPEAT_TOO_SOON'],
      why: options.why ?? '',
      note: `history session ${before}`,
    });
    p.place([c]);
  };
  repeat(PAYER.acme, '2026-09-01', '2026-09-14', { fires: true });
  repeat(PAYER.bluebird, '2026-10-05', '2026-10-19', {
    fires: false,
    why: 'exactly 14 days after the history session',
  });
  repeat('Contoso Health Plan', '2026-09-01', '2026-09-14', {
    fires: false,
    why: '13 days, but judged by 62323/v2, where REPEAT_TOO_SOON is off',
  });

  const patient = p.patient(undefined, PAYER.bluebirdLower);
  const doctor = p.doctor();
  let c = p.claim(patient, doctor, '24');
  c.add('64483', '2026-08-03', { note: 'transforaminal, 10 days before' });
  p.place([c]);
  c = p.claim(patient, doctor, '24');
  c.add('62323', '2026-08-13', { expect: ['REPEAT_TOO_SOON'], note: '10 days after the 64483, same batch' });
  p.place([c]);
}

/** PRIOR_BATCH_DUPLICATE: the same 62323 (member, date, encounter NPI) already billed in an earlier batch. */
export function plantPriorBatch(p: Planter): void {
  p.begin(
    'The same injection billed in an earlier batch',
    'PRIOR_BATCH_DUPLICATE (warning) against prior-history.csv; not for the same claim, a replacement (7) or void (8), or another NPI.',
  );
  const recent = (): string => p.day('2026-10-01', '2026-11-06');
  const prior = (
    frequency: string,
    options: { fires: boolean; why?: string; note: string; sameClaim?: boolean; otherNpi?: boolean },
  ): void => {
    const patient = p.patient();
    const doctor = p.doctor();
    const dos = recent();
    const c = p.claim(patient, doctor, '24', frequency);
    c.add('62323', dos, {
      expect: options.fires ? ['PRIOR_BATCH_DUPLICATE'] : [],
      needsHistory: options.fires ? ['PRIOR_BATCH_DUPLICATE'] : [],
      mustNot: options.fires ? [] : ['PRIOR_BATCH_DUPLICATE'],
      why: options.why ?? '',
      note: options.note,
    });
    p.place([c]);
    const npi =
      options.otherNpi === true
        ? p.world.rng.pick(p.world.painDoctors.filter((d) => d !== doctor)).npi
        : doctor.npi;
    p.history(patient.id, dos, '62323', npi, options.sameClaim === true ? { claimId: c.id } : {});
  };
  prior('', { fires: true, note: 'another claim id; claim_frequency empty (counts as 1)' });
  prior('1', {
    fires: false,
    sameClaim: true,
    why: 'the history row has this claim id: the same claim, not a second billing',
    note: 'same claim id as the history row',
  });
  prior('7', { fires: false, why: 'claim_frequency 7: a replacement claim', note: 'replacement (7)' });
  prior('8', { fires: false, why: 'claim_frequency 8: a void', note: 'void (8)' });
  prior('1', {
    fires: false,
    otherNpi: true,
    why: 'the earlier 62323 has another encounter NPI',
    note: 'history row by another physician',
  });

  // The encounter NPI falls back to billing_npi on both sides: the history records the encounter NPI.
  const solo = p.world.soloDoctors[1] ?? p.doctor().npi;
  const patient = p.patient();
  const dos = recent();
  const c = p.claim(patient, { npi: '', billing: solo }, '11', '1');
  c.add('62323', dos, {
    expect: ['PRIOR_BATCH_DUPLICATE'],
    needsHistory: ['PRIOR_BATCH_DUPLICATE'],
    note: 'rendering_npi empty: encounter NPI = billing NPI, as in the history row',
  });
  c.drug(dos);
  p.place([c]);
  p.history(patient.id, dos, '62323', solo);
}
