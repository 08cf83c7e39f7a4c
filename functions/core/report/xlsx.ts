/**
 * findings.xlsx: the report for people who work in Excel. Summary, Claims, Findings and Rejected
 * sheets, streamed: each sheet is rendered row by row into its zip entry and compressed as it goes,
 * the findings read in a fresh pass of `batch.flagged.rows()` (from memory or the spill files), so
 * memory stays flat for any number of findings. The Claims sheet holds one small entry per flagged
 * claim (claimsOf), the price of sorting claims by dollars at risk.
 *
 * The SpreadsheetML parts are written by hand, on purpose: no well-kept JS library writes xlsx both
 * streamed and fast. exceljs's streaming WorkbookWriter took 6.1–12.3 s on the bench machine for
 * the 1M-line batch's workbook (33,689 findings and 33,682 claim rows: 5,500–11,000 rows/s; minutes
 * at 300,000+ findings), and it has no backpressure; SheetJS does not stream xlsx writes at all.
 * This writer takes 1.3–1.6 s for it (42,000–52,000 rows/s). The parts here are the few a workbook
 * of plain values needs (ECMA-376 Part 1, §18); the tests read them back with exceljs's reader.
 * The zip is fflate's streaming Zip (no ZIP64: a sheet's XML must stay under 4 GiB; a full sheet
 * of findings, ~1.2 KB each, is about 1.3 GB); the deflating is Node's zlib (see ZlibEntry).
 *
 * Text cells are string cells, never formulas: a string that starts with `=`, `+`, `-` or `@` is a
 * string cell and needs no `'` guard (findings.csv needs one; a spreadsheet re-reads CSV text). They
 * are inline strings, or shared strings in columns whose text repeats from row to row: the catalog's
 * own (rule id, severity, fix, source) and the few values a batch repeats (line number, procedure
 * code, NPI, payer, pack), each written once in the shared-string part and referenced by number. The
 * catalog's text alone was over a third of the Findings sheet's XML. Claim and member ids, dates,
 * messages and raw records, different on every row, stay inline.
 */
import * as zlib from 'node:zlib';
import { Zip, ZipPassThrough } from 'fflate';
import type { FlaggedFinding, ReportBatch } from '../engine/batch-findings.js';
import { parseCents, parseDate } from '../engine/values.js';
import type { RejectedRecord } from '../intake/framer.js';
import { RULE_IDS, RULES, SEVERITIES, sourceOf } from '../rules/catalog.js';
import { type BatchClaims, batchClaimsOf, type ClaimFindings } from './claims.js';
import type { Summary } from './summary.js';

/** Excel's rows per sheet, the header row included. */
export const EXCEL_ROW_LIMIT = 1_048_576;

export interface XlsxOptions {
  /** Rows per sheet, header included, before a sheet continues on the next (`Findings 2`, …). */
  readonly rowLimit?: number;
}

/** The workbook's cell styles, by their index in styles.xml's cellXfs. */
const Style = { Plain: 0, Header: 1, Money: 2, Date: 3, Count: 4, Percent: 5, Timestamp: 6 } as const;
type Style = (typeof Style)[keyof typeof Style];

/** A number shown in a format of its own (a date, a figure of the Summary). */
interface Formatted {
  readonly value: number;
  readonly style: Style;
}

/** Text (an inline string; empty stays blank), a number in its column's format, or blank. */
type Cell = string | number | Formatted | null;

interface Column {
  readonly header: string;
  readonly width: number;
  readonly style?: Style;
  /** The column's text repeats from row to row: a shared string (SharedStrings). */
  readonly shared?: true;
}

