/** The merge's compact tables: exact answers however big they grow (pages, rehashes, long lists). */
import { describe, expect, it } from 'vitest';
import { Int32Pages } from '../../../functions/core/memory/int-pages.js';
import { LineNumberIndex } from '../../../functions/core/memory/line-number-index.js';
import { CELL, cellText, KEY_CELLS, KeyPacker } from '../../../functions/core/memory/packed-keys.js';
import { StringTable } from '../../../functions/core/memory/string-table.js';
import { seeded } from '../../support/random.js';

describe('Int32Pages', () => {
  it('reads 0 where nothing was written, and every value written, across pages', () => {
    const column = new Int32Pages();
    expect(column.get(123_456)).toBe(0);
    for (let index = 0; index < 100_000; index += 7) column.set(index, index * 3 - 5);
    for (let index = 0; index < 100_000; index += 7) expect(column.get(index)).toBe(index * 3 - 5);
    expect(column.get(1)).toBe(0);
    column.set(5, -2_147_483_648);
    expect(column.get(5)).toBe(-2_147_483_648);
  });
});

describe('StringTable', () => {
  it('gives each distinct key one id, in insertion order, and gives the key back', () => {
    const table = new StringTable();
    expect(table.intern('CLM1')).toBe(0);
    expect(table.intern('')).toBe(1);
    expect(table.intern('clm1')).toBe(2);
    expect(table.intern('CLM1')).toBe(0);
    expect(table.intern('')).toBe(1);
    expect(table.intern('café 😀')).toBe(3);
    expect([0, 1, 2, 3].map((id) => table.keyOf(id))).toEqual(['CLM1', '', 'clm1', 'café 😀']);
    expect(table.size).toBe(4);
  });

  it('stays exact through rehashes and keys that cross arena pages', () => {
    const random = seeded(7);
    const table = new StringTable();
    const keys: string[] = [];
    // ~3 MB of keys of mixed length: many page boundaries fall inside a key.
    for (let index = 0; index < 200_000; index += 1) {
      const pad = 'x'.repeat(random.int(20));
      keys.push(`K${index}${pad}`);
    }
    keys.push('y'.repeat(70_000));
    keys.forEach((key, id) => {
      expect(table.intern(key)).toBe(id);
    });
    for (let round = 0; round < 20_000; round += 1) {
      const id = random.int(keys.length);
      expect(table.intern(keys[id]!)).toBe(id);
      expect(table.keyOf(id)).toBe(keys[id]);
    }
    expect(table.keyOf(keys.length - 1)).toBe(keys.at(-1));
    expect(table.size).toBe(keys.length);
  });

  it('answers a repeat of the key before at once, and never confuses it with a neighbour', () => {
    const table = new StringTable();
    const long = 'z'.repeat(300_000); // crosses an arena page
    const sequence = ['', '', 'CLM1', 'CLM1', 'CLM', 'CLM2', 'CLM2', long, long, 'CLM1', '', long];
    const expected = [0, 0, 1, 1, 2, 3, 3, 4, 4, 1, 0, 4];
    expect(sequence.map((key) => table.intern(key))).toEqual(expected);
    // Repeats on either side of the index growing (past 1024 slots at 70% load).
    for (let index = 0; index < 2_000; index += 1) {
      const key = `M${index}`;
      expect(table.intern(key)).toBe(5 + index);
      expect(table.intern(key)).toBe(5 + index);
    }
    expect(table.intern(long)).toBe(4);
    expect(table.keyOf(4)).toBe(long);
    expect(table.size).toBe(2_005);
  });

  it('interns from bytes the same as from text', () => {
    const table = new StringTable();
    const bytes = Buffer.from('..M123..é..');
    expect(table.internBytes(bytes, 2, 6)).toBe(table.intern('M123'));
    expect(table.internBytes(bytes, 8, 10)).toBe(table.intern('é'));
  });
});

describe('LineNumberIndex', () => {
  it('finds the entry of each (claim, number) pair and its first line', () => {
    const index = new LineNumberIndex();
    expect(index.find(0, 1)).toBe(-1);
    const first = index.add(0, 1, 10);
    index.add(1, 1, 11);
    index.add(0, 2, 12);
    expect(index.find(0, 1)).toBe(first);
    expect(index.firstLine(index.find(1, 1))).toBe(11);
    expect(index.find(1, 2)).toBe(-1);
    index.setFirstLine(first, 3);
    expect(index.firstLine(index.find(0, 1))).toBe(3);
  });

  it('stays exact for a claim with thousands of lines (its list becomes a map)', () => {
    const index = new LineNumberIndex();
    for (let number = 1; number <= 5_000; number += 1) {
      expect(index.find(7, number)).toBe(-1);
      index.add(7, number, 100 + number);
      if (index.find(8, number % 3) < 0) index.add(8, number % 3, number);
    }
    for (let number = 1; number <= 5_000; number += 1)
      expect(index.firstLine(index.find(7, number))).toBe(100 + number);
    expect(index.find(7, 5_001)).toBe(-1);
  });
});

describe('KeyPacker', () => {
  it('hands out keys that stay as they were while the next packers reuse the room, and grows for wide cells', () => {
    const first = new KeyPacker(2, 16);
    for (const text of ['CLM1', '1', 'M1', '', '2026-01-05', '62323', '1150.00', '1234567893', 'Acme'])
      first.cell(text);
    const keys = first.finish();
    const second = new KeyPacker(1, 8);
    const wide = `Ünïcode ${'p'.repeat(500)}`;
    for (const text of ['CLM2', '2', 'M2', 'm2', '2026-02-01', '99213', '80.00', '1234567893', wide])
      second.cell(text);
    const secondKeys = second.finish();
    expect(KEY_CELLS.map((_, cell) => cellText(keys, 0, cell))).toEqual([
      'CLM1',
      '1',
      'M1',
      '',
      '2026-01-05',
      '62323',
      '1150.00',
      '1234567893',
      'Acme',
    ]);
    expect(cellText(secondKeys, 0, CELL.payer)).toBe(wide);
    expect(cellText(secondKeys, 0, CELL.memberId)).toBe('m2');
  });
});
