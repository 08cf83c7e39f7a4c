/** Rules decided by one line alone: the data rules, and the 62323 rules that need no other line. */
import { REQUIRED_FIELDS, type ScalarField } from '../intake/columns.js';
import { INDEX_CODE, MODIFIERS } from '../rules/catalog.js';
import type { ClaimLine } from './claim-line.js';
import { SETS } from './code-sets.js';
import { type Finding, finding } from './finding.js';
import { DIAGNOSIS_SHAPE, isValidNpi, MODIFIER_SHAPE, POS_SHAPE, PROCEDURE_CODE_SHAPE } from './values.js';

export const isValidPos = (pos: string): boolean => POS_SHAPE.test(pos) && pos !== '00';

export function checkLine(line: ClaimLine, asOfDay: number, out: Finding[]): void {
  const at = line.line;

  // One finding per empty required field, in the order of REQUIRED_FIELDS.
  const required = [
    line.claimId,
    line.lineNo,
    line.memberId,
    line.dosText,
    line.code,
    line.unitsText,
    line.pos,
    line.renderingNpi,
    line.chargeText,
  ];
  for (let index = 0; index < required.length; index += 1) {
    if (required[index] === '') out.push(finding(at, 'MISSING_FIELD', `${REQUIRED_FIELDS[index]} is empty`));
  }

  const badDates: ScalarField[] = [];
  if (line.dosText !== '' && line.dos === undefined) badDates.push('date_of_service');
  if (line.dobText !== '' && line.dob === undefined) badDates.push('patient_dob');
  if (line.dosToText !== '' && line.dosTo === undefined) badDates.push('date_of_service_to');
  if (badDates.length > 0) {
    out.push(
      finding(
        at,
        'INVALID_DATE',
        `${badDates.join(' and ')} is not a real date in YYYY-MM-DD, MM/DD/YYYY or YYYYMMDD`,
      ),
    );
  }

  if (line.dos !== undefined) {
    const problems: string[] = [];
    if (line.dos > asOfDay) problems.push('date_of_service is after the as-of date');
    if (line.dob !== undefined && line.dos < line.dob)
      problems.push("date_of_service is before the patient's date of birth");
    if (line.dosTo !== undefined && line.dosTo < line.dos)
      problems.push('date_of_service_to is before date_of_service');
    if (problems.length > 0) out.push(finding(at, 'DATE_OUT_OF_RANGE', problems.join('; ')));
  }

  const badNpis: string[] = [];
  if (line.renderingNpi !== '' && !isValidNpi(line.renderingNpi))
    badNpis.push(`rendering_npi ${line.renderingNpi}`);
  if (line.billingNpi !== '' && !isValidNpi(line.billingNpi)) badNpis.push(`billing_npi ${line.billingNpi}`);
  if (badNpis.length > 0) {
    out.push(
      finding(at, 'INVALID_NPI', `${badNpis.join(' and ')}: not a 10-digit NPI with a valid check digit`),
    );
  }

  const codeShaped = PROCEDURE_CODE_SHAPE.test(line.code);
  if (line.code !== '' && !codeShaped) {
    out.push(finding(at, 'INVALID_PROCEDURE_CODE', `${line.code} is not a CPT/HCPCS code`));
  }

  const { modifiers } = line;
  if (modifiers.length > 0) {
    const malformed = modifiers.filter((modifier) => !MODIFIER_SHAPE.test(modifier));
    if (malformed.length > 0) {
      out.push(
        finding(at, 'INVALID_MODIFIER', `modifier ${malformed.join(', ')} is not two letters or digits`),
      );
    } else if (modifiers.length > MODIFIERS.maxPerLine) {
      out.push(
        finding(
          at,
          'INVALID_MODIFIER',
          `${modifiers.length} modifiers; at most ${MODIFIERS.maxPerLine} are allowed`,
        ),
      );
    }
    const liability = new Set(modifiers.filter((modifier) => SETS.liability.has(modifier)));
    if (liability.size >= 2 || (liability.has('GA') && modifiers.includes('KX'))) {
      const conflicting = modifiers.filter((modifier) => SETS.liability.has(modifier) || modifier === 'KX');
      out.push(
        finding(
          at,
          'ABN_MODIFIER_CONFLICT',
          `modifiers ${[...new Set(conflicting)].join(' and ')} contradict each other`,
        ),
      );
    }
  }

  const { diagnoses } = line;
  if (diagnoses.length > 0) {
    const malformed = diagnoses.filter((code) => !DIAGNOSIS_SHAPE.test(code));
    if (malformed.length > 0) {
      out.push(
        finding(at, 'INVALID_DIAGNOSIS', `diagnosis ${malformed.join(', ')} is not an ICD-10-CM code`),
      );
    }
  }

  if (line.unitsText !== '' && line.units === undefined) {
    out.push(finding(at, 'INVALID_UNITS', `units "${line.unitsText}" is not a whole number of at least 1`));
  }
  if (line.chargeText !== '' && (line.chargeCents === undefined || line.chargeCents <= 0)) {
    out.push(finding(at, 'INVALID_CHARGE', `charge "${line.chargeText}" is not an amount above zero`));
  }
  const posValid = isValidPos(line.pos);
  if (line.pos !== '' && !posValid) {
    out.push(finding(at, 'INVALID_POS', `place of service "${line.pos}" is not a two-digit code`));
  }

  if (line.dos !== undefined) {
    const retired = SETS.retiredProcedures.get(line.code);
    if (retired !== undefined && line.dos >= retired.from) {
      out.push(finding(at, 'CODE_RETIRED', `${line.code} was deleted on ${retired.text}`));
    }
    const retiredDiagnoses: string[] = [];
    for (const code of diagnoses) {
      const entry = SETS.retiredDiagnoses.get(code);
      if (entry !== undefined && line.dos >= entry.from)
        retiredDiagnoses.push(`${code} (retired ${entry.text})`);
    }
    if (retiredDiagnoses.length > 0) {
      out.push(
        finding(at, 'DIAGNOSIS_RETIRED', `diagnosis ${retiredDiagnoses.join(', ')} is no longer valid`),
      );
    }
  }

  if (line.code === INDEX_CODE) checkIndexLine(line, posValid, out);
}