const FINDINGS_COLUMNS: readonly Column[] = [
  { header: 'line', width: 9 },
  { header: 'claim_id', width: 14 },
  { header: 'line_no', width: 8, shared: true },
  { header: 'member_id', width: 14 },
  { header: 'date_of_service', width: 14, style: Style.Date },
  { header: 'procedure_code', width: 14, shared: true },
  { header: 'rule_id', width: 26, shared: true },
  { header: 'severity', width: 9, shared: true },
  { header: 'message', width: 70 },
  { header: 'related_lines', width: 16 },
  { header: 'charge', width: 12, style: Style.Money },
  { header: 'provider_npi', width: 13, shared: true },
  { header: 'payer', width: 16, shared: true },
  { header: 'rule_pack', width: 16, shared: true },
  { header: 'fix', width: 60, shared: true },
  { header: 'source', width: 22, shared: true },
];

const CLAIMS_COLUMNS: readonly Column[] = [
  { header: 'claim_id', width: 14 },
  { header: 'member_id', width: 14 },
  { header: 'date_of_service', width: 14, style: Style.Date },
  { header: 'provider_npi', width: 13, shared: true },
  { header: 'payer', width: 16, shared: true },
  { header: 'errors', width: 8, style: Style.Count },
  { header: 'warnings', width: 9, style: Style.Count },
  { header: 'dollars_at_risk', width: 15, style: Style.Money },
  { header: 'rule_ids', width: 50, shared: true },
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

/** Excel's day 0 is 1899-12-30: the serial of 1970-01-01. */
const UNIX_EPOCH_SERIAL = 25_569;
const MS_PER_DAY = 86_400_000;

/** A YYYY-MM-DD real date as a date cell (its day's serial number); else its text. */
function dateCell(value: string): Cell {
  const day = /^\d{4}-\d{2}-\d{2}$/.test(value) ? parseDate(value) : undefined;
  return day === undefined ? value : { value: day + UNIX_EPOCH_SERIAL, style: Style.Date };
}

/** A plain amount as a number of dollars; blank when invalid. */
const moneyCell = (charge: string): Cell => {
  const cents = parseCents(charge);
  return cents === undefined ? null : cents / 100;
};

/** Characters XML 1.0 cannot hold: C0 controls but tab, LF and CR; U+FFFE/U+FFFF; lone surrogates. */
const NOT_XML =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding the controls XML forbids is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/** Excel reads `_xHHHH_` in a string as an escaped character; a literal one is escaped in turn. */
const EXCEL_ESCAPE = /_x([0-9A-Fa-f]{4})_/g;
/** Anything text needs rewritten for; most cells have none, and skip the replacements. */
const NEEDS_ESCAPE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding the controls XML forbids is the point
  /[&<>\r\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]|_x[0-9A-Fa-f]{4}_/;
const XML_ENTITY: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '\r': '&#13;',
};

/** Text as the content of an XML element; a CR as a reference, which XML's line-end rules keep. */
export function xmlText(value: string): string {
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value
    .replace(NOT_XML, '\uFFFD')
    .replace(EXCEL_ESCAPE, '_x005F_x$1_')
    .replace(/[&<>\r]/g, (character) => XML_ENTITY[character]!);
}

const columnLetter = (index: number): string => {
  let letters = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) {
    letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  }
  return letters;
};

/** The catalog's text, first in every workbook's shared strings. */
const CATALOG_TEXT: readonly string[] = [
  ...new Set([...RULE_IDS, ...SEVERITIES, ...RULE_IDS.map((id) => RULES[id].fix), ...RULE_IDS.map(sourceOf)]),
];
/**
 * Shared strings the workbook takes at most, and the longest: past them text is written inline, so
 * a column that does not repeat after all (a payer per line) costs a bounded table, not the batch.
 */
const MAX_SHARED = 50_000;
const MAX_SHARED_LENGTH = 200;

/** The workbook's shared-string part, filled as the sheets are written (it is written after them). */
export class SharedStrings {
  private readonly index = new Map<string, number>();
  private readonly texts: string[] = [];

