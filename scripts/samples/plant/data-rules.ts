/** Section A of the catalog: the data rules, each on lines alone on their day. */

import { SAMPLE_AS_OF } from '../../../bench/synthetic.js';
import { addDays } from '../../../test/support/dates.js';
import { breakNpi } from '../../../test/support/npi.js';
import { COMMERCIAL_TIMELY_DAYS, PAYER } from '../packs.js';
import type { Planter } from '../planter.js';

/** Section A rules on lines that are alone on their day, so no cross-line rule can join in. */
export function plantDataRules(p: Planter): void {
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
    set: { rendering_npi: '', billing_npi: '', charge: '' },
    expect: ['MISSING_FIELD', 'MISSING_FIELD'],
    note: 'no NPI at all, and charge empty: two findings',
  });
  c.add('97530', dos, {
    mods: ['GP'],
    set: { rendering_npi: '' },
    mustNot: ['MISSING_FIELD'],
    why: 'rendering_npi empty but billing_npi present: the billing provider rendered it (v2)',
    note: 'rendering_npi empty, billing_npi present',
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

  p.begin(
    'Past the timely filing limit',
    `TIMELY_FILING: more than 365 days before the as-of date (${SAMPLE_AS_OF}), or ${COMMERCIAL_TIMELY_DAYS} under commercial-um.`,
  );
  c = p.claim(p.patient(), p.doctor());
  c.add('99214', addDays(SAMPLE_AS_OF, -366), {
    expect: ['TIMELY_FILING'],
    note: '366 days before the as-of date',
  });
  p.place([c]);
  c = p.claim(p.patient(), p.doctor());
  c.add('99214', addDays(SAMPLE_AS_OF, -365), {
    mustNot: ['TIMELY_FILING'],
    why: 'exactly 365 days before the as-of date is not more than 365',
    note: '365 days before the as-of date',
  });
  p.place([c]);
  c = p.claim(p.patient(undefined, PAYER.bluebird), p.doctor());
  c.add('99213', addDays(SAMPLE_AS_OF, -(COMMERCIAL_TIMELY_DAYS + 1)), {
    expect: ['TIMELY_FILING'],
    note: `${COMMERCIAL_TIMELY_DAYS + 1} days, commercial-um (${COMMERCIAL_TIMELY_DAYS}-day limit)`,
  });
  p.place([c]);
  c = p.claim(p.patient(undefined, PAYER.bluebirdLower), p.doctor());
  c.add('99213', addDays(SAMPLE_AS_OF, -COMMERCIAL_TIMELY_DAYS), {
    mustNot: ['TIMELY_FILING'],
    why: `exactly ${COMMERCIAL_TIMELY_DAYS} days under commercial-um ("bluebird commercial " matches its payer)`,
    note: `${COMMERCIAL_TIMELY_DAYS} days, commercial-um`,
  });
  p.place([c]);

  p.begin('NPIs that fail the check digit', 'INVALID_NPI, once per line even when both NPIs are bad.');
  const therapist = p.world.rng.pick(p.world.therapists);
  c = p.claim(p.patient(), { npi: breakNpi(therapist.npi), billing: therapist.billing });
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

  c = p.claim(p.patient(), { npi: doctor.npi.slice(0, 9), billing: breakNpi(doctor.billing) });
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

  c = p.claim(p.patient(['M48.06']), p.doctor());
  c.add('99214', p.day(), { expect: ['DIAGNOSIS_RETIRED'], note: 'dx M48.06 (split 2017-10-01, new in v2)' });
  p.place([c]);

  c = p.claim(p.patient(['M48.06']), p.doctor());
  c.add('99213', '2017-09-29', {
    expect: ['TIMELY_FILING'],
    mustNot: ['DIAGNOSIS_RETIRED'],
    why: 'M48.06 was still valid on 2017-09-29 (the claim is late, though)',
    note: 'dx M48.06 on 2017-09-29: a claim nine years late',
  });
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
