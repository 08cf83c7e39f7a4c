/**
 * The report folder, assembled in one place for every writer (check's folder, the pipeline's S3
 * prefix): which files, their content types, their order, and how each renders. Each file renders
 * as a sequence of pieces, so a writer can stream a big batch's findings.csv and findings.xlsx
 * instead of holding them (and every row on the way) in memory at once. The text files render
 * synchronously, piece by piece; findings.xlsx is bytes, rendered as it is read.
 */
import type { MergedBatch } from '../engine/accumulator.js';
import { type FlaggedFinding, type ReportBatch, reportBatchOf } from '../engine/batch-findings.js';
import type { RejectedRecord } from '../intake/framer.js';
import { RULE_IDS, RULES, sourceOf } from '../rules/catalog.js';
import { type BatchClaims, batchClaimsOf } from './claims.js';
import { csvRow, numberCell, textCell } from './csv.js';
import { renderHtml } from './html.js';
import {
  type BatchError,
  buildSummary,
  rejectedSummary,
  type Summary,
  type SummaryContext,
} from './summary.js';
import { type XlsxOptions, xlsxPieces } from './xlsx.js';

/** The files in writing order: summary.json last, so a folder that has a summary is whole. */
export const REPORT_FILES = [
  'findings.csv',
  'findings.xlsx',
  'rejected.csv',
  'report.html',
  'summary.json',
] as const;
export type ReportFileName = (typeof REPORT_FILES)[number];
/** The one file that is not text. */
export type BinaryReportFileName = 'findings.xlsx';
export type TextReportFileName = Exclude<ReportFileName, BinaryReportFileName>;
export const TEXT_REPORT_FILES = REPORT_FILES.filter(
  (name): name is TextReportFileName => name !== 'findings.xlsx',
);

/** What the pipeline sets as each S3 object's Content-Type. */
export const CONTENT_TYPES: Readonly<Record<ReportFileName, string>> = {
  'findings.csv': 'text/csv; charset=utf-8',
  'findings.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'rejected.csv': 'text/csv; charset=utf-8',
  'report.html': 'text/html; charset=utf-8',
  'summary.json': 'application/json',
};

/** The eleven columns of rule set v1 first, unchanged, so scripts written for them keep working. */
export const FINDINGS_HEADER =
  'line,claim_id,line_no,member_id,date_of_service,procedure_code,rule_id,severity,message,related_lines,charge,provider_npi,payer,rule_pack,fix,source\n';
export const REJECTED_HEADER = 'line,end_line,reason,raw\n';

/** Rows per piece of a streamed CSV file. */
const ROWS_PER_PIECE = 2000;

/** Yields `header` (when there is one), then the rows of `items` joined a few thousand at a time. */
function* csvPieces<T>(
  header: string | undefined,
  items: Iterable<T>,
  row: (item: T) => string,
): Generator<string> {
  if (header !== undefined) yield header;
  let rows: string[] = [];
  for (const item of items) {
    rows.push(row(item));
    if (rows.length === ROWS_PER_PIECE) {
      yield rows.join('');
      rows = [];
    }
  }
  if (rows.length > 0) yield rows.join('');
}

/** Each rule's fix and source cells, quoted once: they are the same on every row of the rule. */
const RULE_CELLS = new Map(
  RULE_IDS.map((ruleId) => [ruleId, `${textCell(RULES[ruleId].fix)},${textCell(sourceOf(ruleId))}`]),
);

function findingsCsvPieces(batch: ReportBatch, claims: BatchClaims): Iterable<string> {
  return findingsCsvRows(claims.alongside(batch.flagged.rows()), { header: true });
}

/**
 * findings.csv's rows of `rows` (sorted), a few thousand a piece, after the header when asked: the
 * pipeline renders the file's line ranges apart (the first with the header) and composes the file.
 */
