/**
 * Rules decided by one line alone: the data rules (every line) and the 62323 rules that need no
 * other line. Each runs for every line of a batch, so none allocates unless it fires.
 */
import type { ClaimLine } from '../engine/claim-line.js';
import { type Finding, finding } from '../engine/finding.js';
import {
  DIAGNOSIS_SHAPE,
  isValidNpi,
  isValidPos,
  MODIFIER_SHAPE,
  PROCEDURE_CODE_SHAPE,
} from '../engine/values.js';
import { REQUIRED_FIELDS } from '../intake/columns.js';
import type { Book } from './books.js';
import { MODIFIERS } from './catalog.js';
import { SETS } from './code-sets.js';

export interface LineContext {
  /** The as-of date as a day number: dates of service after it are out of range. */
  readonly asOfDay: number;
  /** The line's rule book: its pack's lists and options at its date of service. */
  readonly book: Book;
}

/** A rule of one line: pushes its findings (if any) to `out`. */
export type LineRule = (line: ClaimLine, context: LineContext, out: Finding[]) => void;

const REQUIRED = Object.entries(REQUIRED_FIELDS).map(([field, read]) => ({
  read,
  message: `${field} is empty`,
}));

/** One finding per empty required field, in the order of REQUIRED_FIELDS. */
export function missingField(line: ClaimLine, _context: LineContext, out: Finding[]): void {
  for (let index = 0; index < REQUIRED.length; index += 1) {
    const { read, message } = REQUIRED[index]!;
    if (read(line) === '') out.push(finding(line.line, 'MISSING_FIELD', message));
  }
}

export function invalidDate(line: ClaimLine, _context: LineContext, out: Finding[]): void {
  const dos = line.dosText !== '' && line.dos === undefined;
  const dob = line.dobText !== '' && line.dob === undefined;
  const dosTo = line.dosToText !== '' && line.dosTo === undefined;
  if (!dos && !dob && !dosTo) return;
  const fields: string[] = [];
  if (dos) fields.push('date_of_service');
  if (dob) fields.push('patient_dob');
  if (dosTo) fields.push('date_of_service_to');
  out.push(
    finding(
      line.line,
      'INVALID_DATE',
      `${fields.join(' and ')} is not a real date in YYYY-MM-DD, MM/DD/YYYY or YYYYMMDD`,
    ),
  );
}

export function dateOutOfRange(line: ClaimLine, context: LineContext, out: Finding[]): void {
  const { dos, dob, dosTo } = line;
  if (dos === undefined) return;
  const afterAsOf = dos > context.asOfDay;
  const beforeBirth = dob !== undefined && dos < dob;
  const endsBefore = dosTo !== undefined && dosTo < dos;
  if (!afterAsOf && !beforeBirth && !endsBefore) return;
  const problems: string[] = [];
  if (afterAsOf) problems.push('date_of_service is after the as-of date');
  if (beforeBirth) problems.push("date_of_service is before the patient's date of birth");
  if (endsBefore) problems.push('date_of_service_to is before date_of_service');
  out.push(finding(line.line, 'DATE_OUT_OF_RANGE', problems.join('; ')));
}

export function timelyFiling(line: ClaimLine, context: LineContext, out: Finding[]): void {
  if (line.dos === undefined) return;
  const { days } = context.book.options.TIMELY_FILING;
  const age = context.asOfDay - line.dos;
  if (age > days)
    out.push(
      finding(
        line.line,
        'TIMELY_FILING',
        `date_of_service is ${age} days before the as-of date; the limit is ${days}`,
      ),
    );
}

export function invalidNpi(line: ClaimLine, _context: LineContext, out: Finding[]): void {
  const { renderingNpi, billingNpi } = line;
  const rendering = renderingNpi !== '' && !isValidNpi(renderingNpi);
  const billing = billingNpi !== '' && !isValidNpi(billingNpi);
  if (!rendering && !billing) return;
  const npis: string[] = [];
  if (rendering) npis.push(`rendering_npi ${renderingNpi}`);
  if (billing) npis.push(`billing_npi ${billingNpi}`);
  out.push(
    finding(line.line, 'INVALID_NPI', `${npis.join(' and ')}: not a 10-digit NPI with a valid check digit`),
  );
}

export function invalidProcedureCode(line: ClaimLine, _context: LineContext, out: Finding[]): void {
  if (line.code !== '' && !PROCEDURE_CODE_SHAPE.test(line.code))
    out.push(finding(line.line, 'INVALID_PROCEDURE_CODE', `${line.code} is not a CPT/HCPCS code`));
}

const malformedModifier = (modifier: string): boolean => !MODIFIER_SHAPE.test(modifier);

