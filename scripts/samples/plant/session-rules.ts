/** Session rules (other spinal procedures, E/M, sedation, drugs) and place of service, prior auth, spans. */

import { compactDate, isoDate } from '../../../test/support/dates.js';
import { PAYER } from '../packs.js';
import type { Planter } from '../planter.js';

export function plantSessionRules(p: Planter): void {
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

  p.begin(
    'Hospital and emergency E/M on the injection day',
    'EM_SAME_DAY_NO_25 covers hospital and ER visits too (v2); with 25 it does not fire. The 62323 in the ER or inpatient is POS_UNUSUAL.',
  );
  c = p.claim(p.patient(), p.doctor(), '23');
  dos = p.day();
  c.add('99283', dos, { expect: ['EM_SAME_DAY_NO_25'], note: 'ER visit without 25' });
  c.add('62323', dos, { expect: ['POS_UNUSUAL'], note: 'in the emergency room (23)' });
  p.place([c]);

  c = p.claim(p.patient(), p.doctor(), '23');
  dos = p.day();
  c.add('99283', dos, {
    mods: ['25'],
    mustNot: ['EM_SAME_DAY_NO_25'],
    why: 'ER visit with modifier 25',
    note: 'ER visit with 25',
  });
  c.add('62323', dos, { expect: ['POS_UNUSUAL'], note: 'in the emergency room (23)' });
  p.place([c]);

  c = p.claim(p.patient(), p.doctor(), '21');
  dos = p.day();
  c.add('99232', dos, { expect: ['EM_SAME_DAY_NO_25'], note: 'subsequent hospital care without 25' });
  c.add('62323', dos, { expect: ['POS_UNUSUAL'], note: 'inpatient (21)' });
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
    mustNot: ['ANESTHESIA_BY_PROCEDURALIST'],
    why: 'an anesthesiologist (another NPI) gave the anesthesia',
    note: 'anesthesia, other provider',
  });
  p.place([c]);

  c = p.claim(p.patient(), p.doctor(), '24');
  dos = p.day();
  c.add('62323', dos);
  c.add('99143', dos, {
    expect: ['CODE_RETIRED'],
    mustNot: ['SEDATION_SAME_SESSION'],
    why: '99143 was deleted in 2017 (v2): CODE_RETIRED; the sedation rule lists its replacements',
    note: 'moderate sedation under its pre-2017 code',
  });
  p.place([c]);

  p.begin(
    'The injecting physician bills the anesthesia too',
    'ANESTHESIA_BY_PROCEDURALIST (v2) on an anesthesia line (00100–01999) in the injection encounter.',
  );
  c = p.claim(p.patient(), p.doctor(), '24');
  dos = p.day();
  c.add('62323', dos);
  c.add('01992', dos, {
    units: '5',
    charge: '350.00',
    expect: ['ANESTHESIA_BY_PROCEDURALIST'],
    note: 'anesthesia for a prone injection, same NPI',
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

  p.begin(
    'More steroid than one epidural dose',
    'DRUG_UNITS_HIGH (v2, warning): J3301 above 8 units (80 mg) in an injection encounter; not without a 62323.',
  );
  c = p.claim(p.patient(), p.doctor());
  dos = p.day();
  c.add('62323', dos);
  c.add('J3301', dos, {
    units: '9',
    charge: '58.50',
    expect: ['DRUG_UNITS_HIGH'],
    note: 'J3301 × 9 (90 mg)',
  });
  p.place([c]);

  c = p.claim(p.patient(), p.doctor());
  dos = p.day();
  c.add('62323', dos);
  c.add('J3301', dos, {
    units: '8',
    charge: '52.00',
    mustNot: ['DRUG_UNITS_HIGH'],
    why: '8 units (80 mg) is the ceiling, not above it',
    note: 'J3301 × 8 (80 mg)',
  });
  p.place([c]);

  c = p.claim(p.patient(), p.doctor());
  dos = p.day();
  c.add('20552', dos);
  c.add('J3301', dos, {
    units: '9',
    charge: '58.50',
    mustNot: ['DRUG_UNITS_HIGH'],
    why: 'no 62323 in the encounter (trigger points only)',
    note: 'J3301 × 9 with trigger points',
  });
  p.place([c]);

  p.begin('Retired steroid code in the office', 'CODE_RETIRED only: POS 11 is not a facility.');
  c = p.claim(p.patient(), p.doctor());
  dos = p.day();
  c.add('62323', dos);
  c.add('J1030', dos, { units: '1', expect: ['CODE_RETIRED'], note: 'J1030 at POS 11' });
  p.place([c]);
}

export function plantPlaceAndAuth(p: Planter): void {
  p.begin('Missing prior authorization', 'PRIOR_AUTH_MISSING (warning under 62323/v2).');
  let c = p.claim(p.patient(), p.doctor(), '24');
  c.add('62323', p.day(), {
    auth: '',
    set: { payer: 'Contoso Health Plan\nAttn: Prior Authorization Unit' },
    expect: ['PRIOR_AUTH_MISSING'],
    note: 'payer field holds a line break, so this record spans two physical lines',
  });
  p.place([c]);

  p.begin(
    'Prior authorization under each pack',
    'commercial-um makes PRIOR_AUTH_MISSING an error; the medicare pack turns it off; a payer no pack claims keeps the warning.',
  );
  c = p.claim(p.patient(undefined, PAYER.acme), p.doctor(), '24');
  c.add('62323', p.day('2026-06-15', '2026-11-13'), {
    auth: '',
    expect: ['PRIOR_AUTH_MISSING'],
    severities: { PRIOR_AUTH_MISSING: 'error' },
    note: 'payer " acme health ": commercial-um, no auth number',
  });
  p.place([c]);
  c = p.claim(p.patient(undefined, PAYER.medicare), p.doctor(), '22');
  c.add('62323', p.day(), {
    auth: '',
    mustNot: ['PRIOR_AUTH_MISSING'],
    why: 'judged by the medicare pack (payer " MEDICARE"), which turns PRIOR_AUTH_MISSING off',
    note: 'payer " MEDICARE": no auth number, none needed',
  });
  p.place([c]);
  c = p.claim(p.patient(undefined, PAYER.medicareB), p.doctor());
  const medicareDay = p.day();
  c.add('62323', medicareDay, {
    auth: '',
    mustNot: ['PRIOR_AUTH_MISSING'],
    why: 'judged by the medicare pack (payer "medicare part b")',
    note: 'payer "medicare part b": no auth number',
  });
  c.drug(medicareDay);
  p.place([c]);

  p.begin('Everything wrong at once', 'One 62323 line with five findings.');
  c = p.claim(p.patient(['M54.50'], 'Northwind Benefits'), p.doctor(), '12');
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
    'POS_UNUSUAL for 21/23, POS_NOT_ALLOWED (a warning since v2) for others, INVALID_POS for 00.',
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
