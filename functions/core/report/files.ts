/**
 * The report folder: findings.csv, summary.json, rejected.csv and report.html. Each file renders as
 * a sequence of pieces, so a writer can stream a big batch's findings.csv instead of holding it
 * (and every row on the way) in memory at once.
 */
import type { MergedBatch } from '../engine/accumulator.js';
import type { RejectedRecord } from '../intake/framer.js';
import { RULES } from '../rules/catalog.js';
import { csvRow, numberCell, textCell } from './csv.js';
import { renderHtml } from './html.js';
import type { Summary } from './summary.js';

export const REPORT_FILES = ['findings.csv', 'summary.json', 'rejected.csv', 'report.html'] as const;
export type ReportFileName = (typeof REPORT_FILES)[number];

export const FINDINGS_HEADER =
  'line,claim_id,line_no,member_id,date_of_service,procedure_code,rule_id,severity,message,related_lines,charge\n';
export const REJECTED_HEADER = 'line,end_line,reason,raw\n';

/** Rows per piece of a streamed CSV file. */
const ROWS_PER_PIECE = 2000;

/** Yields `header`, then the rows of `items` joined a few thousand at a time. */
function* csvPieces<T>(header: string, items: readonly T[], row: (item: T) => string): Generator<string> {
  yield header;
  for (let start = 0; start < items.length; start += ROWS_PER_PIECE) {
    const rows: string[] = [];
    for (const item of items.slice(start, start + ROWS_PER_PIECE)) rows.push(row(item));
    yield rows.join('');
  }
}

function findingsCsvPieces(batch: MergedBatch): Iterable<string> {
  return csvPieces(FINDINGS_HEADER, batch.findings, (item) => {
    const echo = batch.echoes.get(item.line)!;
    return csvRow([
      numberCell(item.line),
      textCell(echo.claimId),
      textCell(echo.lineNo),
      textCell(echo.memberId),
      textCell(echo.dateOfService),
      textCell(echo.procedureCode),
      item.ruleId,
      RULES[item.ruleId].severity,
      textCell(item.message),
      item.related.join(' '),
      echo.charge,
    ]);
  });
}

function rejectedCsvPieces(records: readonly RejectedRecord[]): Iterable<string> {
  return csvPieces(REJECTED_HEADER, records, (record) =>
    csvRow([
      numberCell(record.line),
      numberCell(record.endLine),
      textCell(record.reason),
      textCell(record.raw),
    ]),
  );
}

export const summaryJson = (summary: Summary): string => `${JSON.stringify(summary, null, 2)}\n`;

/** Each file of a report folder as pieces, rendered only when iterated. */
export type ReportPieces = Record<ReportFileName, () => Iterable<string>>;

/** All four files of a report folder, piece by piece. `batch` is absent when the whole batch was rejected. */
export function reportPieces(summary: Summary, batch?: MergedBatch): ReportPieces {
  return {
    'findings.csv': () => (batch ? findingsCsvPieces(batch) : [FINDINGS_HEADER]),
    'summary.json': () => [summaryJson(summary)],
    'rejected.csv': () => rejectedCsvPieces(batch?.rejectedRecords ?? []),
    'report.html': () => [renderHtml(summary, batch)],
  };
}

/** All four files of a report folder as text. */
export function reportFiles(summary: Summary, batch?: MergedBatch): Record<ReportFileName, string> {
  return joinPieces(reportPieces(summary, batch));
}

/** The files as text, each rendered on first read (then kept). */
export function joinPieces(pieces: ReportPieces): Record<ReportFileName, string> {
  const files = {} as Record<ReportFileName, string>;
  for (const name of REPORT_FILES) {
    let text: string | undefined;
    Object.defineProperty(files, name, {
      enumerable: true,
      get: () => {
        text ??= [...pieces[name]()].join('');
        return text;
      },
    });
  }
  return files;
}