  /** `limits`: tests make them small. The catalog's text is always in, whatever its length. */
  constructor(private readonly limits = { count: MAX_SHARED, length: MAX_SHARED_LENGTH }) {
    for (const text of CATALOG_TEXT) this.add(text);
  }

  get size(): number {
    return this.texts.length;
  }

  /** The text's number in the part, added when new; undefined: the text is to be written inline. */
  indexOf(text: string): number | undefined {
    const known = this.index.get(text);
    if (known !== undefined || this.texts.length >= this.limits.count || text.length > this.limits.length)
      return known;
    return this.add(text);
  }

  private add(text: string): number {
    const added = this.texts.push(text) - 1;
    this.index.set(text, added);
    return added;
  }

  xml(): string {
    const items = this.texts.map((text) => `<si>${textXml(text)}</si>`).join('');
    return `${XML_HEAD}<sst xmlns="${MAIN_NS}" uniqueCount="${this.texts.length}">${items}</sst>`;
  }
}

/**
 * Whitespace a reader may drop without `xml:space="preserve"` (Excel trims leading and trailing
 * spaces). Most cells have none and go without it: the attribute on every cell made a third of the
 * sheet's bytes.
 */
const LOOSE_SPACE = /^[ \t\n\r]|[ \t\n\r]$|[\t\n\r]| {2}/;

const textXml = (text: string): string =>
  `${LOOSE_SPACE.test(text) ? '<t xml:space="preserve">' : '<t>'}${xmlText(text)}</t>`;

/** One cell's XML, `ref` its address; blank cells are left out. */
function cellXml(ref: string, cell: Cell, columnStyle: Style | undefined, shared?: SharedStrings): string {
  if (cell === null || cell === '') return '';
  if (typeof cell === 'string') {
    const style = columnStyle === undefined ? '' : ` s="${columnStyle}"`;
    const index = shared?.indexOf(cell);
    if (index !== undefined) return `<c r="${ref}"${style} t="s"><v>${index}</v></c>`;
    return `<c r="${ref}"${style} t="inlineStr"><is>${textXml(cell)}</is></c>`;
  }
  const { value, style } = typeof cell === 'number' ? { value: cell, style: columnStyle } : cell;
  if (!Number.isFinite(value)) return '';
  return `<c r="${ref}"${style === undefined ? '' : ` s="${style}"`}><v>${value}</v></c>`;
}

const XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
const MAIN_NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL_NS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PACKAGE_REL_NS = 'http://schemas.openxmlformats.org/package/2006/relationships';

/**
 * Bytes of XML gathered before they are deflated: each chunk is deflated on its own, and bigger
 * chunks lose less to the dictionary each starts without (1 MiB: ~1% over one stream; 64 KiB: ~12%).
 */
const TEXT_CHUNK = 1 << 20;
/** Bytes of zip gathered before they are handed to the reader. */
const PIECE_BYTES = 1 << 16;
/**
 * zlib's level 2: on the dense batch's Findings sheet (221 MB of XML, one core) it took 0.72 s
 * against level 3's 1.0 s for 1% more bytes (27.3 MB against 27.1); level 1 is no faster and 6%
 * bigger; level 6 is 13% smaller than 3 but takes 2.5 times as long.
 */
const DEFLATE_LEVEL = 2;

/** zlib's CRC-32 came in Node 20.15 and 22.2; before it, entries keep fflate's own. */
const nativeCrc32 = typeof zlib.crc32 === 'function' ? zlib.crc32 : undefined;

/**
 * A zip entry deflated by Node's zlib: fflate's own deflate (JavaScript) took ~4 times as long at
 * the same size (1.4 s against 0.35 s for the Findings sheet above, most of the write). zlib's
 * streams are asynchronous, so each chunk is deflated whole and ends in a sync flush (an empty
 * stored block, byte-aligned, not final): the chunks' deflate streams laid end to end are one valid
 * deflate stream, the last ending in the final block. fflate's ZipPassThrough is made for this
 * (`process` may compress; it keeps the CRC and sizes of the data pushed).
 */
