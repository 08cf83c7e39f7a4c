/** findings.csv and rejected.csv as formats.md defines them. */
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { batch, headerOf, type LineInput } from '../../support/batch.js';
import { rowsOf, scrub } from '../../support/run.js';
import { FINDINGS_COLUMNS } from '../../support/spec.js';

const HEADER = FINDINGS_COLUMNS.join(',');

describe('findings.csv', () => {
  it('has the header of formats.md, in that order, even when there are no findings', async () => {
    const clean = await scrub(batch([{}]));
    expect(clean.result.files['findings.csv']).toBe(`${HEADER}\n`);
    const flagged = await scrub(batch([{ prior_auth: '' }]));
    expect(flagged.result.files['findings.csv'].split('\n')[0]).toBe(HEADER);
  });

  it('writes one row per finding, sorted by line, then rule_id', async () => {
    const run = await scrub(
      batch([
        { procedure_code: '77003', member_id: 'M1' },
        {
          member_id: 'M1',
          modifiers: ['50', 'KX', '25'],
          dx: ['M54.2'],
          prior_auth: '',
          place_of_service: '23',
          units: '2',
        },
        { member_id: 'M2', charge: '', claim_id: '', prior_auth: '' },
      ]),
    );
    expect(run.rows.map((row) => [row.line, row.rule_id])).toEqual([
      [2, 'IMAGING_BUNDLED'],
      [3, 'BILATERAL_MODIFIER'],
      [3, 'DX_NOT_COVERED'],
      [3, 'KX_ON_INTERLAMINAR'],
      [3, 'MODIFIER_NOT_ALLOWED'],
      [3, 'POS_UNUSUAL'],
      [3, 'PRIOR_AUTH_MISSING'],
      [3, 'UNITS_EXCEED_MUE'],
      [4, 'MISSING_FIELD'],
      [4, 'MISSING_FIELD'],
      [4, 'PRIOR_AUTH_MISSING'],
    ]);
  });

  it('writes related lines space-separated in numeric ascending order', async () => {
    const filler = (count: number, prefix: string): LineInput[] =>
      Array.from({ length: count }, (_, index) => ({ member_id: `${prefix}${index}` }));
    // The imaging line first, then index lines of its encounter at lines 9, 10 and 100.
    const lines: LineInput[] = [
      { procedure_code: '77003', member_id: 'M1' },
      ...filler(6, 'F'),
      { member_id: 'M1' },
      { member_id: 'M1' },
      ...filler(89, 'G'),
      { member_id: 'M1' },
    ];
    expect(lines).toHaveLength(99);
    const run = await scrub(batch(lines));
    const [row] = rowsOf(run, 'IMAGING_BUNDLED');
    expect(row!.related_lines).toBe('9 10 100');
    expect(rowsOf(run, 'UNITS_EXCEED_MUE').map((r) => [r.line, r.related_lines])).toEqual([
      [9, '10 100'],
      [10, '9 100'],
      [100, '9 10'],
    ]);
  });

  it('leaves related_lines empty when no other line is involved', async () => {
    const run = await scrub(batch([{ prior_auth: '' }]));
    expect(run.rows[0]!.related_lines).toBe('');
    const [cells] = parse(run.result.files['findings.csv'].split('\n')[1]!) as string[][];
    expect(cells!.slice(8, 11)).toEqual(['no prior authorization number', '', '100.00']);
  });

  it.each([
    ['$1,250.00', '1250.00'],
    ['1250', '1250.00'],
    ['$1,000,000.5', '1000000.50'],
    ['0.99', '0.99'],
    ['-5', ''],
    ['12,50', ''],
  ])('writes the charge %j as the plain number %j (empty when invalid)', async (charge, plain) => {
    const run = await scrub(batch([{ charge, prior_auth: '' }]));
    expect(run.rows.map((row) => row.charge)).toEqual(run.rows.map(() => plain));
    const raw = run.result.files['findings.csv'].split('\n')[1]!;
    const [cells] = parse(raw) as string[][];
    expect(cells![FINDINGS_COLUMNS.indexOf('charge')]).toBe(plain);
  });

  it('echoes the normalised input: trimmed values, ISO dates, upper-case codes', async () => {
    const text = [
      headerOf(),
      ' C-7 , 3 , m-55 ,1961-04-12, 11/2/2026 ,,j1010 ,,,,,M54.16,,,,1,11,1234567893,,$40.00,,Plan,',
      ' C-7 , 4 , m-55 ,1961-04-12,20261102,,62323,,,,,M54.16,,,,1,11, 1234567893 ,,100,, Plan ,',
    ].join('\n');
    const run = await scrub(`${text}\n`);
    // The 62323 line has no prior auth: its row shows the echo of the line.
    const [indexRow] = rowsOf(run, 'PRIOR_AUTH_MISSING');
    expect(indexRow).toMatchObject({
      line: 3,
      claim_id: 'C-7',
      line_no: '4',
      member_id: 'm-55',
      date_of_service: '2026-11-02',
      procedure_code: '62323',
      charge: '100.00',
      provider_npi: '1234567893',
      payer: 'Plan',
      rule_pack: '62323/v2',
    });
    expect(run.rows.filter((row) => row.line === 2)).toEqual([]);
  });

  it('echoes procedure codes upper-case and trimmed on cross-line findings', async () => {
    const run = await scrub(
      batch([{ member_id: 'M1' }, { member_id: 'M1', procedure_code: ' j1010 ', place_of_service: '22' }]),
    );
    expect(rowsOf(run, 'DRUG_IN_FACILITY')[0]).toMatchObject({
      line: 3,
      procedure_code: 'J1010',
      related_lines: '2',
    });
  });

  it('echoes an invalid date as written', async () => {
    const run = await scrub(batch([{ date_of_service: '2026-02-30' }]));
    expect(run.rows[0]).toMatchObject({ rule_id: 'INVALID_DATE', date_of_service: '2026-02-30' });
  });

  it("guards formula cells: a claim_id =HYPERLINK(…) is written as '=HYPERLINK(…)", async () => {
    const claim = '=HYPERLINK("http://example.test/x","click")';
    const run = await scrub(
      batch([
        { claim_id: claim, prior_auth: '' },
        { claim_id: 'N-2', member_id: '+M2', line_no: '-1', prior_auth: '' },
        { claim_id: 'N-3', member_id: '@M3', procedure_code: '=1+2' },
      ]),
    );
    expect(run.rows[0]!.claim_id).toBe(`'${claim}`);
    const raw = run.result.files['findings.csv'];
    expect(raw).toContain(`"'=HYPERLINK(""http://example.test/x"",""click"")"`);
    expect(rowsOf(run, 'PRIOR_AUTH_MISSING')[1]).toMatchObject({ member_id: "'+M2", line_no: "'-1" });
    const codeRow = rowsOf(run, 'INVALID_PROCEDURE_CODE')[0]!;
    expect(codeRow.member_id).toBe("'@M3");
    expect(codeRow.procedure_code).toBe("'=1+2");
    // No cell of the file starts with a formula character.
    const cells = (parse(raw) as string[][]).flat();
    for (const cell of cells) expect(cell, cell).not.toMatch(/^[=+\-@\t\r]/);
  });

  it('quotes cells with commas, quotes and line breaks so they read back unchanged', async () => {
    const run = await scrub(batch([{ claim_id: 'A,"B"\nC', prior_auth: '' }]));
    expect(run.rows[0]!.claim_id).toBe('A,"B"\nC');
    expect(run.rows).toHaveLength(1);
  });
});

describe('rejected.csv', () => {
  it('has the header line,end_line,reason,raw and one row per rejected record, by line', async () => {
    const text = `${batch([{}, {}])}x,y\n"a\nb",c\n=cmd|' /C calc'!A0,1\n`;
    const run = await scrub(text);
    expect(run.result.files['rejected.csv'].split('\n')[0]).toBe('line,end_line,reason,raw');
    // A multi-line record that does not parse into the header's columns is re-read line by line.
    expect(run.rejected.map(({ line, end_line }) => [line, end_line])).toEqual([
      [4, 4],
      [5, 5],
      [6, 6],
      [7, 7],
    ]);
    expect(run.rejected[1]!.raw).toBe('"a');
    expect(run.rejected[1]!.reason).toMatch(/misplaced quote/);
  });

  it('guards a raw record that starts like a formula', async () => {
    const run = await scrub(`${batch([{}])}=cmd|' /C calc'!A0,1\n`);
    expect(run.rejected).toHaveLength(1);
    expect(run.rejected[0]!.raw).toBe("'=cmd|' /C calc'!A0,1");
  });
});
