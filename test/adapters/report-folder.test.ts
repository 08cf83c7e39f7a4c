import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeReportFolder } from '../../functions/adapters/report-folder.js';

describe('writeReportFolder', () => {
  it('writes text files and streams files given as pieces, rendering pieces only as they are written', async () => {
    const folder = join(await mkdtemp(join(tmpdir(), 'scrub62323-folder-')), 'nested', 'report');
    const rendered: number[] = [];
    function* pieces() {
      for (let index = 0; index < 3; index += 1) {
        rendered.push(index);
        yield `piece ${index}\n`;
      }
    }
    await writeReportFolder(folder, { 'a.txt': 'text', 'b.csv': pieces });
    expect(await readFile(join(folder, 'a.txt'), 'utf8')).toBe('text');
    expect(await readFile(join(folder, 'b.csv'), 'utf8')).toBe('piece 0\npiece 1\npiece 2\n');
    expect(rendered).toEqual([0, 1, 2]);
  });

  it('writes a list of files in its order, each streamed piece by piece', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'scrub62323-folder-'));
    const written: string[] = [];
    const file = (name: string, text: string) => ({
      name,
      pieces: function* () {
        written.push(name);
        yield* text.split(' ');
      },
    });
    await writeReportFolder(folder, [file('b.csv', 'b 1 2'), file('a.json', '{} ')]);
    expect(written).toEqual(['b.csv', 'a.json']);
    expect(await readFile(join(folder, 'b.csv'), 'utf8')).toBe('b12');
    expect(await readFile(join(folder, 'a.json'), 'utf8')).toBe('{}');
    expect((await readdir(folder)).sort()).toEqual(['a.json', 'b.csv']);
  });

  it('names the folder it cannot write in one sentence', async () => {
    const blocker = join(await mkdtemp(join(tmpdir(), 'scrub62323-folder-')), 'blocker');
    await writeFile(blocker, '');
    await expect(writeReportFolder(join(blocker, 'report'), { 'a.txt': () => ['x'] })).rejects.toThrow(
      /^cannot write the report folder .*blocker\/report \(a file is in the way\)$/,
    );
  });
});
