/**
 * Test factory: claim-line CSV batches from partial line objects. Every field has a clean default, so a
 * line built from `{}` is a 62323 line that fires no rule; a test states only what it is about.
 * All data is synthetic.
 */
import type { ScalarField } from '../../functions/core/intake/columns.js';
import { DIAGNOSIS_COLUMNS, FIELDS_AFTER_LISTS, FIELDS_BEFORE_LISTS, MODIFIER_COLUMNS } from './columns.js';
import { csvField } from './csv.js';
import { NPI_A } from './npi.js';

/** One claim line: every scalar field of the header mapping (formats.md names), the list fields as arrays. */
export type LineSpec = Record<ScalarField, string> & {
  modifiers: readonly string[];
  dx: readonly string[];
};

export type LineInput = Partial<LineSpec>;

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
    claim_frequency: '',
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

interface Column {
  readonly name: string;
  readonly value: (line: LineSpec) => string;
}

function columnsFor(options: BatchOptions): Column[] {
  const scalar = (name: ScalarField): Column => ({
    name,
    value: (line) => line[name],
  });
  const lists: Column[] = options.listColumns
    ? [
        { name: 'modifiers', value: (line) => line.modifiers.join('|') },
        { name: 'diagnosis_codes', value: (line) => line.dx.join('; ') },
      ]
    : [
        ...MODIFIER_COLUMNS.map((name, index) => ({
          name,
          value: (line: LineSpec) => line.modifiers[index] ?? '',
        })),
        ...DIAGNOSIS_COLUMNS.map((name, index) => ({
          name,
          value: (line: LineSpec) => line.dx[index] ?? '',
        })),
      ];
  const extra = Object.entries(options.extra ?? {}).map(([name, value]) => ({ name, value: () => value }));
  const omit = new Set(options.omit ?? []);
  return [...FIELDS_BEFORE_LISTS.map(scalar), ...lists, ...FIELDS_AFTER_LISTS.map(scalar), ...extra].filter(
    (column) => !omit.has(column.name),
  );
}

/** The full line objects a batch is built from (defaults filled in). */
export const lineSpecs = (lines: readonly LineInput[]): LineSpec[] =>
  lines.map((line, index) => ({ ...defaultLine(index + 1), ...line }));

/** The header line of a batch built with these options (no terminator). */
export const headerOf = (options: BatchOptions = {}): string =>
  columnsFor(options)
    .map((column) => csvField(options.rename?.[column.name] ?? column.name))
    .join(',');

/** One data record of a batch built with these options (no terminator). */
export const recordOf = (line: LineSpec, options: BatchOptions = {}): string =>
  columnsFor(options)
    .map((column) => csvField(column.value(line)))
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