class ZlibEntry extends ZipPassThrough {
  /** The CRC-32 of the bytes pushed so far. */
  private checksum = 0;

  constructor(filename: string) {
    super(filename);
    this.compression = 8;
  }

  /**
   * ZipPassThrough's push with zlib's CRC-32 (native) in place of fflate's (a byte-at-a-time
   * JavaScript loop: a third of the time spent deflating). The same sum, so the same bytes.
   */
  override push(chunk: Uint8Array<ArrayBuffer>, final = false): void {
    if (nativeCrc32 === undefined) {
      super.push(chunk, final);
      return;
    }
    this.checksum = nativeCrc32(chunk, this.checksum);
    this.size += chunk.length;
    // fflate keeps the sum as a signed 32-bit number.
    if (final) this.crc = this.checksum | 0;
    this.process(chunk, final);
  }

  protected override process(chunk: Uint8Array<ArrayBuffer>, final: boolean): void {
    const finishFlush = final ? zlib.constants.Z_FINISH : zlib.constants.Z_SYNC_FLUSH;
    // zlib's result is a Buffer over a plain ArrayBuffer (never a shared one).
    const deflated = zlib.deflateRawSync(chunk, {
      level: DEFLATE_LEVEL,
      finishFlush,
    }) as Uint8Array<ArrayBuffer>;
    this.ondata(null, deflated, final);
  }
}

/**
 * The zip being written: entries one after another, each fed its XML text in chunks, and the zip's
 * bytes gathered until the reader takes them. Entries carry the report's time, so one report gives
 * the same bytes wherever it is written.
 */
class ZipWriter {
  private readonly zip: Zip;
  private readonly pieces: Uint8Array[] = [];
  private gathered = 0;
  private failure: Error | undefined;
  private entry: ZlibEntry | undefined;
  /**
   * The XML is encoded row by row into this buffer: one string grown to a megabyte and then encoded
   * took four to six times as long (V8 flattens the grown string before it can encode it).
   */
  private readonly text = Buffer.allocUnsafe(TEXT_CHUNK);
  private used = 0;

  constructor(private readonly mtime: Date) {
    this.zip = new Zip((error, data) => {
      if (error) this.failure = error;
      else {
        this.pieces.push(data);
        this.gathered += data.length;
      }
    });
  }

  open(path: string): void {
    this.entry = new ZlibEntry(path);
    this.entry.mtime = this.mtime;
    this.zip.add(this.entry);
  }

  write(xml: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    if (this.used + xml.length * 3 > TEXT_CHUNK) {
      if (this.used > 0) this.push(false);
      if (xml.length * 3 > TEXT_CHUNK) {
        this.entry!.push(Buffer.from(xml, 'utf8'), false);
        this.check();
        return;
      }
    }
    this.used += this.text.write(xml, this.used, 'utf8');
  }

  close(): void {
    this.push(true);
    this.entry = undefined;
  }

  /** A whole small part in one go. */
  part(path: string, xml: string): void {
    this.open(path);
    this.write(xml);
    this.close();
  }

  end(): void {
    this.zip.end();
    this.check();
  }

  /** The bytes gathered, once there are enough of them (or `all`). */
  take(all = false): Uint8Array | undefined {
    if (this.gathered === 0 || (!all && this.gathered < PIECE_BYTES)) return undefined;
    const piece = this.pieces.length === 1 ? this.pieces[0]! : concat(this.pieces, this.gathered);
    this.pieces.length = 0;
    this.gathered = 0;
    return piece;
  }

  /** Deflates the gathered XML (synchronously: the buffer is free again when this returns). */
  private push(final: boolean): void {
    this.entry!.push(this.text.subarray(0, this.used), final);
    this.used = 0;
    this.check();
  }

  private check(): void {
    if (this.failure) throw this.failure;
  }
}

