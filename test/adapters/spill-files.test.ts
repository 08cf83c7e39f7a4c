import { existsSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openFileSpill } from '../../functions/adapters/spill-files.js';

const parent = () => mkdtempSync(join(tmpdir(), 'scrub62323-spill-test-'));
const bytes = (...values: number[]) => Uint8Array.from(values);

describe('file spill store', () => {
  it('gives back each stream’s records in the order appended, across interleaved streams', () => {
    const spill = openFileSpill(3, parent());
    const big = new Uint8Array(300_000).map((_, index) => index % 251);
    spill.append('a', bytes(1, 2, 3));
    spill.append('b', bytes(9));
    spill.append('a', big);
    spill.append('a', bytes());
    expect([...spill.records('a')].map((record) => [...record.subarray(0, 3), record.length])).toEqual([
      [1, 2, 3, 3],
      [0, 1, 2, 300_000],
      [0],
    ]);
    expect([...spill.records('b')].map((record) => [...record])).toEqual([[9]]);
    expect([...spill.records('never written')]).toEqual([]);
    expect(spill.partitions).toBe(3);
    spill.close();
  });

  it('keeps order across many records, gathered and written in blocks, of every size', () => {
    const spill = openFileSpill(2, parent());
    const sizes = [0, 1, 3, 4, 5, 70_000, 262_140, 262_144, 262_149, 1_048_576, 1_500_000];
    const expected = new Map<string, number[][]>();
    let seed = 1;
    for (let round = 0; round < 40; round += 1) {
      for (const stream of ['x', 'y', 'z']) {
        seed = (seed * 48_271) % 2_147_483_647;
        const size = sizes[seed % sizes.length]!;
        const record = new Uint8Array(size).fill(round + 1);
        if (size > 0) record[size - 1] = seed % 256;
        spill.append(stream, record);
        const kept = expected.get(stream) ?? [];
        kept.push([size, record[0] ?? -1, record.at(-1) ?? -1]);
        expected.set(stream, kept);
        // The caller may reuse its bytes once append returns.
        record.fill(0);
      }
    }
    const summary = (records: Iterable<Uint8Array>) =>
      [...records].map((record) => [record.length, record[0] ?? -1, record.at(-1) ?? -1]);
    expect(summary(spill.records('y', { keep: true }))).toEqual(expected.get('y'));
    for (const stream of ['x', 'y', 'z'])
      expect(summary(spill.records(stream))).toEqual(expected.get(stream));
    expect(readdirSync(spill.folder)).toEqual([]);
    spill.close();
  });

  it('keeps its files private, deletes a stream once read, and removes the folder on close', () => {
    const spill = openFileSpill(1, parent());
    expect(statSync(spill.folder).mode & 0o777).toBe(0o700);
    spill.append('claims-0', bytes(1));
    spill.append('members-0', bytes(2));
    expect(statSync(join(spill.folder, 'claims-0')).mode & 0o777).toBe(0o600);
    expect([...spill.records('claims-0')]).toHaveLength(1);
    expect(readdirSync(spill.folder)).toEqual(['members-0']);
    expect(spill.close()).toBe(true);
    expect(existsSync(spill.folder)).toBe(false);
    expect(spill.close()).toBe(true);
    // An interrupted run must not go on to a partial report.
    expect(() => [...spill.records('members-0')]).toThrow(/spill store is closed/);
  });

  it('says in one sentence when it cannot make its folder', () => {
    const file = join(parent(), 'a-file');
    writeFileSync(file, '');
    expect(() => openFileSpill(1, file)).toThrow(
      /^cannot use the temporary folder .*a-file \(a file is in the way\)$/,
    );
  });

  it('codes its failures', () => {
    const file = join(parent(), 'a-file');
    writeFileSync(file, '');
    expect(() => openFileSpill(1, file)).toThrow(
      expect.objectContaining({ name: 'SpillFolderError', code: 'SPILL_FOLDER' }),
    );
    const spill = openFileSpill(1, parent());
    spill.append('a', bytes(1));
    spill.close();
    expect(() => [...spill.records('a')]).toThrow(expect.objectContaining({ code: 'SPILL_CLOSED' }));
  });
});
