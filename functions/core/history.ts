/**
 * Earlier batches' sessions for FREQUENCY_EXCEEDED: a CSV of member_id, date_of_service,
 * procedure_code (the same header aliases as a batch). Only codes that count toward the limit are kept.
 */
import { parse } from 'csv-parse/sync';
import type { HistorySource } from './engine/accumulator.js';
import { memberKeyOf } from './engine/claim-line.js';
import type { SessionHistory } from './engine/cross-rules.js';
import { parseDate } from './engine/values.js';
import { ScrubError } from './errors.js';
import { hasRequiredColumns, historyColumnsOf } from './history-csv.js';
import { SETS } from './rules/code-sets.js';

export interface ParsedHistory {
  readonly sessions: Map<string, number[]>;
  /** Rows skipped because a value was missing or invalid (counted, never logged: they hold member ids). */
  readonly skippedRows: number;
}

export function parseHistoryCsv(text: string): ParsedHistory {
  const rows = parse(text.replace(/^\uFEFF/, ''), {
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
  }) as string[][];
  // The history file's own column matching (the batch header aliases; the first column named like a
  // field wins), shared with --record's appending.
  const columns = historyColumnsOf(rows[0] ?? []);
  const member = columns.indexOf('member_id');
  const date = columns.indexOf('date_of_service');
  const code = columns.indexOf('procedure_code');
  if (!hasRequiredColumns(columns)) {
    throw new ScrubError(
      'BAD_HISTORY',
      'the history file needs columns member_id, date_of_service and procedure_code',
    );
  }
  const sessions = new Map<string, number[]>();
  let skippedRows = 0;
  for (const row of rows.slice(1)) {
    const memberKey = memberKeyOf((row[member] ?? '').trim());
    const day = parseDate((row[date] ?? '').trim());
    const procedure = (row[code] ?? '').trim().toUpperCase();
    if (memberKey === '' || day === undefined || procedure === '') {
      skippedRows += 1;
      continue;
    }
    if (!SETS.frequencyCounted.has(procedure)) continue;
    const dates = sessions.get(memberKey);
    if (dates) dates.push(day);
    else sessions.set(memberKey, [day]);
  }
  return { sessions, skippedRows };
}

/** A history held in memory (loaded from a file or an S3 object). */
export function inMemoryHistory(sessions: ReadonlyMap<string, readonly number[]>): HistorySource {
  return {
    sessionDates: async (members) => {
      const found: Map<string, readonly number[]> = new Map();
      for (const member of members) {
        const dates = sessions.get(member);
        if (dates) found.set(member, dates);
      }
      return found satisfies SessionHistory;
    },
  };
}