function concat(pieces: readonly Uint8Array[], length: number): Uint8Array {
  const joined = new Uint8Array(length);
  let offset = 0;
  for (const piece of pieces) {
    joined.set(piece, offset);
    offset += piece.length;
  }
  return joined;
}

/** A sheet as the workbook lists it: its name, part and auto-filter range. */
interface SheetEntry {
  readonly name: string;
  readonly path: string;
  readonly filter: string;
}

function sheetHead(columns: readonly Column[], first: boolean): string {
  const cols = columns
    .map(({ width, style }, index) => {
      const styled = style === undefined ? '' : ` style="${style}"`;
      return `<col min="${index + 1}" max="${index + 1}" width="${width}" customWidth="1"${styled}/>`;
    })
    .join('');
  return (
    `${XML_HEAD}<worksheet xmlns="${MAIN_NS}" xmlns:r="${REL_NS}">` +
    `<sheetViews><sheetView${first ? ' tabSelected="1"' : ''} workbookViewId="0">` +
    '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>' +
    '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>' +
    `<sheetFormatPr defaultRowHeight="15"/><cols>${cols}</cols><sheetData>`
  );
}

/**
 * Sheets of one kind: the header row frozen and filtered on each, a new sheet (`Findings 2`, …) when
 * one is full.
 */
class SheetSeries {
  private rows = 0;
  private sheets = 0;
  private open = false;
  private readonly letters: readonly string[];
  private readonly styles: readonly (Style | undefined)[];
  /** Per column: the workbook's shared strings, or undefined for inline text. */
  private readonly shared: readonly (SharedStrings | undefined)[];

  constructor(
    private readonly zip: ZipWriter,
    private readonly entries: SheetEntry[],
    private readonly name: string,
    private readonly columns: readonly Column[],
    private readonly rowLimit: number,
    strings: SharedStrings,
  ) {
    this.letters = columns.map((_, index) => columnLetter(index));
    this.styles = columns.map(({ style }) => style);
    this.shared = columns.map(({ shared }) => (shared ? strings : undefined));
  }

  add(cells: readonly Cell[]): void {
    if (!this.open || this.rows === this.rowLimit) this.next();
    this.rows += 1;
    const r = this.rows;
    let xml = `<row r="${r}">`;
    for (let index = 0; index < cells.length; index += 1) {
      xml += cellXml(`${this.letters[index]}${r}`, cells[index]!, this.styles[index], this.shared[index]);
    }
    this.zip.write(`${xml}</row>`);
  }

  /** Ends the last sheet; a series without rows still gets its sheet, header only. */
  finish(): void {
    if (!this.open) this.next();
    this.close();
  }

  private next(): void {
    if (this.open) this.close();
    this.sheets += 1;
    const number = this.entries.length + 1;
    this.zip.open(`xl/worksheets/sheet${number}.xml`);
    this.zip.write(sheetHead(this.columns, number === 1));
    const header = this.columns.map(({ header }, index) =>
      cellXml(`${this.letters[index]}1`, header, Style.Header),
    );
    this.zip.write(`<row r="1">${header.join('')}</row>`);
    this.rows = 1;
    this.open = true;
  }

  private close(): void {
    // The filter covers every row written, known only now: autoFilter comes after sheetData.
    const filter = `A1:${this.letters[this.letters.length - 1]}${this.rows}`;
    this.zip.write(`</sheetData><autoFilter ref="${filter}"/></worksheet>`);
    this.zip.close();
    const name = this.sheets === 1 ? this.name : `${this.name} ${this.sheets}`;
    this.entries.push({ name, path: `worksheets/sheet${this.entries.length + 1}.xml`, filter });
    this.open = false;
  }
}

