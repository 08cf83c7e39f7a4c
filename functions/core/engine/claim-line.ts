/** A checked record, normalised: codes trimmed and upper-case, dates as day numbers, charge in cents. */
import { type ColumnLayout, SCALAR_FIELDS } from '../intake/columns.js';
import { CORRECTING_FREQUENCIES } from '../rules/catalog.js';
import {
  formatCents,
  isoDateOf,
  normalizeDiagnosis,
  parseCents,
  parseDate,
  parseUnits,
  splitList,
} from './values.js';

export interface ClaimLine {
  readonly line: number;
  readonly claimId: string;
  readonly lineNo: string;
  /** As written (trimmed): echoed in reports. */
  readonly memberId: string;
  /** For grouping: upper-case, so `m123` and `M123` are one member. */
  readonly memberKey: string;
  readonly dobText: string;
  readonly dob: number | undefined;
  readonly dosText: string;
  readonly dos: number | undefined;
  readonly dosToText: string;
  readonly dosTo: number | undefined;
  readonly code: string;
  readonly modifiers: readonly string[];
  readonly diagnoses: readonly string[];
  readonly unitsText: string;
  readonly units: number | undefined;
  readonly pos: string;
  readonly renderingNpi: string;
  readonly billingNpi: string;
  /** The encounter's provider: the rendering NPI, or the billing NPI when none is given. */
  readonly encounterNpi: string;
  readonly chargeText: string;
  readonly chargeCents: number | undefined;
  readonly priorAuth: string;
  /** As written (trimmed). */
  readonly payer: string;
  /** 837P CLM05-3: `7` replacement, `8` void, anything else `1` (an original claim). */
  readonly claimFrequency: ClaimFrequency;
}

/** What a report shows of a line: the normalised input. */
export interface LineEcho {
  readonly claimId: string;
  readonly lineNo: string;
  readonly memberId: string;
  readonly dateOfService: string;
  readonly procedureCode: string;
  /** Plain amount (`1250.00`), empty when invalid. */
  readonly charge: string;
  /** The encounter NPI. */
  readonly providerNpi: string;
  readonly payer: string;
  /** The name of the pack that judged the line. */
  readonly rulePack: string;
}

const EMPTY: readonly string[] = [];

/** A cell trimmed; most cells need no trimming, so look before allocating. */
function trimmed(fields: readonly string[], index: number): string {
  if (index < 0) return '';
  const value = fields[index] ?? '';
  const last = value.length - 1;
  return last >= 0 && (maybeSpace(value.charCodeAt(0)) || maybeSpace(value.charCodeAt(last)))
    ? value.trim()
    : value;
}

/** Could be white space as String.prototype.trim sees it (ASCII, NBSP, BOM, Unicode spaces). */
const maybeSpace = (code: number): boolean =>
  code <= 0x20 || code === 0xa0 || code === 0xfeff || code >= 0x1680;

/**
 * Whether upper-casing could change `value`: a lower-case ASCII letter, or (with `beyondAscii`) any
 * character past ASCII. A plain loop: it runs on several cells of every line, where a RegExp test
 * costs more than the scan.
 */
function mayLower(value: string, beyondAscii: boolean): boolean {
  for (let at = 0; at < value.length; at += 1) {
    const code = value.charCodeAt(at);
    if ((code >= 0x61 && code <= 0x7a) || (beyondAscii && code >= 0x80)) return true;
  }
  return false;
}

/** Upper-case only when a lower-case letter is there (codes usually arrive upper-case). */
const upper = (value: string): string => (mayLower(value, false) ? value.toUpperCase() : value);

/** The key members are grouped by, in a batch and in history alike: the trimmed id, upper-cased. */
export const memberKeyOf = (memberId: string): string =>
  mayLower(memberId, true) ? memberId.toUpperCase() : memberId;

/**
 * The record's fields with each empty cell of a field named twice filled from its later columns
 * (the first filled one): `npi` empty and `rendering_npi` filled is a line with a rendering NPI.
 */
function withAlternates(
  fields: readonly string[],
  scalar: ColumnLayout['scalar'],
  alternates: NonNullable<ColumnLayout['alternates']>,
): readonly string[] {
  const filled = [...fields];
  for (const field of SCALAR_FIELDS) {
    const columns = alternates[field];
    if (columns === undefined) continue;
    const primary = scalar[field];
    if (trimmed(filled, primary) !== '') continue;
    const found = columns.find((column) => trimmed(fields, column) !== '');
    if (found !== undefined) filled[primary] = fields[found]!;
  }
  return filled;
}

