/** CSV cells (formats.md, findings.csv): RFC 4180 quoting and the spreadsheet formula guard. */
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { csvRow, numberCell, quoteCsv, textCell } from '../../../functions/core/report/csv.js';

describe('textCell', () => {
  it.each([
    ['=1+1', "'=1+1"],
    ['+1234', "'+1234"],
    ['-M1', "'-M1"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tTAB', "'\tTAB"],
  ])('guards %j as %j', (value, cell) => {
    expect(textCell(value)).toBe(cell);
  });

  it('guards a leading carriage return and quotes the cell', () => {
    expect(parse(textCell('\rCR'))).toEqual([["'\rCR"]]);
  });

  it('guards and quotes a formula that holds quotes and commas', () => {
    const cell = textCell('=HYPERLINK("http://example.test","x")');
    expect(cell).toBe('"\'=HYPERLINK(""http://example.test"",""x"")"');
    expect(parse(cell)).toEqual([['\'=HYPERLINK("http://example.test","x")']]);
  });

  it.each(['plain', 'M54.16', '1250.00', 'a=b', 'x-1', ''])('leaves %j as it is', (value) => {
    expect(textCell(value)).toBe(value);
  });

  it.each(['a,b', 'say "hi"', 'two\nlines', 'cr\rin'])(
    'quotes %j so that it reads back unchanged',
    (value) => {
      const cell = textCell(value);
      expect(cell.startsWith('"')).toBe(true);
      expect(parse(`${cell},next\n`)).toEqual([[value, 'next']]);
    },
  );
});

describe('numberCell and csvRow', () => {
  it('writes numbers as they are, never guarded', () => {
    expect(numberCell(-1)).toBe('-1');
    expect(numberCell('1250.00')).toBe('1250.00');
  });

  it('joins cells with commas and ends the row with LF', () => {
    expect(csvRow(['a', textCell('b,c'), '3'])).toBe('a,"b,c",3\n');
  });
});

describe('quoteCsv', () => {
  it('quotes only fields with a comma, a quote or a line break, and never guards a formula', () => {
    expect(quoteCsv('Acme Health')).toBe('Acme Health');
    expect(quoteCsv('Acme Health, Inc.')).toBe('"Acme Health, Inc."');
    expect(quoteCsv('The "Best" Plan')).toBe('"The ""Best"" Plan"');
    expect(quoteCsv('two\nlines')).toBe('"two\nlines"');
    expect(quoteCsv('=1+1')).toBe('=1+1');
  });
});