export function invalidModifier(line: ClaimLine, _context: LineContext, out: Finding[]): void {
  const { modifiers } = line;
  if (modifiers.some(malformedModifier)) {
    const malformed = modifiers.filter(malformedModifier);
    out.push(
      finding(line.line, 'INVALID_MODIFIER', `modifier ${malformed.join(', ')} is not two letters or digits`),
    );
  } else if (modifiers.length > MODIFIERS.maxPerLine) {
    out.push(
      finding(
        line.line,
        'INVALID_MODIFIER',
        `${modifiers.length} modifiers; at most ${MODIFIERS.maxPerLine} are allowed`,
      ),
    );
  }
}

/** Two different liability modifiers, or GA (patient liable) with KX (coverage criteria met). */
export function abnModifierConflict(line: ClaimLine, _context: LineContext, out: Finding[]): void {
  const { modifiers } = line;
  let first = '';
  let twoKinds = false;
  let hasGA = false;
  let hasKX = false;
  for (const modifier of modifiers) {
    if (modifier === 'KX') hasKX = true;
    if (!SETS.liability.has(modifier)) continue;
    if (modifier === 'GA') hasGA = true;
    if (first === '') first = modifier;
    else if (modifier !== first) twoKinds = true;
  }
  if (!twoKinds && !(hasGA && hasKX)) return;
  const conflicting = modifiers.filter((modifier) => SETS.liability.has(modifier) || modifier === 'KX');
  out.push(
    finding(
      line.line,
      'ABN_MODIFIER_CONFLICT',
      `modifiers ${[...new Set(conflicting)].join(' and ')} contradict each other`,
    ),
  );
}

const malformedDiagnosis = (code: string): boolean => !DIAGNOSIS_SHAPE.test(code);

export function invalidDiagnosis(line: ClaimLine, _context: LineContext, out: Finding[]): void {
  if (!line.diagnoses.some(malformedDiagnosis)) return;
  const malformed = line.diagnoses.filter(malformedDiagnosis);
  out.push(
    finding(line.line, 'INVALID_DIAGNOSIS', `diagnosis ${malformed.join(', ')} is not an ICD-10-CM code`),
  );
}

export function invalidUnits(line: ClaimLine, _context: LineContext, out: Finding[]): void {
  if (line.unitsText !== '' && line.units === undefined)
    out.push(
      finding(line.line, 'INVALID_UNITS', `units "${line.unitsText}" is not a whole number of at least 1`),
    );
}

export function invalidCharge(line: ClaimLine, _context: LineContext, out: Finding[]): void {
  if (line.chargeText !== '' && (line.chargeCents === undefined || line.chargeCents <= 0))
    out.push(finding(line.line, 'INVALID_CHARGE', `charge "${line.chargeText}" is not an amount above zero`));
}

export function invalidPos(line: ClaimLine, _context: LineContext, out: Finding[]): void {
  if (line.pos !== '' && !isValidPos(line.pos))
    out.push(finding(line.line, 'INVALID_POS', `place of service "${line.pos}" is not a two-digit code`));
}

export function codeRetired(line: ClaimLine, _context: LineContext, out: Finding[]): void {
  if (line.dos === undefined) return;
  const retired = SETS.retiredProcedures.get(line.code);
  if (retired !== undefined && line.dos >= retired.from)
    out.push(finding(line.line, 'CODE_RETIRED', `${line.code} was deleted on ${retired.text}`));
}

export function diagnosisRetired(line: ClaimLine, _context: LineContext, out: Finding[]): void {
  const { dos } = line;
  if (dos === undefined) return;
  let retired: string[] | undefined;
  for (const code of line.diagnoses) {
    const entry = SETS.retiredDiagnoses.get(code);
    if (entry === undefined || dos < entry.from) continue;
    retired ??= [];
    retired.push(`${code} (retired ${entry.text})`);
  }
  if (retired !== undefined)
    out.push(finding(line.line, 'DIAGNOSIS_RETIRED', `diagnosis ${retired.join(', ')} is no longer valid`));
}

// The 62323 rules of one line (run only on 62323 lines).

export function missingDiagnosis(line: ClaimLine, _context: LineContext, out: Finding[]): void {
  if (line.diagnoses.length === 0)
    out.push(finding(line.line, 'MISSING_FIELD', 'no diagnosis code on a 62323 line'));
}

const isBilateral = (modifier: string): boolean => SETS.bilateral.has(modifier);

export function bilateralModifier(line: ClaimLine, _context: LineContext, out: Finding[]): void {
  if (!line.modifiers.some(isBilateral)) return;
  const bilateral = line.modifiers.filter(isBilateral);
  out.push(
    finding(
      line.line,
      'BILATERAL_MODIFIER',
      `modifier ${bilateral.join(', ')}: 62323 is one midline injection, not bilateral`,
    ),
  );
}

const notAllowedOnIndex = (modifier: string): boolean => SETS.notAllowedOnIndex.has(modifier);

