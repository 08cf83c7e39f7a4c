/** FREQUENCY_EXCEEDED: series of sessions, in the batch and in prior-sessions.csv. */

import type { Patient, Provider } from '../model.js';
import type { Planter } from '../planter.js';

/**
 * FREQUENCY_EXCEEDED: more than 4 distinct dates with 62323/64483/64484 in [d − 364, d]. Each
 * member below has one injection per claim, so the claims land all over the file.
 */
export function plantFrequency(p: Planter): void {
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
