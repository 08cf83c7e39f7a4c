/**
 * findings.xlsx read back with a spreadsheet library (exceljs's reader) and its sheet XML: the sheets
 * formats.md lists, text that keeps its zeros, money and dates as numbers with formats, formula text
 * as plain strings, frozen and filtered headers, and sheets that continue past the row limit.
 */
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { assembleReport, fileContent, type ReportFile } from '../../../functions/core/report/files.js';
import type { SummaryContext } from '../../../functions/core/report/summary.js';
import { SharedStrings } from '../../../functions/core/report/xlsx.js';
import { BUILT_IN_BOOKS } from '../../../functions/core/rules/books.js';
import { RULE_IDS } from '../../../functions/core/rules/catalog.js';
import { batch } from '../../support/batch.js';
import { FIXED_NOW, type FindingRow, scrub } from '../../support/run.js';
import { FINDINGS_COLUMNS, REJECTED_COLUMNS } from '../../support/spec.js';
import { plainValue, readWorkbook, sharedStringsXml, sheetRows, sheetXml } from '../../support/xlsx.js';

const CONTEXT: SummaryContext = {
  batchId: 'b1',
  asOf: '2026-11-28',
  source: { name: 'b1.csv', bytes: 10, sha256: '0'.repeat(64), encoding: 'utf-8' },
  unknownColumns: [],
  generatedAt: FIXED_NOW,
  packs: BUILT_IN_BOOKS.packs,
  defaultPack: 0,
};

const xlsxOf = (files: readonly ReportFile[]) =>
  fileContent(files.find((file) => file.name === 'findings.xlsx')!);

const FORMULAS = ['=1+1', '=HYPERLINK("x")', '+SUM(A1)', '@x', '-1'];

/** Lines 2-6 of the batch; a seventh record with too few fields is rejected. */
const BATCH = `${batch([
  { claim_id: '01938', line_no: '01', member_id: '000123', prior_auth: '', charge: '1250.00', payer: '=1+1' },
  { claim_id: '+SUM(A1)', member_id: '=HYPERLINK("x")', date_of_service: '2026-02-30', charge: '300.50' },
  { claim_id: '@x', member_id: '-1', charge: '-5' },
  { claim_id: 'BIG', date_of_service: '2026-02-31', charge: '2000.00' },
  { claim_id: 'CLEAN' },
])}=oops,1\n`;