function findingRow({ finding, echo }: FlaggedFinding): Cell[] {
  return [
    finding.line,
    echo.claimId,
    echo.lineNo,
    echo.memberId,
    dateCell(echo.dateOfService),
    echo.procedureCode,
    finding.ruleId,
    finding.severity,
    finding.message,
    finding.related.join(' '),
    moneyCell(echo.charge),
    echo.providerNpi,
    echo.payer,
    echo.rulePack,
    RULES[finding.ruleId].fix,
    sourceOf(finding.ruleId),
  ];
}

const claimRow = (claim: ClaimFindings): Cell[] => [
  claim.claimId,
  claim.memberId,
  dateCell(claim.dateOfService),
  claim.providerNpi,
  claim.payer,
  claim.findings.error,
  claim.findings.warning,
  claim.errorCents / 100,
  claim.ruleIds.join(' '),
];

const rejectedRow = (record: RejectedRecord): Cell[] => [
  record.line,
  record.endLine,
  record.reason,
  record.raw,
];

const money = (value: number): Formatted => ({ value, style: Style.Money });
const count = (value: number): Formatted => ({ value, style: Style.Count });

/** The figures of summary.json, dollars first, each with the format its kind reads best in. */
function summaryRows(summary: Summary): [string, Cell][] {
  const { counts, source } = summary;
  return [
    ['Status', summary.status],
    ...(summary.error
      ? [['Rejected because', `${summary.error.message} (${summary.error.code})`] as [string, Cell]]
      : []),
    ...(summary.missing ? [['Missing', summary.missing.join('; ')] as [string, Cell]] : []),
    ['Dollars at risk', money(summary.dollarsAtRisk)],
    ['Claims with errors', count(counts.claimsWithErrors)],
    ['Claims', count(counts.claims)],
    ['Clean-claim rate', { value: counts.cleanClaimRate, style: Style.Percent }],
    ['Errors', count(counts.findings.error)],
    ['Warnings', count(counts.findings.warning)],
    ['Infos', count(counts.findings.info)],
    ['Lines', count(counts.lines)],
    ['Checked', count(counts.checked)],
    ['Rejected', count(counts.rejected)],
    ['Flagged lines', count(counts.flaggedLines)],
    ['62323 lines', count(counts.indexLines)],
    ['Members', count(counts.members)],
    ['Batch id', summary.batchId],
    ['As of', dateCell(summary.asOf)],
    ['Rule set', summary.ruleSet],
    [
      'Rule packs',
      summary.rulePacks.map((pack) => `${pack.name} v${pack.version} (${pack.lines} lines)`).join('; '),
    ],
    ['Source name', source.name],
    ['Source bytes', count(source.bytes)],
    ['Source sha256', source.sha256],
    ['Source encoding', source.encoding],
    ['Unknown columns', summary.unknownColumns.join(' ')],
    ['History rows ignored', count(summary.history.ignoredRows)],
    [
      'Generated at (UTC)',
      { value: UNIX_EPOCH_SERIAL + Date.parse(summary.generatedAt) / MS_PER_DAY, style: Style.Timestamp },
    ],
  ];
}

const STYLES_XML =
  `${XML_HEAD}<styleSheet xmlns="${MAIN_NS}">` +
  '<numFmts count="4"><numFmt numFmtId="164" formatCode="&quot;$&quot;#,##0.00"/>' +
  '<numFmt numFmtId="165" formatCode="yyyy-mm-dd"/><numFmt numFmtId="166" formatCode="0.0%"/>' +
  '<numFmt numFmtId="167" formatCode="yyyy-mm-dd hh:mm:ss"/></numFmts>' +
  '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>' +
  '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>' +
  '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>' +
  '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>' +
  '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
  // In Style's order. #,##0 is Excel's built-in format 3.
  '<cellXfs count="7"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>' +
  '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>' +
  '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>' +
  '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>' +
  '<xf numFmtId="3" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>' +
  '<xf numFmtId="166" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>' +
  '<xf numFmtId="167" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>' +
  '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>' +
  '<dxfs count="0"/><tableStyles count="0" defaultTableStyle="TableStyleMedium2" defaultPivotStyle="PivotStyleLight16"/>' +
  '</styleSheet>';

