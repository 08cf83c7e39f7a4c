/**
 * A history CSV as store records (`scrub62323 history import`, `pipeline --history`): the columns
 * `check --history` reads, each row checked against SessionRecordSchema, so what `--record` and
 * `history export` write comes back as the same records.
 */
import { createHash } from 'node:crypto';
import { memberKeyOf } from './engine/claim-line.js';
import { isoDateOf, PROCEDURE_CODE_SHAPE } from './engine/values.js';
import { readHistoryTable } from './history-csv.js';
import { type SessionRecordInput, SessionRecordSchema } from './history-port.js';
import { SETS } from './rules/code-sets.js';

export interface ImportedHistory {
  readonly records: SessionRecordInput[];
  /** Rows whose member id, date or code is empty or invalid, or that are no CSV (counted, never shown: they hold member ids). */
  readonly skippedRows: number;
  /** Rows of procedure codes that are no epidural session (they would never count). */
  readonly otherCodes: number;
}

/** The batch a row without batch_id is filed under: the file's name, so a message says where it came from. */
export function importBatchIdOf(fileName: string): string {
  const stem = fileName
    .replace(/^.*[\\/]/, '')
    .replace(/\.csv$/i, '')
    .replace(/[^A-Za-z0-9._-]+/g, '_');
  return `import-${stem || 'history'}`.slice(0, 128);
}

const LINE = /^[1-9]\d{0,8}$/;

/**
 * A row without its batch and line gets a line from its content: the same session imported again
 * (the file re-exported, rows moved, others added) is the same record, so importing changes nothing.
 */
const contentLine = (cells: readonly string[]): number =>
  (createHash('sha256').update(cells.join('\u0000')).digest().readUInt32BE(0) % 999_999_999) + 1;

/** Reads a history CSV; a file without the three required columns is refused (BAD_HISTORY). */
export function historyRecordsOf(text: string, fileName: string): ImportedHistory {
  const table = readHistoryTable(text);
  const { at } = table;
  const fallbackBatch = importBatchIdOf(fileName);
  const records: SessionRecordInput[] = [];
  let skippedRows = table.malformedRows;
  let otherCodes = 0;
  for (const row of table.rows) {
    const memberKey = memberKeyOf(at(row, 'member_id'));
    const dateOfService = isoDateOf(at(row, 'date_of_service'));
    const code = at(row, 'procedure_code').toUpperCase();
    if (memberKey === '' || dateOfService === undefined || !PROCEDURE_CODE_SHAPE.test(code)) {
      skippedRows += 1;
      continue;
    }
    if (!SETS.frequencyCounted.has(code)) {
      otherCodes += 1;
      continue;
    }
    const batchId = at(row, 'batch_id');
    const line = at(row, 'line');
    const named = batchId !== '' && LINE.test(line);
    const providerNpi = at(row, 'provider_npi');
    const claimId = at(row, 'claim_id');
    const lineNo = at(row, 'line_no');
    const record: SessionRecordInput = {
      memberKey,
      dateOfService,
      procedureCode: code,
      providerNpi,
      claimId,
      lineNo,
      claimFrequency: at(row, 'claim_frequency'),
      batchId: batchId === '' ? fallbackBatch : batchId,
      line: named
        ? Number(line)
        : contentLine([memberKey, dateOfService, code, providerNpi, claimId, lineNo]),
    };
    // Too long for a store item, or a batch id with '#': left out like any other bad row.
    if (SessionRecordSchema.safeParse(record).success) records.push(record);
    else skippedRows += 1;
  }
  return { records, skippedRows, otherCodes };
}
