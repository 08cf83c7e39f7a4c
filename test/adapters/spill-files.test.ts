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
