/**
 * Earlier batches' sessions: a CSV of member_id, date_of_service, procedure_code (the same header
 * aliases as a batch) and, optionally, provider_npi, claim_id, batch_id and the rest of a record
 * (PRIOR_BATCH_DUPLICATE needs provider_npi and claim_id). Only epidural session codes are kept.
 */
import type { HistorySource } from './engine/accumulator.js';
import { memberKeyOf } from './engine/claim-line.js';
import type { SessionHistory } from './engine/cross-rules.js';
import { PROCEDURE_CODE_SHAPE, parseDate } from './engine/values.js';
import { readHistoryTable } from './history-csv.js';
import { importBatchIdOf } from './history-import.js';
import { SETS } from './rules/code-sets.js';
import type { PriorSession } from './rules/history.js';

export interface ParsedHistory {
  /** Member key → sessions (codes that count as an epidural session only). */
  readonly sessions: Map<string, PriorSession[]>;
  /** Rows skipped because a value was missing or invalid or the row was no CSV (counted, never logged: they hold member ids). */
  readonly skippedRows: number;
}

/**
 * With `fileName`, a row without batch_id is filed under the batch `history import` gives it
 * (importBatchIdOf), so `check --history FILE` names it as the pipeline does after the import.
 */
export function parseHistoryCsv(text: string, fileName?: string): ParsedHistory {
  const fallbackBatch = fileName === undefined ? '' : importBatchIdOf(fileName);
  const { rows, at, malformedRows } = readHistoryTable(text);
  const sessions = new Map<string, PriorSession[]>();
  let skippedRows = malformedRows;
  for (const row of rows) {
    const memberKey = memberKeyOf(at(row, 'member_id'));
    const day = parseDate(at(row, 'date_of_service'));
    const code = at(row, 'procedure_code').toUpperCase();
    if (memberKey === '' || day === undefined || !PROCEDURE_CODE_SHAPE.test(code)) {
      skippedRows += 1;
      continue;
    }
    if (!SETS.frequencyCounted.has(code)) continue;
    const session: PriorSession = {
      day,
      code,
      npi: at(row, 'provider_npi'),
      claimId: at(row, 'claim_id'),
      batchId: at(row, 'batch_id') || fallbackBatch,
    };
    const known = sessions.get(memberKey);
    if (known) known.push(session);
    else sessions.set(memberKey, [session]);
  }
  return { sessions, skippedRows };
}

/**
 * A history held in memory (loaded from a file or an S3 object). Sessions of `excludeBatchId` are
 * left out: a batch's own lines count from the batch itself, never twice.
 */
export function inMemoryHistory(
  sessions: ReadonlyMap<string, readonly PriorSession[]>,
  excludeBatchId?: string,
): HistorySource {
  return {
    priorSessions: async (members) => {
      const found = new Map<string, readonly PriorSession[]>();
      for (const member of members) {
        const known = sessions.get(member);
        const kept =
          excludeBatchId === undefined ? known : known?.filter((s) => s.batchId !== excludeBatchId);
        if (kept !== undefined && kept.length > 0) found.set(member, kept);
      }
      return found satisfies SessionHistory;
    },
  };
}
