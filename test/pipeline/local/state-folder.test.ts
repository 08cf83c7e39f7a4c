/** The state folder of local runs: private whatever the umask, git-ignored, one run at a time. */
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  holdStateFolder,
  STATE_FOLDER,
  StateFolderError,
  stateFolderOf,
} from '../../../functions/local/state-folder.js';

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'scrub62323-state-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

const mode = async (path: string) => (await stat(path)).mode & 0o777;

describe('holdStateFolder', () => {
  it('makes ./.scrub62323 private whatever the umask, and git-ignored', async () => {
    const path = stateFolderOf(await mkdtemp(join(folder, 'cwd-')));
    expect(path.endsWith(`/${STATE_FOLDER}`)).toBe(true);
    const umask = process.umask(0);
    try {
      const held = await holdStateFolder(path);
      expect(await mode(path)).toBe(0o700);
      expect(await mode(join(path, '.gitignore'))).toBe(0o600);
      expect(await mode(join(path, 'lock'))).toBe(0o600);
      expect(await readFile(join(path, 'lock'), 'utf8')).toBe(`${process.pid}\n`);
      await held.release();
    } finally {
      process.umask(umask);
    }
  });

  it('makes a folder that was left open private again, and keeps its own .gitignore', async () => {
    const path = join(folder, 'open', STATE_FOLDER);
    await mkdir(path, { recursive: true });
    await chmod(path, 0o755);
    await writeFile(join(path, '.gitignore'), '*\n!notes\n');
    const held = await holdStateFolder(path);
    expect(await mode(path)).toBe(0o700);
    expect(await readFile(join(path, '.gitignore'), 'utf8')).toBe('*\n!notes\n');
    await held.release();
  });

  it('is held by one run at a time, and free again once released', async () => {
    const path = join(folder, 'busy', STATE_FOLDER);
    const held = await holdStateFolder(path);
    await expect(holdStateFolder(path)).rejects.toThrow(StateFolderError);
    await held.release();
    await (await holdStateFolder(path)).release();
  });

  it('erases the history data only', async () => {
    const path = join(folder, 'erase', STATE_FOLDER);
    const held = await holdStateFolder(path);
    await mkdir(held.historyData);
    await writeFile(join(held.historyData, 'CURRENT'), 'x');
    await held.eraseHistory();
    await expect(stat(held.historyData)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await mode(join(path, '.gitignore'))).toBe(0o600);
    await held.release();
  });

  it('says in one sentence when the path is a file', async () => {
    const path = join(folder, 'file');
    await writeFile(path, '');
    await expect(holdStateFolder(path)).rejects.toThrow(
      `cannot use the state folder ${path} (a file is in the way)`,
    );
  });
});
