/** The 62323 rules of one encounter: imaging and twins, units and modifiers, diagnoses. */

import type { RuleId } from '../../../functions/core/rules/catalog.js';
import { isoDate, usDate } from '../../../test/support/dates.js';
import { PAYER, SCIATICA_DROPPED_FROM } from '../packs.js';
import type { Planter } from '../planter.js';
import { weekday } from '../world.js';

export function plantImagingAndTwins(p: Planter): void {
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

  p.begin(
    'A claim without a rendering NPI',
    'The encounter NPI is the billing NPI when rendering_npi is empty (v2): a solo physician, billing under their own NPI, bundles the 77003; a group NPI is another encounter NPI than the doctor who rendered.',
  );
  const solo = p.world.soloDoctors[0] ?? p.doctor().npi;
  c = p.claim(p.patient(), { npi: '', billing: solo });
  dos = p.day();
  c.add('62323', dos, {
    mustNot: ['MISSING_FIELD'],
    why: 'billing_npi present, so an empty rendering_npi is no MISSING_FIELD',
    note: 'rendering_npi empty, billing NPI = the solo physician',
  });
  c.add('77003', dos, {
    set: { rendering_npi: solo },
    expect: ['IMAGING_BUNDLED'],
    note: 'rendering NPI = that billing NPI: same encounter',
  });
  p.place([c]);

  const grouped = p.doctor();
  c = p.claim(p.patient(), { npi: '', billing: grouped.billing }, '24');
  dos = p.day();
  c.add('62323', dos, { note: 'rendering_npi empty: the encounter NPI is the group billing NPI' });
  c.add('77003', dos, {
    set: { rendering_npi: grouped.npi },
    mustNot: ['IMAGING_BUNDLED'],
    why: 'rendered by the doctor (individual NPI), while the 62323 falls back to the group NPI: two encounters',
    note: '77003 with the doctor as rendering NPI',
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

export function plantUnitsAndModifiers(p: Planter): void {
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

export function plantDiagnoses(p: Planter): void {
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

  const empty = p.claim(p.patient(['M5417']), p.doctor());
  empty.add('62323', p.day(), { dx: [], expect: ['MISSING_FIELD'], note: 'no diagnosis at all' });
  p.place([empty]);

  p.begin('Diagnoses that are fine', 'Near misses for the diagnosis rules.');
  const fine = (dx: string[], why: string, note: string): void => {
    const claim = p.claim(p.patient(dx), p.doctor(), '24');
    claim.add('62323', p.day(), { mustNot: ['DX_AXIAL_ONLY', 'DX_NOT_COVERED'], why, note });
    p.place([claim]);
  };
  fine(['G89.18'], 'G89.18 is exempt from the diagnosis checks', 'dx G89.18 only');
  fine(['M54.50', 'M54.16'], 'one code is covered (M5416)', 'dx M54.50 M54.16');

  p.begin(
    'Covered diagnoses corrected in v2',
    'B02.22 (postherpetic trigeminal neuralgia) is no longer covered; M51.361 and M51.372 (FY2025 disc degeneration with leg pain) are.',
  );
  single(['B02.22'], ['DX_NOT_COVERED'], 'dx B02.22 alone (cranial, not lumbar)');
  const corrected = (dx: string[], note: string): void => {
    const claim = p.claim(p.patient(dx), p.doctor(), '22');
    claim.add('62323', p.day(), {
      mustNot: ['DX_NOT_COVERED', 'DX_AXIAL_ONLY', 'DIAGNOSIS_RETIRED'],
      why: `${dx[0]} is covered from v2 on, and is not the retired ${dx[0]?.slice(0, 6)}`,
      note,
    });
    p.place([claim]);
  };
  corrected(['M51.361'], 'dx M51.361');
  corrected(['M51.372'], 'dx M51.372');

  p.begin(
    'Sciatica codes under commercial-um',
    `commercial-um removes M54.30–M54.32 from the covered list for dates of service from ${SCIATICA_DROPPED_FROM} (a dated list entry); before, and under 62323/v2, they stay covered.`,
  );
  const sciatica = (
    payer: string,
    dx: string,
    from: string,
    to: string,
    fires: boolean,
    why: string,
  ): void => {
    const claim = p.claim(p.patient([dx], payer), p.doctor(), '24');
    const dos = p.day(from, to);
    claim.add('62323', dos, {
      expect: fires ? ['DX_NOT_COVERED'] : [],
      mustNot: fires ? [] : ['DX_NOT_COVERED'],
      why,
      note: `dx ${dx}, payer "${payer}"`,
    });
    p.place([claim]);
  };
  sciatica(PAYER.acme, 'M54.31', '2026-09-01', '2026-11-13', true, '');
  sciatica(
    PAYER.bluebird,
    'M54.32',
    '2026-06-08',
    '2026-06-26',
    false,
    `before ${SCIATICA_DROPPED_FROM}: still covered`,
  );
  sciatica('Contoso Health Plan', 'M54.31', '2026-09-01', '2026-11-13', false, '62323/v2 covers M54.31');

  p.begin(
    'Cisternography on the claim',
    'A 78630 line on the same claim exempts the 62323 from the diagnosis rules (v2); on another claim it does not.',
  );
  let c = p.claim(p.patient(['M54.50']), p.doctor(), '22');
  let dos = p.day();
  c.add('62323', dos, {
    mustNot: ['DX_AXIAL_ONLY', 'DX_NOT_COVERED'],
    why: 'its claim has a 78630 line (cisternography exemption)',
    note: 'dx M54.50 (axial) with 78630 on the claim',
  });
  c.add('78630', dos, { mustNot: ['IMAGING_BUNDLED'], why: '78630 is not imaging guidance' });
  p.place([c]);

  const patient = p.patient(['M54.50']);
  const doctor = p.doctor();
  dos = p.day();
  c = p.claim(patient, doctor, '22');
  c.add('62323', dos, { expect: ['DX_AXIAL_ONLY'], note: 'dx M54.50; the 78630 is on another claim' });
  p.place([c]);
  c = p.claim(patient, doctor, '22');
  c.add('78630', dos, { note: 'cisternography, same day, its own claim' });
  p.place([c]);
}
