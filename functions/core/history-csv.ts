/**
 * The columns of a history file, for writing (`check --history FILE --record`) and for matching the
 * header of a file that already exists, so appended rows land under the right columns.
 */
import { parse } from 'csv-parse/sync';
import { ScrubError } from './errors.js';
import type { SessionRecord } from './history-port.js';
import { normalizeHeaderName, SCALAR_ALIASES } from './intake/columns.js';
import { detectEncoding, type SourceEncoding, toUtf8 } from './intake/encoding.js';
import { splitRecord } from './intake/fields.js';
import { RecordFramer } from './intake/framer.js';
import { quoteCsv } from './report/csv.js';

export const HISTORY_COLUMNS = [
  'member_id',
  'date_of_service',
  'procedure_code',
  'provider_npi',
  'claim_id',
  'line_no',
  'claim_frequency',
  'batch_id',
  'line',
] as const;

export type HistoryColumn = (typeof HISTORY_COLUMNS)[number];

const REQUIRED: readonly HistoryColumn[] = ['member_id', 'date_of_service', 'procedure_code'];

/**
 * Names each column may have. The first three and claim_id take the batch header aliases, as the
 * reader does; `line` is the batch's line here, never an alias of line_no as it is in a batch.
 */
const NAMES: Record<HistoryColumn, readonly string[]> = {
  member_id: SCALAR_ALIASES.member_id,
  date_of_service: SCALAR_ALIASES.date_of_service,
  procedure_code: SCALAR_ALIASES.procedure_code,
  provider_npi: SCALAR_ALIASES.rendering_npi,
  claim_id: SCALAR_ALIASES.claim_id,
  line_no: ['line_no', 'line_number'],
  claim_frequency: ['claim_frequency'],
  batch_id: ['batch_id'],
  line: ['line'],
};

/** The history field a header name names, if any (no name is listed under two fields). */
function historyFieldOf(raw: string): HistoryColumn | undefined {
  const name = normalizeHeaderName(raw);
  return HISTORY_COLUMNS.find((column) => NAMES[column].includes(name));
}

/** For each column of a header, the history field it holds (the first column named like a field wins). */
export function historyColumnsOf(header: readonly string[]): (HistoryColumn | undefined)[] {
  const taken = new Set<HistoryColumn>();
  return header.map((raw) => {
    const field = historyFieldOf(raw);
    if (field === undefined || taken.has(field)) return undefined;
    taken.add(field);
    return field;
  });
}

export const hasRequiredColumns = (columns: readonly (HistoryColumn | undefined)[]): boolean =>
  REQUIRED.every((field) => columns.includes(field));

/**
 * A history file's text, in the encodings a batch may have (UTF-8, UTF-16 with a byte-order mark,
 * Windows-1252): what a spreadsheet saves a history export as is read like a batch it saves. The
 * text has no byte-order mark.
 */
export function historyTextOf(bytes: Uint8Array): { text: string; encoding: SourceEncoding } {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const encoding = detectEncoding(buffer, true);
  if (encoding === 'utf-8') return { text: buffer.toString('utf8').replace(/^\uFEFF/, ''), encoding };
  const decoder = toUtf8(encoding);
  return { text: Buffer.concat([decoder.push(buffer), decoder.end()]).toString('utf8'), encoding };
}

/** A history file's data rows, and each row's value of a field (trimmed; '' where the file has no such column). */
export interface HistoryTable {
  /** The history field of each column of the header (undefined: not a history column). */
  readonly columns: readonly (HistoryColumn | undefined)[];
  readonly rows: readonly (readonly string[])[];
  /** Records that could not be read as CSV (a stray quote, an over-long record): left out and counted. */
  readonly malformedRows: number;
  readonly at: (row: readonly string[], column: HistoryColumn) => string;
}

/**
 * Reads a history CSV (a BOM, CRLF and ragged rows are fine). Records are framed as a batch's are,
 * so a stray quote costs its own line, never the rows after it; a record that is no CSV is counted
 * in `malformedRows`. The column matching is the batch header's aliases, shared by `--history`,
 * `--record` and `history import`.
 */
export function readHistoryTable(text: string): HistoryTable {
  const { header, rows, malformedRows } = frameHistory(text);
  const columns = historyColumnsOf(header);
  if (!hasRequiredColumns(columns)) {
    throw new ScrubError(
      'BAD_HISTORY',
      'the history file needs columns member_id, date_of_service and procedure_code',
    );
  }
  // A field named by two columns is read from the first filled one, as a batch's is.
  const indexes = new Map<HistoryColumn, number[]>();
  for (const [index, raw] of header.entries()) {
    const field = historyFieldOf(raw);
    if (field !== undefined) indexes.set(field, [...(indexes.get(field) ?? []), index]);
  }
  return {
    columns,
    rows,
    malformedRows,
    at: (row, column) => {
      for (const index of indexes.get(column) ?? []) {
        const value = (row[index] ?? '').trim();
        if (value !== '') return value;
      }
      return '';
    },
  };
}

function frameHistory(text: string): { header: string[]; rows: string[][]; malformedRows: number } {
  let header: string[] | undefined;
  const rows: string[][] = [];
  let malformedRows = 0;
  const fields: string[] = [];
  const framer = new RecordFramer({
    frame(bytes, start, end) {
      const record = bytes.toString('utf8', start, end);
      if (header === undefined) {
        header = parseOneRecord(record) ?? [];
        framer.expectFields(header.length);
        return;
      }
      // The fast splitter takes rows of the header's width; ragged or quoted-oddly ones go to csv-parse.
      const row = splitRecord(record, 0, record.length, header.length, fields)
        ? fields.slice(0, header.length)
        : parseOneRecord(record);
      if (row === undefined) malformedRows += 1;
      else rows.push(row);
    },
    reject() {
      malformedRows += 1;
    },
  });
  framer.push(Buffer.from(text, 'utf8'));
  framer.end();
  return { header: header ?? [], rows, malformedRows };
}

/** One framed record's fields (any number of them), or undefined when it is no CSV record. */
function parseOneRecord(record: string): string[] | undefined {
  let broken = false;
  const parsed = parse(record, {
    relax_column_count: true,
    skip_records_with_error: true,
    record_delimiter: '\n',
    on_skip: () => {
      broken = true;
      return undefined;
    },
  }) as string[][];
  return broken || parsed.length !== 1 ? undefined : parsed[0];
}

const CELLS: Record<HistoryColumn, (record: SessionRecord) => string> = {
  member_id: (r) => r.memberKey,
  date_of_service: (r) => r.dateOfService,
  procedure_code: (r) => r.procedureCode,
  provider_npi: (r) => r.providerNpi,
  claim_id: (r) => r.claimId,
  line_no: (r) => r.lineNo,
  claim_frequency: (r) => r.claimFrequency,
  batch_id: (r) => r.batchId,
  line: (r) => String(r.line),
};

/** Rows come without their line end: an appended row must end as the file's own lines do. */
export const historyHeader = (): string => HISTORY_COLUMNS.join(',');

/** A record's cells under `columns`; a column that is no history field stays empty. */
export const historyCellsOf = (
  record: SessionRecord,
  columns: readonly (HistoryColumn | undefined)[] = HISTORY_COLUMNS,
): string[] => columns.map((column) => (column === undefined ? '' : CELLS[column](record)));

/** A record as a row under `columns`. */
export const historyRowOf = (
  record: SessionRecord,
  columns: readonly (HistoryColumn | undefined)[] = HISTORY_COLUMNS,
): string => historyCellsOf(record, columns).map(quoteCsv).join(',');