export function modifierNotAllowed(line: ClaimLine, _context: LineContext, out: Finding[]): void {
  if (!line.modifiers.some(notAllowedOnIndex)) return;
  const notAllowed = line.modifiers.filter(notAllowedOnIndex);
  out.push(
    finding(line.line, 'MODIFIER_NOT_ALLOWED', `modifier ${notAllowed.join(', ')} is not allowed on 62323`),
  );
}

export function kxOnInterlaminar(line: ClaimLine, _context: LineContext, out: Finding[]): void {
  if (line.modifiers.includes(MODIFIERS.selectiveNerveRootBlock))
    out.push(
      finding(
        line.line,
        'KX_ON_INTERLAMINAR',
        'KX marks a selective nerve root block, billed with 64479–64484, not 62323',
      ),
    );
}

const axialOnly = (diagnoses: readonly string[], book: Book): boolean =>
  diagnoses.length > 0 && diagnoses.every((code) => book.lists.axialDiagnoses.has(code));
const exempt = (diagnoses: readonly string[], book: Book): boolean =>
  diagnoses.some((code) => book.lists.exemptDiagnoses.has(code));

/**
 * The diagnosis rules. A line whose claim has a cisternography line is exempt too; that is decided
 * where the claim's lines meet (engine/accumulator.ts), so these run apart (CLAIM_EXEMPTED_RULES).
 */
export function dxAxialOnly(line: ClaimLine, { book }: LineContext, out: Finding[]): void {
  const { diagnoses } = line;
  if (axialOnly(diagnoses, book) && !exempt(diagnoses, book))
    out.push(
      finding(
        line.line,
        'DX_AXIAL_ONLY',
        `only axial back pain (${diagnoses.join(', ')}): 62323 needs radicular pain or stenosis`,
      ),
    );
}

/** Diagnoses, none covered or exempt; axial-only lines have DX_AXIAL_ONLY instead. */
export function dxNotCovered(line: ClaimLine, { book }: LineContext, out: Finding[]): void {
  const { diagnoses } = line;
  if (diagnoses.length === 0 || axialOnly(diagnoses, book) || exempt(diagnoses, book)) return;
  if (diagnoses.some((code) => book.lists.coveredDiagnoses.has(code))) return;
  out.push(finding(line.line, 'DX_NOT_COVERED', `no covered diagnosis among ${diagnoses.join(', ')}`));
}

export function priorAuthMissing(line: ClaimLine, _context: LineContext, out: Finding[]): void {
  if (line.priorAuth === '')
    out.push(finding(line.line, 'PRIOR_AUTH_MISSING', 'no prior authorization number'));
}

export function posUnusual(line: ClaimLine, _context: LineContext, out: Finding[]): void {
  const { pos } = line;
  if (isValidPos(pos) && SETS.posUnusual.has(pos))
    out.push(
      finding(
        line.line,
        'POS_UNUSUAL',
        `place of service ${pos} (${pos === '21' ? 'inpatient' : 'emergency room'}) is unusual for 62323`,
      ),
    );
}

export function posNotAllowed(line: ClaimLine, { book }: LineContext, out: Finding[]): void {
  const { pos } = line;
  if (isValidPos(pos) && !book.lists.allowedPlacesOfService.has(pos))
    out.push(finding(line.line, 'POS_NOT_ALLOWED', `place of service ${pos} is not usual for 62323`));
}

export function multiDaySpan(line: ClaimLine, _context: LineContext, out: Finding[]): void {
  if (line.dosTo !== undefined && line.dos !== undefined && line.dosTo !== line.dos)
    out.push(
      finding(
        line.line,
        'MULTI_DAY_SPAN',
        'date_of_service_to differs from date_of_service: 62323 is a one-day service',
      ),
    );
}

/** Rules of every line, in the order their findings are listed for a line. */
export const DATA_RULES: readonly LineRule[] = [
  missingField,
  invalidDate,
  dateOutOfRange,
  timelyFiling,
  invalidNpi,
  invalidProcedureCode,
  invalidModifier,
  abnModifierConflict,
  invalidDiagnosis,
  invalidUnits,
  invalidCharge,
  invalidPos,
  codeRetired,
  diagnosisRetired,
];

/** Rules of a 62323 line on its own, after the data rules. */
export const INDEX_LINE_RULES: readonly LineRule[] = [
  missingDiagnosis,
  bilateralModifier,
  modifierNotAllowed,
  kxOnInterlaminar,
  priorAuthMissing,
  posUnusual,
  posNotAllowed,
  multiDaySpan,
];

/** 62323 rules of one line that a cisternography line on the same claim exempts it from. */
export const CLAIM_EXEMPTED_RULES: readonly LineRule[] = [dxAxialOnly, dxNotCovered];
