/** splitRecord, the fast path of field parsing: it must agree with csv-parse on every record it accepts. */
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { PARSE_OPTIONS } from '../../../functions/core/intake/chunk.js';
import { splitRecord } from '../../../functions/core/intake/fields.js';
import { seeded } from '../../support/random.js';

/**
 * splitRecord's verdict; on a record with no quote and no line feed, the plain path (the one
 * visitChunk takes for those) must give the same one.
 */
const split = (text: string, width: number): string[] | undefined => {
  const fields: string[] = [];
  const accepted = splitRecord(text, 0, text.length, width, fields);
  if (!/["\n]/.test(text)) {
    const plain: string[] = [];
    expect(splitRecord(text, 0, text.length, width, plain, true), JSON.stringify(text)).toBe(accepted);
    if (accepted) expect(plain.slice(0, width)).toEqual(fields.slice(0, width));
  }
  return accepted ? fields : undefined;
};

/** csv-parse's verdict on one record alone: its fields, or undefined when it skips it as broken. */
function csvParse(text: string): string[][] | undefined {
  let broken = false;
  const rows = parse(text, {
    ...PARSE_OPTIONS,
    on_skip: () => {
      broken = true;
      return undefined;
    },
  }) as string[][];
  return broken ? undefined : rows;
}

describe('splitRecord', () => {
  it('splits plain and quoted fields', () => {
    expect(split('a,b,c', 3)).toEqual(['a', 'b', 'c']);
    expect(split(',,', 3)).toEqual(['', '', '']);
    expect(split('"x, y","say ""hi""",', 3)).toEqual(['x, y', 'say "hi"', '']);
    expect(split('d,"two\nlines",e', 3)).toEqual(['d', 'two\nlines', 'e']);
    expect(split('"",""""', 2)).toEqual(['', '"']);
    expect(split(' a ,\tb\r', 2)).toEqual([' a ', '\tb\r']);
  });

  it('declines what csv-parse must judge: stray quotes, text after a closing quote, open quotes, wrong width', () => {
    for (const text of ['a,b"c', 'a,"b"c', 'a,"b', 'a, "b"', 'a,"b" ', 'a\nb,c'])
      expect(split(text, 2)).toBeUndefined();
    expect(split('a,b,c', 2)).toBeUndefined();
    expect(split('a,b', 3)).toBeUndefined();
  });

  it('stays inside its range: the text around the record is never read', () => {
    const text = 'x,"y\nz",w\nnext,"line';
    const fields: string[] = [];
    expect(splitRecord(text, 0, text.indexOf('\nnext'), 3, fields)).toBe(true);
    expect(fields).toEqual(['x', 'y\nz', 'w']);
    expect(splitRecord('a,"b",c', 0, 5, 2, fields)).toBe(true);
    expect(fields.slice(0, 2)).toEqual(['a', 'b']);
    expect(splitRecord('a,"b",c', 0, 4, 2, [])).toBe(false);
    // The plain path's comma search runs past the record's end; what it finds there is not read.
    const plain = 'a,b\nc,d,e';
    expect(splitRecord(plain, 0, 3, 2, fields, true)).toBe(true);
    expect(fields.slice(0, 2)).toEqual(['a', 'b']);
    expect(splitRecord(plain, 4, plain.length, 3, fields, true)).toBe(true);
    expect(fields.slice(0, 3)).toEqual(['c', 'd', 'e']);
    expect(splitRecord('a,b,,\nx', 0, 5, 2, fields, true)).toBe(true);
    expect(splitRecord('a,b,c\nx', 0, 5, 2, fields, true)).toBe(false);
    expect(splitRecord('a\nb,c', 0, 1, 2, fields, true)).toBe(false);
    expect(splitRecord('', 0, 0, 1, fields, true)).toBe(false);
  });

  it('on random records, accepts only what csv-parse accepts, with the same fields', () => {
    const random = seeded(4180);
    const alphabet = ['a', 'b', ',', ',', '"', '"', '""', '\n', '\r', ' ', 'é', '\u{1F600}', '\t', ';'];
    let accepted = 0;
    for (let round = 0; round < 20_000; round += 1) {
      let text = '';
      const length = random.int(14);
      for (let index = 0; index < length; index += 1) text += random.pick(alphabet);
      const rows = csvParse(text);
      const width = rows?.length === 1 ? rows[0]!.length : 1 + random.int(4);
      const fields = split(text, width);
      if (fields === undefined) continue;
      accepted += 1;
      expect(rows, JSON.stringify(text)).toEqual([fields]);
    }
    expect(accepted).toBeGreaterThan(2_000);
  });

  it('accepts every record a CSV writer produces, with the fields it was given', () => {
    const random = seeded(62323);
    const pieces = ['M54.16', 'x', ',', '"', ' ', '\n', '\r\n', 'Acme, Inc.', 'é', ''];
    for (let round = 0; round < 5_000; round += 1) {
      const width = 2 + random.int(7);
      const values = Array.from({ length: width }, () =>
        Array.from({ length: random.int(4) }, () => random.pick(pieces)).join(''),
      );
      const text = values
        .map((value) =>
          /[",\n\r]/.test(value) || (value !== '' && random.chance(0.3))
            ? `"${value.replaceAll('"', '""')}"`
            : value,
        )
        .join(',');
      expect(split(text, width), JSON.stringify(text)).toEqual(values);
      expect(csvParse(text)).toEqual([values]);
    }
  });
});
