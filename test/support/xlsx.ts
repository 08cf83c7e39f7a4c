/**
 * Reads findings.xlsx back the way a spreadsheet would: exceljs's reader for values, types and number
 * formats, and the raw sheet XML (unzipped with jszip) for what the reader does not expose as
 * written (frozen panes, auto-filters, how a cell is stored).
 */
import ExcelJS from 'exceljs';
import JSZip from 'jszip';

export async function readWorkbook(bytes: Uint8Array): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);
  return workbook;
}

/** A cell's value as plain data: text for strings (inline rich text joined), ISO text for dates. */
export function plainValue(cell: ExcelJS.Cell): string | number | null {
  const { value } = cell;
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number' || typeof value === 'string') return value;
  if (typeof value === 'object' && 'richText' in value) return value.richText.map((run) => run.text).join('');
  throw new Error(`unexpected cell value at ${cell.address}: ${JSON.stringify(value)}`);
}

/** Every row of a sheet as plain values, header first, `columns` wide. */
export function sheetRows(
  sheet: ExcelJS.Worksheet,
  columns = sheet.columnCount,
): (string | number | null)[][] {
  const rows: (string | number | null)[][] = [];
  for (let index = 1; index <= sheet.rowCount; index += 1) {
    const row = sheet.getRow(index);
    rows.push(Array.from({ length: columns }, (_, column) => plainValue(row.getCell(column + 1))));
  }
  return rows;
}

export interface SheetContents {
  readonly name: string;
  readonly rows: (string | number | null)[][];
  /** The number format of each cell that has one, by address. */
  readonly formats: Record<string, string>;
}

/** What a workbook shows: sheet names, values and number formats (not the zip's bytes or times). */
export async function workbookContents(bytes: Uint8Array): Promise<SheetContents[]> {
  const workbook = await readWorkbook(bytes);
  return workbook.worksheets.map((sheet) => {
    const formats: Record<string, string> = {};
    sheet.eachRow((row) =>
      row.eachCell((cell) => {
        if (cell.numFmt) formats[cell.address] = cell.numFmt;
      }),
    );
    return { name: sheet.name, rows: sheetRows(sheet), formats };
  });
}

/** The shared-string part as written. */
export async function sharedStringsXml(bytes: Uint8Array): Promise<string> {
  const entry = (await JSZip.loadAsync(bytes)).file('xl/sharedStrings.xml');
  if (!entry) throw new Error('findings.xlsx has no xl/sharedStrings.xml');
  return entry.async('string');
}

/** Each sheet's XML as written, by sheet name, in workbook order. */
export async function sheetXml(bytes: Uint8Array): Promise<Map<string, string>> {
  const zip = await JSZip.loadAsync(bytes);
  const text = async (path: string) => {
    const entry = zip.file(path);
    if (!entry) throw new Error(`findings.xlsx has no ${path}`);
    return entry.async('string');
  };
  const rels = await text('xl/_rels/workbook.xml.rels');
  const targets = new Map(
    [...rels.matchAll(/<Relationship [^>]*Id="([^"]+)"[^>]*Target="([^"]+)"/g)].map((match) => [
      match[1]!,
      match[2]!,
    ]),
  );
  const sheets = new Map<string, string>();
  const book = await text('xl/workbook.xml');
  for (const match of book.matchAll(/<sheet [^>]*name="([^"]+)"[^>]*r:id="([^"]+)"/g)) {
    sheets.set(match[1]!, await text(`xl/${targets.get(match[2]!)!.replace(/^\//, '')}`));
  }
  return sheets;
}
