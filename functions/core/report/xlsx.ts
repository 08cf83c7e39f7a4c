/**
 * findings.xlsx: the report for people who work in Excel. Summary, Claims, Findings and Rejected
 * sheets, written as a stream with exceljs's WorkbookWriter, so memory stays flat for any number of
 * findings: each sheet is written row by row and committed before the next one starts (exceljs
 * buffers a later sheet whole while an earlier one is open), and the findings are read in a fresh
 * pass of `batch.flagged.rows()` (from memory or the spill files). The Claims sheet holds one small
 * entry per flagged claim (claimsOf), the price of sorting claims by dollars at risk.
 *
 * exceljs lives in the core, not behind a port: it is a pure in-process library (it writes to the
 * stream it is given; no file, network or cloud access on this path), and the workbook's layout is
 * report content like findings.csv's columns, which every writer must render the same.
 *
 * Text cells are inline strings, never formulas: a string that starts with `=`, `+`, `-` or `@` is a
 * string cell and needs no `'` guard (findings.csv needs one; a spreadsheet re-reads CSV text).
 */
import { once } from 'node:events';
import { PassThrough, type Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { FlaggedFinding, ReportBatch } from '../engine/batch-findings.js';
import { parseCents, parseDate } from '../engine/values.js';
import type { RejectedRecord } from '../intake/framer.js';
import { RULES, sourceOf } from '../rules/catalog.js';
import { type ClaimFindings, claimsOf } from './claims.js';
import type { Summary } from './summary.js';

/** Excel's rows per sheet, the header row included. */
export const EXCEL_ROW_LIMIT = 1_048_576;

export interface XlsxOptions {
  /** Rows per sheet, header included, before a sheet continues on the next (`Findings 2`, …). */
  readonly rowLimit?: number;
}

const MONEY = '"$"#,##0.00';
const COUNT = '#,##0';
const PERCENT = '0.0%';
const DATE = 'yyyy-mm-dd';
const TIMESTAMP = 'yyyy-mm-dd hh:mm:ss';

type CellValue = string | number | Date | { readonly richText: readonly { readonly text: string }[] } | null;

interface Column {
  readonly header: string;
  readonly width: number;
  readonly numFmt?: string;
}

const FINDINGS_COLUMNS: readonly Column[] = [
  { header: 'line', width: 9 },
  { header: 'claim_id', width: 14 },
  { header: 'line_no', width: 8 },
  { header: 'member_id', width: 14 },
  { header: 'date_of_service', width: 14, numFmt: DATE },
  { header: 'procedure_code', width: 14 },
  { header: 'rule_id', width: 26 },
  { header: 'severity', width: 9 },
  { header: 'message', width: 70 },
  { header: 'related_lines', width: 16 },
  { header: 'charge', width: 12, numFmt: MONEY },
  { header: 'provider_npi', width: 13 },
  { header: 'payer', width: 16 },
  { header: 'rule_pack', width: 16 },
  { header: 'fix', width: 60 },
  { header: 'source', width: 22 },
];

const CLAIMS_COLUMNS: readonly Column[] = [
  { header: 'claim_id', width: 14 },
  { header: 'member_id', width: 14 },
  { header: 'date_of_service', width: 14, numFmt: DATE },
  { header: 'provider_npi', width: 13 },
  { header: 'payer', width: 16 },
  { header: 'errors', width: 8, numFmt: COUNT },
  { header: 'warnings', width: 9, numFmt: COUNT },
  { header: 'dollars_at_risk', width: 15, numFmt: MONEY },
  { header: 'rule_ids', width: 50 },
];

const REJECTED_COLUMNS: readonly Column[] = [
  { header: 'line', width: 9 },
  { header: 'end_line', width: 9 },
  { header: 'reason', width: 40 },
  { header: 'raw', width: 100 },
];

const SUMMARY_COLUMNS: readonly Column[] = [
  { header: 'figure', width: 22 },
  { header: 'value', width: 70 },
];

/** Characters XML 1.0 cannot hold (exceljs drops the C0 controls itself; these it passes through). */
const NOT_XML = /[\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/** Excel reads `_xHHHH_` in a string as an escaped character; a literal one is escaped in turn. */
const EXCEL_ESCAPE = /_x([0-9A-Fa-f]{4})_/g;

/**
 * A text cell: an inline string. A plain string would be written as `t="str"`, which the format
 * defines as a formula's cached result; an inline string is text by definition. Empty stays blank.
 */
export function textCell(value: string): CellValue {
  if (value === '') return null;
  const text = value.replace(NOT_XML, '\uFFFD').replace(EXCEL_ESCAPE, '_x005F_x$1_');
  return { richText: [{ text }] };
}

/** A YYYY-MM-DD real date as a date cell (midnight UTC, which Excel reads as that day); else its text. */
export function dateCell(value: string): CellValue {
  const day = /^\d{4}-\d{2}-\d{2}$/.test(value) ? parseDate(value) : undefined;
  return day === undefined ? textCell(value) : new Date(day * 86_400_000);
}

/** A plain amount as a number of dollars; blank when invalid. */
const moneyCell = (charge: string): CellValue => {
  const cents = parseCents(charge);
  return cents === undefined ? null : cents / 100;
};

const columnLetter = (index: number): string => {
  let letters = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) {
    letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  }
  return letters;
};

/** Rows between two checks of the stream behind a sheet. */
const ROWS_PER_CHECK = 2048;
/** Bytes the zip's deflate stream may hold unread before the rows wait for it. */
const BACKLOG_BYTES = 4 << 20;

type WorkbookWriter = InstanceType<typeof ExcelJS.stream.xlsx.WorkbookWriter>;
type Worksheet = ReturnType<WorkbookWriter['addWorksheet']>;

/**
 * exceljs has no backpressure (exceljs/exceljs#734): a committed row goes into the sheet's buffer
 * whether or not the zip behind it has read the last ones, so a slow reader (an S3 upload) would
 * let the whole sheet pile up in memory. The buffer pipes into the zip entry's deflate stream, which
 * does keep the backpressure of everything after it; the rows wait while that stream is full.
 * The buffer's `pipes` are exceljs internals (StreamBuf), read defensively.
 */
async function caughtUp(sheet: Worksheet, stopped: AbortSignal): Promise<void> {
  const buffer = (sheet as unknown as { readonly stream?: { readonly pipes?: readonly Writable[] } }).stream;
  for (;;) {
    stopped.throwIfAborted();
    const deflate = buffer?.pipes?.[0];
    if (deflate === undefined) {
      // The zip has not reached this sheet yet: it is finishing the small entries before it.
      await new Promise((resolve) => setTimeout(resolve, 1));
      if (buffer?.pipes === undefined) return;
      continue;
    }
    if (deflate.writableLength < BACKLOG_BYTES || !deflate.writableNeedDrain) return;
    await once(deflate, 'drain', { signal: stopped });
  }
}

/**
 * Sheets of one kind: the header row frozen and filtered on each, a new sheet (`Findings 2`, …) when
 * one is full.
 */
class SheetSeries {
  private sheet: Worksheet | undefined;
  private rows = 0;
  private sheets = 0;

  constructor(
    private readonly workbook: WorkbookWriter,
    private readonly name: string,
    private readonly columns: readonly Column[],
    private readonly rowLimit: number,
    private readonly stopped: AbortSignal,
  ) {}

  async add(values: readonly CellValue[], formats: readonly (string | undefined)[] = []): Promise<void> {
    if (this.sheet === undefined || this.rows === this.rowLimit) this.next();
    const row = this.sheet!.addRow([...values]);
    formats.forEach((numFmt, index) => {
      if (numFmt !== undefined) row.getCell(index + 1).numFmt = numFmt;
    });
    row.commit();
    this.rows += 1;
    if (this.rows % ROWS_PER_CHECK === 0) await caughtUp(this.sheet!, this.stopped);
  }

  /** Commits the last sheet; a series without rows still gets its sheet, header only. */
  finish(): void {
    if (this.sheet === undefined) this.next();
    this.commit();
  }

  private next(): void {
    if (this.sheet !== undefined) this.commit();
    this.sheets += 1;
    this.sheet = this.workbook.addWorksheet(this.sheets === 1 ? this.name : `${this.name} ${this.sheets}`, {
      views: [{ state: 'frozen', ySplit: 1 }],
    });
    this.sheet.columns = this.columns.map(({ width, numFmt }) => ({
      width,
      ...(numFmt ? { style: { numFmt } } : {}),
    }));
    const header = this.sheet.addRow(this.columns.map(({ header: text }) => textCell(text)));
    header.font = { bold: true };
    header.commit();
    this.rows = 1;
  }

  private commit(): void {
    const sheet = this.sheet!;
    // The filter covers every row written; exceljs writes it at the end of the sheet.
    sheet.autoFilter = `A1:${columnLetter(this.columns.length - 1)}${this.rows}`;
    sheet.commit();
  }
}

function findingRow({ finding, echo }: FlaggedFinding): CellValue[] {
  return [
    finding.line,
    textCell(echo.claimId),
    textCell(echo.lineNo),
    textCell(echo.memberId),
    dateCell(echo.dateOfService),
    textCell(echo.procedureCode),
    textCell(finding.ruleId),
    textCell(finding.severity),
    textCell(finding.message),
    textCell(finding.related.join(' ')),
    moneyCell(echo.charge),
    textCell(echo.providerNpi),
    textCell(echo.payer),
    textCell(echo.rulePack),
    textCell(RULES[finding.ruleId].fix),
    textCell(sourceOf(finding.ruleId)),
  ];
}

const claimRow = (claim: ClaimFindings): CellValue[] => [
  textCell(claim.claimId),
  textCell(claim.memberId),
  dateCell(claim.dateOfService),
  textCell(claim.providerNpi),
  textCell(claim.payer),
  claim.findings.error,
  claim.findings.warning,
  claim.errorCents / 100,
  textCell(claim.ruleIds.join(' ')),
];

const rejectedRow = (record: RejectedRecord): CellValue[] => [
  record.line,
  record.endLine,
  textCell(record.reason),
  textCell(record.raw),
];

/** The figures of summary.json, dollars first, each with the format its kind reads best in. */
function summaryRows(summary: Summary): [string, CellValue, string?][] {
  const { counts, source } = summary;
  const asOf = dateCell(summary.asOf);
  return [
    ['Status', textCell(summary.status)],
    ...(summary.error
      ? [
          ['Rejected because', textCell(`${summary.error.message} (${summary.error.code})`)] as [
            string,
            CellValue,
          ],
        ]
      : []),
    ...(summary.missing ? [['Missing', textCell(summary.missing.join('; '))] as [string, CellValue]] : []),
    ['Dollars at risk', summary.dollarsAtRisk, MONEY],
    ['Claims with errors', counts.claimsWithErrors, COUNT],
    ['Claims', counts.claims, COUNT],
    ['Clean-claim rate', counts.cleanClaimRate, PERCENT],
    ['Errors', counts.findings.error, COUNT],
    ['Warnings', counts.findings.warning, COUNT],
    ['Infos', counts.findings.info, COUNT],
    ['Lines', counts.lines, COUNT],
    ['Checked', counts.checked, COUNT],
    ['Rejected', counts.rejected, COUNT],
    ['Flagged lines', counts.flaggedLines, COUNT],
    ['62323 lines', counts.indexLines, COUNT],
    ['Members', counts.members, COUNT],
    ['Batch id', textCell(summary.batchId)],
    ['As of', asOf, asOf instanceof Date ? DATE : undefined],
    ['Rule set', textCell(summary.ruleSet)],
    [
      'Rule packs',
      textCell(
        summary.rulePacks.map((pack) => `${pack.name} v${pack.version} (${pack.lines} lines)`).join('; '),
      ),
    ],
    ['Source name', textCell(source.name)],
    ['Source bytes', source.bytes, COUNT],
    ['Source sha256', textCell(source.sha256)],
    ['Source encoding', textCell(source.encoding)],
    ['Unknown columns', textCell(summary.unknownColumns.join(' '))],
    ['Generated at (UTC)', new Date(summary.generatedAt), TIMESTAMP],
  ];
}

/** Writes the workbook into `output`, one sheet after another, and ends it. */
async function writeWorkbook(
  output: Writable,
  summary: Summary,
  batch: ReportBatch | undefined,
  options: XlsxOptions,
  stopped: AbortSignal,
): Promise<void> {
  const rowLimit = options.rowLimit ?? EXCEL_ROW_LIMIT;
  const generatedAt = new Date(summary.generatedAt);
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: output,
    useStyles: true,
    // Shared strings would hold every distinct claim and member id in memory until the end.
    useSharedStrings: false,
  });
  workbook.creator = 'scrub62323';
  workbook.lastModifiedBy = 'scrub62323';
  // The workbook's dates are the report's; its zip entries carry the moment they were written, so two
  // writes of one report differ in bytes, not in what a spreadsheet shows.
  workbook.created = generatedAt;
  workbook.modified = generatedAt;
  const series = (name: string, columns: readonly Column[], limit = rowLimit) =>
    new SheetSeries(workbook, name, columns, limit, stopped);

  // A few dozen rows whatever the batch: never near a limit.
  const summarySheet = series('Summary', SUMMARY_COLUMNS, EXCEL_ROW_LIMIT);
  // Formats per cell, not per column: the value column mixes money, counts, rates and dates.
  for (const [figure, value, numFmt] of summaryRows(summary)) {
    await summarySheet.add([textCell(figure), value], [undefined, numFmt]);
  }
  summarySheet.finish();

  const claims = series('Claims', CLAIMS_COLUMNS);
  if (batch) for (const claim of claimsOf(batch.flagged.rows())) await claims.add(claimRow(claim));
  claims.finish();

  const findings = series('Findings', FINDINGS_COLUMNS);
  if (batch) for (const row of batch.flagged.rows()) await findings.add(findingRow(row));
  findings.finish();

  const rejected = series('Rejected', REJECTED_COLUMNS);
  for (const record of batch?.rejectedRecords ?? []) await rejected.add(rejectedRow(record));
  rejected.finish();

  await workbook.commit();
}

/**
 * findings.xlsx as a stream of bytes, written as it is read: the rows wait for the reader, so a slow
 * reader holds back the writing rather than the memory filling up. A reader that stops early stops
 * the writing.
 */
export async function* xlsxPieces(
  summary: Summary,
  batch: ReportBatch | undefined,
  options: XlsxOptions = {},
): AsyncGenerator<Uint8Array> {
  const output = new PassThrough();
  const stop = new AbortController();
  output.once('close', () => stop.abort());
  writeWorkbook(output, summary, batch, options, stop.signal).catch((error: unknown) => {
    output.destroy(error instanceof Error ? error : new Error(String(error)));
  });
  try {
    for await (const chunk of output) yield chunk as Uint8Array;
  } finally {
    output.destroy();
  }
}