const attribute = (value: string): string => xmlText(value).replace(/"/g, '&quot;');

function workbookXml(sheets: readonly SheetEntry[]): string {
  const list = sheets
    .map(
      ({ name }, index) => `<sheet name="${attribute(name)}" sheetId="${index + 1}" r:id="rId${index + 1}"/>`,
    )
    .join('');
  // Excel keeps each sheet's auto-filter range as this hidden name, and expects it beside the filter.
  const filters = sheets
    .map(({ name, filter }, index) => {
      const [from, to] = filter.split(':').map((ref) => ref.replace(/^([A-Z]+)(\d+)$/, '$$$1$$$2'));
      const quoted = `'${name.replace(/'/g, "''")}'`;
      return `<definedName name="_xlnm._FilterDatabase" localSheetId="${index}" hidden="1">${xmlText(quoted)}!${from}:${to}</definedName>`;
    })
    .join('');
  return (
    `${XML_HEAD}<workbook xmlns="${MAIN_NS}" xmlns:r="${REL_NS}"><workbookPr/>` +
    `<bookViews><workbookView activeTab="0"/></bookViews><sheets>${list}</sheets>` +
    `<definedNames>${filters}</definedNames><calcPr calcId="171027"/></workbook>`
  );
}

function workbookRelsXml(sheets: readonly SheetEntry[]): string {
  const type = `${REL_NS}/worksheet`;
  const rels = sheets.map(
    ({ path }, index) => `<Relationship Id="rId${index + 1}" Type="${type}" Target="${path}"/>`,
  );
  rels.push(`<Relationship Id="rId${sheets.length + 1}" Type="${REL_NS}/styles" Target="styles.xml"/>`);
  rels.push(
    `<Relationship Id="rId${sheets.length + 2}" Type="${REL_NS}/sharedStrings" Target="sharedStrings.xml"/>`,
  );
  return `${XML_HEAD}<Relationships xmlns="${PACKAGE_REL_NS}">${rels.join('')}</Relationships>`;
}

function contentTypesXml(sheets: readonly SheetEntry[]): string {
  const office = 'application/vnd.openxmlformats-officedocument';
  const overrides = [
    ['/xl/workbook.xml', `${office}.spreadsheetml.sheet.main+xml`],
    ...sheets.map(({ path }) => [`/xl/${path}`, `${office}.spreadsheetml.worksheet+xml`]),
    ['/xl/styles.xml', `${office}.spreadsheetml.styles+xml`],
    ['/xl/sharedStrings.xml', `${office}.spreadsheetml.sharedStrings+xml`],
    ['/docProps/core.xml', 'application/vnd.openxmlformats-package.core-properties+xml'],
    ['/docProps/app.xml', `${office}.extended-properties+xml`],
  ];
  return (
    `${XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
    '<Default Extension="xml" ContentType="application/xml"/>' +
    overrides.map(([part, type]) => `<Override PartName="${part}" ContentType="${type}"/>`).join('') +
    '</Types>'
  );
}

const ROOT_RELS_XML =
  `${XML_HEAD}<Relationships xmlns="${PACKAGE_REL_NS}">` +
  `<Relationship Id="rId1" Type="${REL_NS}/officeDocument" Target="xl/workbook.xml"/>` +
  `<Relationship Id="rId2" Type="${PACKAGE_REL_NS}/metadata/core-properties" Target="docProps/core.xml"/>` +
  `<Relationship Id="rId3" Type="${REL_NS}/extended-properties" Target="docProps/app.xml"/>` +
  '</Relationships>';

const APP_XML =
  `${XML_HEAD}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">` +
  '<Application>scrub62323</Application></Properties>';

/** The workbook's created and modified dates are the report's (W3CDTF, whole seconds). */
function coreXml(generatedAt: Date): string {
  const when = generatedAt.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const date = (element: string) =>
    `<dcterms:${element} xsi:type="dcterms:W3CDTF">${when}</dcterms:${element}>`;
  return (
    `${XML_HEAD}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"` +
    ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"' +
    ' xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
    '<dc:creator>scrub62323</dc:creator><cp:lastModifiedBy>scrub62323</cp:lastModifiedBy>' +
    `${date('created')}${date('modified')}</cp:coreProperties>`
  );
}

/**
 * A zip entry's time is DOS local time with no zone: the report's UTC wall-clock time, read as local
 * so the zip library writes those same fields on a machine in any zone. (Except in the hour a year
 * a machine's own zone skips, which no local time there can name: then the entry says an hour later.)
 */
function zipTime(generatedAt: Date): Date {
  const at = generatedAt;
  return new Date(
    at.getUTCFullYear(),
    at.getUTCMonth(),
    at.getUTCDate(),
    at.getUTCHours(),
    at.getUTCMinutes(),
    at.getUTCSeconds(),
  );
}

/** The workbook's zip bytes, a piece at a time, rendered only as they are asked for. */
function* workbookPieces(
  summary: Summary,
  batch: ReportBatch | undefined,
  options: XlsxOptions,
  claims: BatchClaims,
): Generator<Uint8Array> {
  const rowLimit = options.rowLimit ?? EXCEL_ROW_LIMIT;
  const generatedAt = new Date(summary.generatedAt);
  const zip = new ZipWriter(zipTime(generatedAt));
  const sheets: SheetEntry[] = [];
  const strings = new SharedStrings();
  const series = (name: string, columns: readonly Column[], limit = rowLimit) =>
    new SheetSeries(zip, sheets, name, columns, limit, strings);
  function* fill<T>(target: SheetSeries, items: Iterable<T>, row: (item: T) => readonly Cell[]) {
    for (const item of items) {
      target.add(row(item));
      const piece = zip.take();
      if (piece) yield piece;
    }
    target.finish();
  }

  // A few dozen rows whatever the batch: never near a limit.
  yield* fill(
    series('Summary', SUMMARY_COLUMNS, EXCEL_ROW_LIMIT),
    summaryRows(summary),
    ([figure, value]) => [figure, value],
  );
  yield* fill(series('Claims', CLAIMS_COLUMNS), claims(), claimRow);
  yield* fill(series('Findings', FINDINGS_COLUMNS), batch ? batch.flagged.rows() : [], findingRow);
  yield* fill(series('Rejected', REJECTED_COLUMNS), batch?.rejectedRecords ?? [], rejectedRow);

  // The parts that list the sheets come after them: how many there are is known only now.
  zip.part('xl/workbook.xml', workbookXml(sheets));
  zip.part('xl/_rels/workbook.xml.rels', workbookRelsXml(sheets));
  zip.part('xl/styles.xml', STYLES_XML);
  zip.part('xl/sharedStrings.xml', strings.xml());
  zip.part('docProps/core.xml', coreXml(generatedAt));
  zip.part('docProps/app.xml', APP_XML);
  zip.part('_rels/.rels', ROOT_RELS_XML);
  zip.part('[Content_Types].xml', contentTypesXml(sheets));
  zip.end();
  const last = zip.take(true);
  if (last) yield last;
}

/**
 * findings.xlsx as a stream of bytes, written as it is read: each piece is rendered when the reader
 * asks for it, so a slow reader holds back the writing rather than the memory filling up, and a
 * reader that stops early stops the writing.
 */
export async function* xlsxPieces(
  summary: Summary,
  batch: ReportBatch | undefined,
  options: XlsxOptions = {},
  claims: BatchClaims = batchClaimsOf(batch),
): AsyncGenerator<Uint8Array> {
  yield* workbookPieces(summary, batch, options, claims);
}
