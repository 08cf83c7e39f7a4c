/** Member history in the `check --history` CSV form (packs.md "Member history"). */
import { fitToHeader, headerWidth, readCsvRecords } from './csv-records.js';
import { FIELD_ALIASES, headerKey } from './header.js';
import { isProcedureCode, memberKey, normCode, parseDate } from './values.js';

export interface HistoryRow {
  readonly member: string;
  readonly day: number;
  readonly code: string;
  readonly npi: string;
  readonly claimId: string;
  readonly batchId: string;
}

export interface History {
  readonly rows: readonly HistoryRow[];
  /** Rows whose member id, date or code is empty or invalid (and, spec silent, rows that do not fit the header). */
  readonly ignored: number;
}

const HISTORY_FIELDS = [
  'member_id',
  'date_of_service',
  'procedure_code',
  'provider_npi',
  'claim_id',
  'batch_id',
];
/** The batch aliases, for the history fields that have batch counterparts; provider_npi reads like rendering_npi. */
const ALIASES: Readonly<Record<string, readonly string[]>> = {
  member_id: FIELD_ALIASES.member_id,
  date_of_service: FIELD_ALIASES.date_of_service,
  procedure_code: FIELD_ALIASES.procedure_code,
  provider_npi: FIELD_ALIASES.rendering_npi,
  claim_id: FIELD_ALIASES.claim_id,
  batch_id: ['batch_id'],
};
/** History's own names win over an alias: `line` is the batch line there, not line_no. */
const OWN_NAMES = new Set([...HISTORY_FIELDS, 'line_no', 'claim_frequency', 'line']);

function historyColumns(header: readonly string[]): Map<string, number> {
  const keys = header.map(headerKey);
  const columns = new Map<string, number>();
  for (const field of HISTORY_FIELDS) {
    let index = keys.indexOf(field);
    if (index < 0) index = keys.findIndex((key) => !OWN_NAMES.has(key) && ALIASES[field]!.includes(key));
    if (index >= 0) columns.set(field, index);
  }
  return columns;
}

/** History rows that count: valid member, date and code, not written by this batch itself. */
export function readHistory(text: string | undefined, batchId: string | undefined): History {
  if (text === undefined) return { rows: [], ignored: 0 };
  const [header, ...records] = readCsvRecords(text);
  if (header === undefined) return { rows: [], ignored: 0 };
  const columns = historyColumns(header.fields);
  for (const field of ['member_id', 'date_of_service', 'procedure_code']) {
    if (!columns.has(field)) throw new Error(`referenceCheck: the history has no ${field} column`);
  }
  const width = headerWidth(header.fields);
  const rows: HistoryRow[] = [];
  let ignored = 0;
  for (const record of records) {
    const fields = record.malformed ? undefined : fitToHeader(record.fields, width);
    const value = (field: string): string => {
      const index = columns.get(field);
      return index === undefined || fields === undefined ? '' : fields[index]!.trim();
    };
    const member = value('member_id');
    const day = parseDate(value('date_of_service'));
    const code = normCode(value('procedure_code'));
    if (fields === undefined || member === '' || day === undefined || !isProcedureCode(code)) {
      ignored += 1;
      continue;
    }
    const row = { member: memberKey(member), day, code, npi: value('provider_npi') };
    const batch = value('batch_id');
    // A batch never counts twice: its own records in the history are left out.
    if (batchId !== undefined && batch === batchId) continue;
    rows.push({ ...row, claimId: value('claim_id'), batchId: batch });
  }
  return { rows, ignored };
}
