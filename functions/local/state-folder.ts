/**
 * The state folder of local runs (`./.scrub62323/` of the working directory): the embedded history
 * store's data, kept between runs so a second run remembers the first. It holds member ids, so it is
 * private (0700) whatever the umask, and git-ignored wherever it is (its own `.gitignore`).
 *
 * One run at a time: LevelDB allows one process per folder, and a second dynalite on the same folder
 * crashes its process with an unhandled error, so a run takes the folder's `lock` (its process id)
 * first. A lock whose process is gone was left by a run that was killed, and is taken over.
 */
import { chmod, mkdir, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describeFsError } from '../adapters/report-folder.js';
import { ScrubError } from '../core/errors.js';

export const STATE_FOLDER = '.scrub62323';

/** The state folder of a working directory. */
export const stateFolderOf = (cwd: string): string => join(cwd, STATE_FOLDER);

/** The embedded history store's LevelDB folder inside a state folder. */
export const historyDataOf = (stateDir: string): string => join(stateDir, 'history');

/** The state folder cannot be used (in use, not writable): the message says why in one sentence. */
export class StateFolderError extends ScrubError {
  constructor(message: string, options?: ErrorOptions) {
    super('STATE_FOLDER', message, options);
    this.name = 'StateFolderError';
  }
}

export interface StateFolder {
  readonly path: string;
  /** Where the embedded store keeps its data. */
  readonly historyData: string;
  /** Erases the embedded store's data (`--fresh-history`); only while the folder is held. */
  eraseHistory(): Promise<void>;
  release(): Promise<void>;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but is someone else's.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

async function takeLock(path: string, folder: string): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      const handle = await open(path, 'wx', 0o600);
      try {
        await handle.writeFile(`${process.pid}\n`);
      } finally {
        await handle.close();
      }
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number((await readFile(path, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(pid) && pid > 0 && alive(pid)) {
        throw new StateFolderError(
          `the history in ${folder} is in use by another scrub62323 run (process ${pid}); run again when it has finished`,
        );
      }
      await rm(path, { force: true });
    }
  }
  throw new StateFolderError(`could not take the lock of ${folder}`);
}

/** Creates (or opens) the state folder, makes it private and takes its lock. */
export async function holdStateFolder(path: string): Promise<StateFolder> {
  try {
    await mkdir(path, { recursive: true, mode: 0o700 });
    if (!(await stat(path)).isDirectory()) throw new StateFolderError(`${path} is not a folder`);
    await chmod(path, 0o700);
    await writeFile(join(path, '.gitignore'), '# scrub62323 state: member history, never committed\n*\n', {
      mode: 0o600,
      flag: 'wx',
    }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
  } catch (error) {
    if (error instanceof StateFolderError) throw error;
    throw new StateFolderError(`cannot use the state folder ${path} (${describeFsError(error)})`, {
      cause: error,
    });
  }
  const lock = join(path, 'lock');
  await takeLock(lock, path).catch((error: unknown) => {
    if (error instanceof StateFolderError) throw error;
    throw new StateFolderError(`cannot lock the state folder ${path} (${describeFsError(error)})`, {
      cause: error,
    });
  });
  const historyData = historyDataOf(path);
  return {
    path,
    historyData,
    eraseHistory: () => rm(historyData, { recursive: true, force: true }),
    release: () => rm(lock, { force: true }),
  };
}