export function toClaimLine(record: readonly string[], layout: ColumnLayout, line: number): ClaimLine {
  const { scalar, alternates } = layout;
  // Most batches name each field once: their records are read as they are.
  const fields = alternates === undefined ? record : withAlternates(record, scalar, alternates);
  const dobText = trimmed(fields, scalar.patient_dob);
  const dosText = trimmed(fields, scalar.date_of_service);
  const dosToText = trimmed(fields, scalar.date_of_service_to);
  const unitsText = trimmed(fields, scalar.units);
  const chargeText = trimmed(fields, scalar.charge);
  const memberId = trimmed(fields, scalar.member_id);
  const renderingNpi = trimmed(fields, scalar.rendering_npi);
  const billingNpi = trimmed(fields, scalar.billing_npi);
  const dos = dosText === '' ? undefined : parseDate(dosText);
  return {
    line,
    claimId: trimmed(fields, scalar.claim_id),
    lineNo: trimmed(fields, scalar.line_no),
    memberId,
    memberKey: memberKeyOf(memberId),
    dobText,
    dob: dobText === '' ? undefined : parseDate(dobText),
    dosText,
    dos,
    dosToText,
    // Most lines end on the day they start: that date is read once.
    dosTo: dosToText === dosText ? dos : dosToText === '' ? undefined : parseDate(dosToText),
    code: upper(trimmed(fields, scalar.procedure_code)),
    modifiers: collect(fields, layout.modifierColumns, layout.modifierListColumns, normalizeModifier),
    diagnoses: collect(fields, layout.diagnosisColumns, layout.diagnosisListColumns, normalizeDiagnosis),
    unitsText,
    units: parseUnits(unitsText),
    pos: trimmed(fields, scalar.place_of_service),
    renderingNpi,
    billingNpi,
    encounterNpi: renderingNpi === '' ? billingNpi : renderingNpi,
    chargeText,
    chargeCents: chargeText === '' ? undefined : parseCents(chargeText),
    priorAuth: trimmed(fields, scalar.prior_auth),
    payer: trimmed(fields, scalar.payer),
    claimFrequency: claimFrequencyOf(trimmed(fields, scalar.claim_frequency)),
  };
}

const normalizeModifier = (code: string): string => upper(code.trim());

function collect(
  fields: readonly string[],
  singleColumns: readonly number[],
  listColumns: readonly number[],
  normalize: (code: string) => string,
): readonly string[] {
  let codes: string[] | undefined;
  const add = (code: string) => {
    if (codes === undefined) codes = [code];
    else codes.push(code);
  };
  for (const index of singleColumns) {
    // Most code columns are empty: normalising an empty cell gives nothing.
    const cell = fields[index];
    if (cell === undefined || cell === '') continue;
    const value = normalize(cell);
    if (value !== '') add(value);
  }
  for (const index of listColumns) {
    const cell = fields[index] ?? '';
    if (cell.trim() !== '') for (const part of splitList(cell)) add(normalize(part));
  }
  return codes ?? EMPTY;
}

/** The claim frequencies a line can have; 7 and 8 correct an earlier claim. */
export const CLAIM_FREQUENCIES = ['1', ...CORRECTING_FREQUENCIES] as const;
export type ClaimFrequency = (typeof CLAIM_FREQUENCIES)[number];

/** Anything but 7 or 8 is an original claim (formats.md). */
const claimFrequencyOf = (written: string): ClaimFrequency =>
  written === '7' ? '7' : written === '8' ? '8' : '1';

/** The cells a report echoes of a line, as written (trimmed); the echo normalises date and charge. */
export interface EchoCells {
  readonly claimId: string;
  readonly lineNo: string;
  readonly memberId: string;
  readonly dosText: string;
  readonly code: string;
  readonly chargeText: string;
  readonly encounterNpi: string;
  readonly payer: string;
}

/**
 * V8 cuts a string of 13 characters or more out of a longer one as a view that keeps the longer one
 * alive: an echo's payer would keep its chunk's whole text (about 1.4 MB) in memory for as long as
 * the echo lives. Prefixing a character and cutting it off again makes a flat copy (JavaScript has
 * no direct way to ask for one); shorter strings are copies already.
 */
export const detached = (text: string): string => (text.length < 13 ? text : ` ${text}`.slice(1));

/**
 * The echo of a line from its trimmed cells (dates and charges normalised for the report). Echoes
 * outlive their chunk (a merge holds them until the findings are written): none holds the chunk's text.
 */
export function echoOf(cells: EchoCells, rulePack: string): LineEcho {
  const dos = isoDateOf(cells.dosText);
  const cents = parseCents(cells.chargeText);
  return {
    claimId: detached(cells.claimId),
    lineNo: detached(cells.lineNo),
    memberId: detached(cells.memberId),
    dateOfService: dos ?? detached(cells.dosText),
    procedureCode: detached(cells.code),
    charge: cents !== undefined && cents > 0 ? formatCents(cents) : '',
    providerNpi: detached(cells.encounterNpi),
    payer: detached(cells.payer),
    rulePack,
  };
}