function checkIndexLine(line: ClaimLine, posValid: boolean, out: Finding[]): void {
  const at = line.line;
  const { modifiers, diagnoses } = line;

  if (diagnoses.length === 0) out.push(finding(at, 'MISSING_FIELD', 'no diagnosis code on a 62323 line'));

  const bilateral = modifiers.filter((modifier) => SETS.bilateral.has(modifier));
  if (bilateral.length > 0) {
    out.push(
      finding(
        at,
        'BILATERAL_MODIFIER',
        `modifier ${bilateral.join(', ')}: 62323 is one midline injection, not bilateral`,
      ),
    );
  }
  const notAllowed = modifiers.filter((modifier) => SETS.notAllowedOnIndex.has(modifier));
  if (notAllowed.length > 0) {
    out.push(
      finding(at, 'MODIFIER_NOT_ALLOWED', `modifier ${notAllowed.join(', ')} is not allowed on 62323`),
    );
  }
  if (modifiers.includes(MODIFIERS.selectiveNerveRootBlock)) {
    out.push(
      finding(
        at,
        'KX_ON_INTERLAMINAR',
        'KX marks a selective nerve root block, billed with 64479–64484, not 62323',
      ),
    );
  }

  if (diagnoses.length > 0) {
    const axialOnly = diagnoses.every((code) => SETS.axial.has(code));
    if (axialOnly) {
      out.push(
        finding(
          at,
          'DX_AXIAL_ONLY',
          `only axial back pain (${diagnoses.join(', ')}): 62323 needs radicular pain or stenosis`,
        ),
      );
    } else if (!diagnoses.some((code) => SETS.covered.has(code) || SETS.exempt.has(code))) {
      out.push(finding(at, 'DX_NOT_COVERED', `no covered diagnosis among ${diagnoses.join(', ')}`));
    }
  }

  if (line.priorAuth === '') out.push(finding(at, 'PRIOR_AUTH_MISSING', 'no prior authorization number'));

  if (posValid) {
    if (SETS.posUnusual.has(line.pos)) {
      out.push(
        finding(
          at,
          'POS_UNUSUAL',
          `place of service ${line.pos} (${line.pos === '21' ? 'inpatient' : 'emergency room'}) is unusual for 62323`,
        ),
      );
    }
    if (!SETS.posAllowed.has(line.pos)) {
      out.push(finding(at, 'POS_NOT_ALLOWED', `place of service ${line.pos} is not allowed for 62323`));
    }
  }

  if (line.dosTo !== undefined && line.dos !== undefined && line.dosTo !== line.dos) {
    out.push(
      finding(
        at,
        'MULTI_DAY_SPAN',
        'date_of_service_to differs from date_of_service: 62323 is a one-day service',
      ),
    );
  }
}
