/** Scenarios about the file as a whole: lines resent far apart, the accepted written forms, unparseable records. */

import { STANDARD_COLUMNS } from '../../../test/support/columns.js';
import { csvRecord } from '../../../test/support/csv.js';
import { isoDate, usDate, usShortDate } from '../../../test/support/dates.js';
import type { DataLine } from '../model.js';
import { PAYER } from '../packs.js';
import type { Planter } from '../planter.js';
import { ClaimBuilder } from '../world.js';

export function plantDuplicates(p: Planter): void {
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
export function plantFormats(p: Planter): void {
  p.begin(
    'Accepted formats',
    'Quoted fields, a $ amount, M/D/YYYY dates and lower-case codes are all valid.',
  );
  const patient = p.patient(['m54.17', 'M48.062'], PAYER.acmeInc);
  const c = p.claim(patient, p.doctor());
  // Older than commercial-um's 180 days: that pack must not judge this payer.
  const day = p.world.day('2026-03-02', '2026-05-22');
  c.add('99214', usShortDate(day), {
    mods: ['25'],
    dosTo: usShortDate(day),
    mustNot: ['INVALID_DATE', 'INVALID_DIAGNOSIS', 'EM_SAME_DAY_NO_25'],
    why: 'M/D/YYYY date, lower-case dx',
    note: 'E/M-25, date M/D/YYYY',
  });
  c.add('62323', isoDate(day), {
    charge: '$1,250.00',
    mustNot: ['INVALID_CHARGE', 'INVALID_DIAGNOSIS', 'DX_NOT_COVERED', 'TIMELY_FILING'],
    why: '"$1,250.00" is a valid amount; m54.17 is M5417, covered; "Acme Health, Inc." is not the pack payer "Acme Health", so 62323/v2 (365 days) judges it',
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

export function plantRejected(p: Planter): void {
  p.begin(
    'Records that cannot be parsed',
    'Rejected (rejected.csv), never checked; parsing resumes on the next line.',
  );
  const patient = p.patient(undefined, 'Fabrikam Mutual');
  const c = new ClaimBuilder(p.world, patient, p.doctor(), '11', undefined, true);
  const dos = p.day();
  const cut = c.add('62323', dos);
  const width = STANDARD_COLUMNS.length;
  p.raw(
    csvRecord(STANDARD_COLUMNS.slice(0, width - 1).map((column) => cut.fields[column])),
    `wrong number of fields (${width - 1}, expected ${width})`,
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
  p.raw(STANDARD_COLUMNS.map((column) => stray.fields[column]).join(','), 'a quote inside an unquoted field');
}