export function findingsCsvRows(
  rows: Iterable<FlaggedFinding>,
  options: { readonly header: boolean },
): Iterable<string> {
  return csvPieces(
    options.header ? FINDINGS_HEADER : undefined,
    rows,
    ({ finding: item, echo }: FlaggedFinding) =>
      csvRow([
        numberCell(item.line),
        textCell(echo.claimId),
        textCell(echo.lineNo),
        textCell(echo.memberId),
        textCell(echo.dateOfService),
        textCell(echo.procedureCode),
        item.ruleId,
        item.severity,
        textCell(item.message),
        item.related.join(' '),
        echo.charge,
        textCell(echo.providerNpi),
        textCell(echo.payer),
        textCell(echo.rulePack),
        RULE_CELLS.get(item.ruleId)!,
      ]),
  );
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

export interface TextReportFile {
  readonly kind: 'text';
  readonly name: TextReportFileName;
  readonly contentType: string;
  /** The file's text, rendered piece by piece as it is iterated (a CSV: a few thousand rows a piece). */
  readonly pieces: () => Iterable<string>;
}

export interface BinaryReportFile {
  readonly kind: 'bytes';
  readonly name: BinaryReportFileName;
  readonly contentType: string;
  /** The file's bytes, written as they are read (a slow reader holds back the writing, not memory). */
  readonly pieces: () => AsyncIterable<Uint8Array>;
}

export type ReportFile = TextReportFile | BinaryReportFile;

export interface ReportFolder {
  readonly summary: Summary;
  /** In writing order (REPORT_FILES): summary.json last. */
  readonly files: readonly ReportFile[];
}

/**
 * How a batch ended: merged (its findings in memory or spilled), or rejected as a whole before any
 * line was checked.
 */
export type BatchOutcome = { readonly batch: MergedBatch | ReportBatch } | { readonly rejection: BatchError };

export interface ReportOptions {
  /** findings.xlsx's rows per sheet (tests make it small to see sheets continue). */
  readonly xlsx?: XlsxOptions;
}

/** The report folder of a batch: its summary, and every file, rendered only when iterated. */
export function assembleReport(
  context: SummaryContext,
  outcome: BatchOutcome,
  options: ReportOptions = {},
): ReportFolder {
  const batch = 'batch' in outcome ? reportBatchOf(outcome.batch) : undefined;
  const summary =
    'batch' in outcome ? buildSummary(batch!, context) : rejectedSummary(context, outcome.rejection);
  // findings.xlsx's Claims sheet and report.html's worklist rank the same claims: one pass makes them.
  const claims = batchClaimsOf(batch);
  const render: Record<TextReportFileName, () => Iterable<string>> = {
    'findings.csv': () => (batch ? findingsCsvPieces(batch, claims) : [FINDINGS_HEADER]),
    'rejected.csv': () => rejectedCsvPieces(batch?.rejectedRecords ?? []),
    'report.html': () => renderHtml(summary, batch, {}, claims),
    'summary.json': () => [summaryJson(summary)],
  };
  const files = REPORT_FILES.map(
    (name): ReportFile =>
      name === 'findings.xlsx'
        ? {
            kind: 'bytes',
            name,
            contentType: CONTENT_TYPES[name],
            pieces: () => xlsxPieces(summary, batch, options.xlsx, claims),
          }
        : { kind: 'text', name, contentType: CONTENT_TYPES[name], pieces: render[name] },
  );
  return { summary, files };
}

/** A text file's whole text. */
export const fileText = (file: TextReportFile): string => [...file.pieces()].join('');

/** A file as bytes, piece by piece: text pieces encoded as UTF-8. What a writer of any file streams. */
export async function* fileBytes(file: ReportFile): AsyncGenerator<Uint8Array> {
  if (file.kind === 'bytes') yield* file.pieces();
  else yield* textBytes(file.pieces());
}

/** Text pieces as UTF-8 bytes, piece by piece. */
export async function* textBytes(pieces: Iterable<string>): AsyncGenerator<Uint8Array> {
  for (const piece of pieces) yield Buffer.from(piece, 'utf8');
}

/** A file's whole content as bytes. */
export async function fileContent(file: ReportFile): Promise<Uint8Array> {
  const pieces: Uint8Array[] = [];
  for await (const piece of fileBytes(file)) pieces.push(piece);
  return Buffer.concat(pieces);
}

/** Every report file's content: the text files as text, findings.xlsx as bytes. */
export type ReportContents = {
  readonly [Name in ReportFileName]: Name extends BinaryReportFileName ? Uint8Array : string;
};

/** The text files as text by name, each rendered on first read (then kept). */
export function filesAsText(files: readonly ReportFile[]): Record<TextReportFileName, string> {
  const texts = {} as Record<TextReportFileName, string>;
  for (const file of files) {
    if (file.kind !== 'text') continue;
    let text: string | undefined;
    Object.defineProperty(texts, file.name, {
      enumerable: true,
      get: () => {
        text ??= fileText(file);
        return text;
      },
    });
  }
  return texts;
}
