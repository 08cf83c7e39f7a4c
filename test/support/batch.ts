/**
 * Test factory: claim-line CSV batches from partial line objects. Every field has a clean default, so a
 * line built from `{}` is a 62323 line that fires no rule; a test states only what it is about.
 * All data is synthetic.
 */

/** One claim line, with the canonical column names of formats.md. List fields are arrays. */
export interface LineSpec {
  claim_id: string;
  line_no: string;
  member_id: string;
  patient_dob: string;
  date_of_service: string;
  date_of_service_to: string;
  procedure_code: string;
  modifiers: readonly string[];
  dx: readonly string[];
  units: string;
  place_of_service: string;
  rendering_npi: string;
  billing_npi: string;
  charge: string;
  prior_auth: string;
  payer: string;
}

export type LineInput = Partial<LineSpec>;

/** A valid NPI (the NPPES example). */
export const NPI_A = '1234567893';

/** Luhn check digit of an NPI base (9 digits), with the 80840 prefix; written here independently of the engine. */
export function npiCheckDigit(base: string): number {
  const digits = `80840${base}`;
  let sum = 0;
  // From the right, the first digit of the base+prefix string (next to the check digit) is doubled.
  for (let position = 0; position < digits.length; position += 1) {
    let digit = Number(digits[digits.length - 1 - position]);
    if (position % 2 === 0) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return (10 - (sum % 10)) % 10;
}

/** A valid 10-digit NPI from a 9-digit base starting with 1 or 2. */
export const npi = (base: string): string => `${base}${npiCheckDigit(base)}`;

export const NPI_B = npi('198765432');
export const NPI_C = npi('245678901');
/** NPI_A with a wrong check digit. */
export const NPI_BAD_CHECK = '1234567890';

export const DEFAULT_DOS = '2026-11-02';

/** The clean defaults; `n` is the 1-based position of the line in its batch. */
export function defaultLine(n: number): LineSpec {
  const id = String(n).padStart(3, '0');
  return {
    claim_id: `CLM${id}`,
    line_no: '1',
    member_id: `MBR${id}`,
    patient_dob: '1961-04-12',
    date_of_service: DEFAULT_DOS,
    date_of_service_to: '',
    procedure_code: '62323',
    modifiers: [],
    dx: ['M54.16'],
    units: '1',
    place_of_service: '11',
    rendering_npi: NPI_A,
    billing_npi: '',
    charge: '100.00',
    prior_auth: `PA${id}`,
    payer: 'Synthetic Health Plan',
  };
}

export interface BatchOptions {
  /** Line terminator (default LF). */
  readonly eol?: '\n' | '\r\n';
  /** Write a UTF-8 byte-order mark first. */
  readonly bom?: boolean;
  /** End the file with a line terminator (default true). */
  readonly trailingNewline?: boolean;
  /** One `modifiers` and one `diagnosis_codes` column instead of modifier_1..4 / dx_1..4. */
  readonly listColumns?: boolean;
  /** Rename header columns: canonical name → header text. */
  readonly rename?: Readonly<Record<string, string>>;
  /** Leave these columns out of the file altogether. */
  readonly omit?: readonly string[];
  /** Extra columns (name → value on every line), appended at the end. */
  readonly extra?: Readonly<Record<string, string>>;
}

const SCALAR_BEFORE_LISTS = [
  'claim_id',
  'line_no',
  'member_id',
  'patient_dob',
  'date_of_service',
  'date_of_service_to',
  'procedure_code',
] as const;
const SCALAR_AFTER_LISTS = [
  'units',
  'place_of_service',
  'rendering_npi',
  'billing_npi',
  'charge',
  'prior_auth',
  'payer',
] as const;

/** RFC 4180 cell: quoted when it holds a comma, quote, CR or LF. */
export const csvCell = (value: string): string =>
  /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;

interface Column {
  readonly name: string;
  readonly value: (line: LineSpec) => string;
}

function columnsFor(options: BatchOptions): Column[] {
  const scalar = (
    name: (typeof SCALAR_BEFORE_LISTS)[number] | (typeof SCALAR_AFTER_LISTS)[number],
  ): Column => ({
    name,
    value: (line) => line[name],
  });
  const lists: Column[] = options.listColumns
    ? [
        { name: 'modifiers', value: (line) => line.modifiers.join('|') },
        { name: 'diagnosis_codes', value: (line) => line.dx.join('; ') },
      ]
    : [
        ...[1, 2, 3, 4].map((k) => ({
          name: `modifier_${k}`,
          value: (line: LineSpec) => line.modifiers[k - 1] ?? '',
        })),
        ...[1, 2, 3, 4].map((k) => ({ name: `dx_${k}`, value: (line: LineSpec) => line.dx[k - 1] ?? '' })),
      ];
  const extra = Object.entries(options.extra ?? {}).map(([name, value]) => ({ name, value: () => value }));
  const omit = new Set(options.omit ?? []);
  return [...SCALAR_BEFORE_LISTS.map(scalar), ...lists, ...SCALAR_AFTER_LISTS.map(scalar), ...extra].filter(
    (column) => !omit.has(column.name),
  );
}

/** The full line objects a batch is built from (defaults filled in). */
export const lineSpecs = (lines: readonly LineInput[]): LineSpec[] =>
  lines.map((line, index) => ({ ...defaultLine(index + 1), ...line }));

/** The header line of a batch built with these options (no terminator). */
export const headerOf = (options: BatchOptions = {}): string =>
  columnsFor(options)
    .map((column) => csvCell(options.rename?.[column.name] ?? column.name))
    .join(',');

/** One data record of a batch built with these options (no terminator). */
export const recordOf = (line: LineSpec, options: BatchOptions = {}): string =>
  columnsFor(options)
    .map((column) => csvCell(column.value(line)))
    .join(',');

/**
 * CSV text of a batch. Without embedded line breaks, the i-th line (0-based) is physical line i + 2
 * (see `lineOf`).
 */
export function batch(lines: readonly LineInput[], options: BatchOptions = {}): string {
  const eol = options.eol ?? '\n';
  const records = lineSpecs(lines).map((line) => recordOf(line, options));
  const body = [headerOf(options), ...records].join(eol);
  return `${options.bom ? '\uFEFF' : ''}${body}${options.trailingNewline === false ? '' : eol}`;
}

/** Physical line of the i-th (0-based) record of a batch without embedded line breaks. */
export const lineOf = (index: number): number => index + 2;

/** `count` copies of a line, each with its own claim id. */
export const repeat = (count: number, line: LineInput): LineInput[] =>
  Array.from({ length: count }, (_, index) => ({
    ...line,
    claim_id: `${line.claim_id ?? 'RPT'}-${index + 1}`,
  }));

/** ISO date `days` after (or before, when negative) `iso`. */
export function addDays(iso: string, days: number): string {
  const [year, month, day] = iso.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(year, month - 1, day) + days * 86_400_000).toISOString().slice(0, 10);
}

/** Days since 1970-01-01 of an ISO date (for in-memory histories), computed independently of the engine. */
export function epochDay(iso: string): number {
  const [year, month, day] = iso.split('-').map(Number) as [number, number, number];
  return Date.UTC(year, month - 1, day) / 86_400_000;
}