/** The text columns hold findings.csv's text, without its formula guard (a cell needs none), as text cells. */
function expectTextCells(csvRow: FindingRow, cell: (column: string) => ExcelJS.Cell): void {
  const unguarded = (text: string) => text.replace(/^'(?=[=+\-@\t\r])/, '');
  const ids = ['claim_id', 'line_no', 'member_id', 'procedure_code', 'rule_id', 'severity'];
  const texts = ['message', 'related_lines', 'provider_npi', 'payer', 'rule_pack', 'fix', 'source'];
  for (const column of [...ids, ...texts]) {
    const expected = unguarded(csvRow[column as keyof FindingRow] as string);
    expect(plainValue(cell(column)), column).toBe(expected === '' ? null : expected);
    if (expected !== '') expect(cell(column).type, column).toBe(ExcelJS.ValueType.String);
  }
}

describe('findings.xlsx', () => {
  it('has the Summary, Claims, Findings and Rejected sheets, each with its header row', async () => {
    const run = await scrub(BATCH);
    const workbook = await readWorkbook(await xlsxOf(run.result.report));
    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual([
      'Summary',
      'Claims',
      'Findings',
      'Rejected',
    ]);
    const header = (name: string) => sheetRows(workbook.getWorksheet(name)!)[0];
    expect(header('Summary')).toEqual(['figure', 'value']);
    expect(header('Claims')).toEqual([
      'claim_id',
      'member_id',
      'date_of_service',
      'provider_npi',
      'payer',
      'errors',
      'warnings',
      'dollars_at_risk',
      'rule_ids',
    ]);
    expect(header('Findings')).toEqual([...FINDINGS_COLUMNS]);
    expect(header('Rejected')).toEqual([...REJECTED_COLUMNS]);
  });

  it('holds every finding of findings.csv, ids and codes as text with their zeros, charges and dates as numbers', async () => {
    const run = await scrub(BATCH);
    const workbook = await readWorkbook(await xlsxOf(run.result.report));
    const sheet = workbook.getWorksheet('Findings')!;
    expect(sheet.rowCount - 1).toBe(run.rows.length);
    run.rows.forEach((csvRow, index) => {
      const row = sheet.getRow(index + 2);
      const cell = (column: string) => row.getCell(FINDINGS_COLUMNS.indexOf(column as never) + 1);
      expect(cell('line').value).toBe(csvRow.line);
      expectTextCells(csvRow, cell);
      if (csvRow.charge === '') expect(cell('charge').value).toBeNull();
      else {
        expect(cell('charge').value).toBe(Number(csvRow.charge));
        expect(cell('charge').numFmt).toMatch(/\$.*0\.00/);
      }
      const date = new Date(`${csvRow.date_of_service}T00:00:00Z`);
      if (!Number.isNaN(date.getTime()) && date.toISOString().startsWith(csvRow.date_of_service)) {
        expect(cell('date_of_service').value).toEqual(date);
        expect(cell('date_of_service').numFmt).toBe('yyyy-mm-dd');
      } else expect(cell('date_of_service').text).toBe(csvRow.date_of_service);
    });
    const first = sheet.getRow(2);
    expect([2, 3, 4].map((column) => first.getCell(column).text)).toEqual(['01938', '01', '000123']);
    expect(first.getCell(11).value).toBe(1250);
  });

  it('keeps a date that is not a real date as the text it was', async () => {
    const run = await scrub(BATCH);
    const sheet = (await readWorkbook(await xlsxOf(run.result.report))).getWorksheet('Findings')!;
    const dates = sheetRows(sheet)
      .slice(1)
      .map((row) => row[4]);
    expect(dates).toContain('2026-02-30');
    expect(dates).toContain('2026-11-02T00:00:00.000Z');
  });

  it('stores formula text as a string cell, never a formula', async () => {
    const run = await scrub(BATCH);
    const bytes = await xlsxOf(run.result.report);
    const workbook = await readWorkbook(bytes);
    const texts = new Set<unknown>();
    for (const sheet of workbook.worksheets) {
      sheet.eachRow((row) =>
        row.eachCell((cell) => {
          expect(cell.type, cell.address).not.toBe(ExcelJS.ValueType.Formula);
          texts.add(plainValue(cell));
        }),
      );
    }
    for (const formula of FORMULAS) expect(texts, formula).toContain(formula);
    for (const [name, xml] of await sheetXml(bytes)) {
      expect(xml, name).not.toMatch(/<f[ >]/);
      expect(xml, name).not.toMatch(/t="str"/);
    }
    const findings = (await sheetXml(bytes)).get('Findings')!;
    expect(findings).toContain('t="inlineStr"><is><t>=HYPERLINK("x")</t></is>'); // a member id: inline
    const shared = await sharedStringsXml(bytes);
    expect(shared).toContain('<si><t>=1+1</t></si>'); // a payer: a shared string, text too
    expect(shared).not.toMatch(/<f[ >]/);
  });

  it('writes repeated text once, as shared strings, and claim ids, member ids and messages inline', async () => {
    const run = await scrub(BATCH);
    const bytes = await xlsxOf(run.result.report);
    const findings = (await sheetXml(bytes)).get('Findings')!;
    const sharedColumns = new Set(
      [...findings.matchAll(/<c r="([A-Z]+)\d+"[^>]* t="s">/g)].map(([, column]) => column),
    );
    // line_no, procedure_code, rule_id, severity, provider_npi, payer, rule_pack, fix, source.
    expect([...sharedColumns].sort()).toEqual(['C', 'F', 'G', 'H', 'L', 'M', 'N', 'O', 'P']);
    expect(findings).toContain('t="inlineStr"><is><t>01938</t></is>');
    expect(findings).toContain('t="inlineStr"><is><t>000123</t></is>');
    // The catalog's text comes first; the batch's own follows, each once.
    const items = [...(await sharedStringsXml(bytes)).matchAll(/<si><t[^>]*>([^<]*)<\/t><\/si>/g)].map(
      ([, text]) => text,
    );
    expect(items[0]).toBe(RULE_IDS[0]);
    expect(new Set(items).size).toBe(items.length);
    expect(items).toContain('01');
  });

  it('freezes and filters the header row of every sheet, over all its rows', async () => {
    const run = await scrub(BATCH);
    const sheets = await sheetXml(await xlsxOf(run.result.report));
    const expected = { Summary: 'B', Claims: 'I', Findings: 'P', Rejected: 'D' };
    const workbook = await readWorkbook(await xlsxOf(run.result.report));
    for (const [name, lastColumn] of Object.entries(expected)) {
      const xml = sheets.get(name)!;
      expect(xml, name).toMatch(/<pane [^>]*ySplit="1"[^>]*state="frozen"/);
      const rows = workbook.getWorksheet(name)!.rowCount;
      expect(xml, name).toContain(`<autoFilter ref="A1:${lastColumn}${rows}"/>`);
    }
  });

  it('lists claims by dollars at risk, most first, then by first flagged line', async () => {
    const run = await scrub(BATCH);
    const sheet = (await readWorkbook(await xlsxOf(run.result.report))).getWorksheet('Claims')!;
    const rows = sheetRows(sheet).slice(1);
    // Charges of the lines with an error: BIG 2,000.00 (bad date), +SUM(A1) 300.50 (bad date), @x
    // none (its charge is invalid); 01938 has a warning only.
    expect(rows.map((row) => [row[0], row[7]])).toEqual([
      ['BIG', 2000],
      ['+SUM(A1)', 300.5],
      ['01938', 0],
      ['@x', 0],
    ]);
    expect(rows[2]!.slice(0, 2)).toEqual(['01938', '000123']);
    expect(rows[2]![5]).toBe(0);
    expect(rows[2]![6]).toBe(1);
    expect(rows[2]![8]).toBe('PRIOR_AUTH_MISSING');
    expect(sheet.getCell('H2').numFmt).toMatch(/\$.*0\.00/);
    expect(sheet.getCell('C2').text).toBe('2026-02-31');
  });

  it('summarises the batch with numbers as numbers, dollars first', async () => {
    const run = await scrub(BATCH);
    const sheet = (await readWorkbook(await xlsxOf(run.result.report))).getWorksheet('Summary')!;
    const figures = new Map(sheetRows(sheet).map(([figure, value]) => [figure, value]));
    const { summary } = run;
    expect(sheetRows(sheet)[1]).toEqual(['Status', 'complete']);
    expect(sheetRows(sheet)[2]).toEqual(['Dollars at risk', 2300.5]);
    expect(figures.get('Claims with errors')).toBe(3);
    expect(figures.get('Claims')).toBe(5);
    expect(figures.get('Clean-claim rate')).toBeCloseTo(0.4);
    expect(figures.get('Errors')).toBe(summary.counts.findings.error);
    expect(figures.get('Warnings')).toBe(1);
    expect(figures.get('Lines')).toBe(6);
    expect(figures.get('Checked')).toBe(5);
    expect(figures.get('Rejected')).toBe(1);
    expect(figures.get('Batch id')).toBe('test-batch');
    expect(figures.get('As of')).toBe('2026-11-28T00:00:00.000Z');
    expect(figures.get('Source sha256')).toBe(summary.source.sha256);
    expect(figures.get('Generated at (UTC)')).toBe(FIXED_NOW.toISOString().replace(/\.\d+Z$/, '.000Z'));
    expect(sheet.getCell('B3').numFmt).toMatch(/\$.*0\.00/);
  });

  it('lists the rejected records with their line numbers as numbers and raw text as written', async () => {
    const run = await scrub(BATCH);
    const sheet = (await readWorkbook(await xlsxOf(run.result.report))).getWorksheet('Rejected')!;
    const rows = sheetRows(sheet).slice(1);
    expect(rows).toEqual([[7, 7, run.rejected[0]!.reason, '=oops,1']]);
  });

  it('keeps text as written: spaces at the ends, markup characters, line breaks; controls XML cannot hold as \uFFFD', async () => {
    const odd = ['  spaced out  ', 'a<b>&c', '"quoted\rcarriage\nfeed"', 'ctl\u0001x', 'esc_x0041_'];
    const run = await scrub(`${batch([{ claim_id: 'A' }])}${odd.join('\n')}\n`);
    const bytes = await xlsxOf(run.result.report);
    const rows = sheetRows((await readWorkbook(bytes)).getWorksheet('Rejected')!).slice(1);
    expect(rows).toHaveLength(run.rejected.length);
    const excelEscaped = (raw: string) => raw.replace(/_x([0-9A-Fa-f]{4})_/g, '_x005F_x$1_');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the controls XML 1.0 forbids
    const xmlSafe = (raw: string) => raw.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '\uFFFD');
    expect(rows.map((row) => row[3])).toEqual(
      run.rejected.map((record) => excelEscaped(xmlSafe(record.raw))),
    );
    expect(run.rejected.map((record) => record.raw)).toEqual(
      expect.arrayContaining(['  spaced out  ', 'a<b>&c']),
    );
    const xml = (await sheetXml(bytes)).get('Rejected')!;
    expect(xml).toContain('<t xml:space="preserve">  spaced out  </t>');
    expect(xml).toContain('<t>a&lt;b&gt;&amp;c</t>');
    expect(xml).toContain('"quoted&#13;carriage</t>');
    expect(xml).toContain('<t>esc_x005F_x0041_</t>');
  });

  it('continues a sheet past the row limit on the next, each with its header, frozen and filtered', async () => {
    const lines = Array.from({ length: 10 }, (_, index) => ({ claim_id: `C${index}`, prior_auth: '' }));
    const run = await scrub(batch(lines));
    expect(run.rows).toHaveLength(10);
    const report = assembleReport(CONTEXT, { batch: run.result.batch! }, { xlsx: { rowLimit: 5 } });
    const bytes = await xlsxOf(report.files);
    const workbook = await readWorkbook(bytes);
    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual([
      'Summary',
      'Claims',
      'Claims 2',
      'Claims 3',
      'Findings',
      'Findings 2',
      'Findings 3',
      'Rejected',
    ]);
    const findings = ['Findings', 'Findings 2', 'Findings 3'].map((name) =>
      sheetRows(workbook.getWorksheet(name)!),
    );
    expect(findings.map((rows) => rows.length)).toEqual([5, 5, 3]);
    for (const rows of findings) expect(rows[0]).toEqual([...FINDINGS_COLUMNS]);
    expect(findings.flatMap((rows) => rows.slice(1).map((row) => row[0]))).toEqual(
      run.rows.map((row) => row.line),
    );
    const xml = await sheetXml(bytes);
    for (const name of ['Findings 2', 'Findings 3']) {
      expect(xml.get(name), name).toMatch(/state="frozen"/);
      expect(xml.get(name), name).toContain(`<autoFilter ref="A1:P${name === 'Findings 2' ? 5 : 3}"/>`);
    }
  });

  it('of a rejected batch: the Summary says so and why; the other sheets have headers only', async () => {
    const report = assembleReport(CONTEXT, {
      rejection: { code: 'NOT_CSV', message: 'The file is not CSV.' },
    });
    const workbook = await readWorkbook(await xlsxOf(report.files));
    const summary = sheetRows(workbook.getWorksheet('Summary')!);
    expect(summary[1]).toEqual(['Status', 'rejected']);
    expect(summary[2]).toEqual(['Rejected because', 'The file is not CSV. (NOT_CSV)']);
    for (const name of ['Claims', 'Findings', 'Rejected'])
      expect(workbook.getWorksheet(name)!.rowCount, name).toBe(1);
  });

  it('sets the workbook dates to the report time', async () => {
    const run = await scrub(BATCH);
    const workbook = await readWorkbook(await xlsxOf(run.result.report));
    expect(workbook.created.toISOString()).toBe('2026-11-28T03:12:09.000Z');
    expect(workbook.modified.toISOString()).toBe('2026-11-28T03:12:09.000Z');
  });
});

describe('the shared-string table', () => {
  it('holds the catalog first, whatever its length, then each repeated text once, up to its limits', () => {
    const strings = new SharedStrings({ count: 0, length: 0 });
    const catalog = strings.size;
    expect(strings.indexOf(RULE_IDS[0]!)).toBe(0);
    expect(strings.indexOf('Medicare Part B')).toBeUndefined(); // past both limits: inline

    const roomy = new SharedStrings({ count: catalog + 2, length: 10 });
    expect(roomy.indexOf('Acme')).toBe(catalog);
    expect(roomy.indexOf('Acme')).toBe(catalog);
    expect(roomy.indexOf('a payer name too long to share')).toBeUndefined();
    expect(roomy.indexOf('Contoso')).toBe(catalog + 1);
    expect(roomy.indexOf('Fabrikam')).toBeUndefined(); // the table is full
    expect(roomy.indexOf('Acme')).toBe(catalog); // known text stays shared
    expect(roomy.xml()).toContain(`uniqueCount="${catalog + 2}"`);
  });
});
