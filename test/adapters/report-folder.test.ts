import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { chmod, lstat, mkdir, mkdtemp, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkReportFolder, writeReportFolder } from '../../functions/adapters/report-folder.js';

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

describe('writeReportFolder: private, whole, in place', () => {
  const modeOf = async (path: string) => ((await stat(path)).mode & 0o777).toString(8);
  const report = (findings: string) => ({ 'findings.csv': findings, 'summary.json': '{}' });

  it('makes the folder 0700 and its files 0600 whatever the umask, and new parents 0700 too', async () => {
    const root = await mkdtemp(join(tmpdir(), 'scrub62323-folder-'));
    const folder = join(root, 'reports', 'nightly');
    const umask = process.umask(0);
    try {
      await writeReportFolder(folder, { 'a.csv': 'x', 'b.json': () => ['{', '}'] });
    } finally {
      process.umask(umask);
    }
    expect(await modeOf(folder)).toBe('700');
    expect(await modeOf(join(folder, 'a.csv'))).toBe('600');
    expect(await modeOf(join(folder, 'b.json'))).toBe('600');
    expect(await modeOf(join(root, 'reports'))).toBe('700');
  });

  it('leaves the mode of a parent that already exists as it was', async () => {
    const root = await mkdtemp(join(tmpdir(), 'scrub62323-folder-'));
    await chmod(root, 0o755);
    await writeReportFolder(join(root, 'report'), report('new'));
    expect(await modeOf(root)).toBe('755');
  });

  it('replaces an earlier report whole, leaving nothing beside it', async () => {
    const root = await mkdtemp(join(tmpdir(), 'scrub62323-folder-'));
    const folder = join(root, 'report');
    await writeReportFolder(folder, { 'findings.csv': 'old' });
    await writeFile(join(folder, '.DS_Store'), '');
    await writeReportFolder(folder, report('new'));
    expect((await readdir(folder)).sort()).toEqual(['findings.csv', 'summary.json']);
    expect(await readFile(join(folder, 'findings.csv'), 'utf8')).toBe('new');
    expect(await readdir(root)).toEqual(['report']);
  });

  it('leaves the old report untouched and no temporary folder when a file fails midway', async () => {
    const root = await mkdtemp(join(tmpdir(), 'scrub62323-folder-'));
    const folder = join(root, 'report');
    await writeReportFolder(folder, report('old'));
    const failing = {
      'findings.csv': function* () {
        yield 'half';
        throw Object.assign(new Error('disk full'), { code: 'ENOSPC' });
      },
      'summary.json': '{}',
    };
    await expect(writeReportFolder(folder, failing)).rejects.toThrow(
      /^cannot write the report folder .*report \(the disk is full\)$/,
    );
    expect(await readFile(join(folder, 'findings.csv'), 'utf8')).toBe('old');
    expect(await readdir(root)).toEqual(['report']);
  });

  it('never replaces a folder that holds other things, and says so before writing anything', async () => {
    const root = await mkdtemp(join(tmpdir(), 'scrub62323-folder-'));
    await writeFile(join(root, 'notes.txt'), 'mine');
    await expect(writeReportFolder(root, report('new'))).rejects.toThrow(
      /^cannot write the report folder .* \(it holds files that are not part of a report\)$/,
    );
    expect(await readdir(root)).toEqual(['notes.txt']);
    expect(() => checkReportFolder(root, ['findings.csv'])).toThrow(/not part of a report/);
    expect(() => checkReportFolder(join(root, 'notes.txt'), ['findings.csv'])).toThrow(
      /\(a file is in the way\)$/,
    );
    expect(() => checkReportFolder(join(root, 'absent'), ['findings.csv'])).not.toThrow();
  });

  it('writes through a symbolic link to a folder, into that folder', async () => {
    const root = await mkdtemp(join(tmpdir(), 'scrub62323-folder-'));
    await mkdir(join(root, 'target'));
    await symlink(join(root, 'target'), join(root, 'link'));
    await writeReportFolder(join(root, 'link'), report('new'));
    expect(await readFile(join(root, 'target', 'findings.csv'), 'utf8')).toBe('new');
    expect((await lstat(join(root, 'link'))).isSymbolicLink()).toBe(true);
  });

  it('removes what a run killed outright left beside the folder, not what a live run is writing', async () => {
    const root = await mkdtemp(join(tmpdir(), 'scrub62323-folder-'));
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    await mkdir(join(root, `.report.tmp-${dead}-AbC123`));
    await mkdir(join(root, `.report.old-${dead}-0a1b2c3d`));
    await mkdir(join(root, `.report.tmp-${process.ppid}-XyZ789`));
    await mkdir(join(root, `.other.tmp-${dead}-AbC123`));
    await writeReportFolder(join(root, 'report'), report('new'));
    expect((await readdir(root)).sort()).toEqual([
      `.other.tmp-${dead}-AbC123`,
      `.report.tmp-${process.ppid}-XyZ789`,
      'report',
    ]);
  });

  it('offers a cleanup for a stop mid-write that removes the temporary folder', async () => {
    const root = await mkdtemp(join(tmpdir(), 'scrub62323-folder-'));
    let cleanup: (() => void) | undefined;
    let unregistered = false;
    const seen: string[][] = [];
    const files = {
      'findings.csv': function* () {
        seen.push(readdirSync(root));
        cleanup!();
        seen.push(readdirSync(root));
        yield 'x';
      },
    };
    await expect(
      writeReportFolder(join(root, 'report'), files, {
        onStop: (registered) => {
          cleanup = registered;
          return () => {
            unregistered = true;
          };
        },
      }),
    ).rejects.toThrow(/cannot write the report folder/);
    expect(seen[0]).toEqual([expect.stringMatching(/^\.report\.tmp-\d+-\w+$/)]);
    expect(seen[1]).toEqual([]);
    expect(unregistered).toBe(true);
    expect(await readdir(root)).toEqual([]);
  });
});
