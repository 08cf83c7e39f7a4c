/**
 * Writes a report folder to the local disk: the CLI's `check` and the local pipeline runner share it.
 *
 * A report holds claim data, so the folder is its owner's only (0700, files 0600, set explicitly:
 * the umask is not trusted). It appears whole: the files go into a hidden sibling folder
 * (`.<name>.tmp-<pid>-<random>`, same parent, so renaming it is atomic), which is renamed into place
 * once every file is written. A run that fails or is stopped removes its temporary folder and leaves
 * the old report as it was.
 *
 * Replacing an old report takes two renames: the old folder moves aside to `.<name>.old-<pid>-…`,
 * the new one moves in, then the old one is removed. They run back to back, synchronously (no signal
 * handler can run between them); only a kill -9 in that instant leaves no folder at the final path,
 * the old report aside and the new one, whole, still under its temporary name. The next write to the
 * same folder removes what a dead run left beside it.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, lstatSync, mkdtempSync, readdirSync, realpathSync, renameSync, rmSync } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { isScrubError, ScrubError } from '../core/errors.js';
/** A report folder that cannot be written or put in place: one sentence naming it. */
export class ReportFolderError extends ScrubError {
  constructor(message: string) {
    super('REPORT_FOLDER', message);
    this.name = 'ReportFolderError';
  }
}

/** Pieces of a file, rendered as they are written: text (written as UTF-8) or bytes, in any mix. */
export type FilePieces = () => Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array>;

/** A file's content: text, bytes, or pieces rendered as they are written. */
export type FileContent = string | Uint8Array | FilePieces;

/** A file named with its pieces, as the core's report assembly lists them. */
export interface FolderFile {
  readonly name: string;
  readonly pieces: FilePieces;
}

/** A list of files, written in its order; or files by name, written in key order. */
export type FolderFiles = Iterable<FolderFile> | Readonly<Record<string, FileContent>>;

export interface WriteFolderOptions {
  /**
   * Registers a synchronous cleanup to run if the process is stopped (SIGINT, SIGTERM) while the
   * folder is being written; returns what unregisters it. Without one, a stopped run may leave its
   * hidden temporary folder behind (the final folder is untouched either way).
   */
  readonly onStop?: (cleanup: () => void) => () => void;
}

const PRIVATE_FOLDER = 0o700;
const PRIVATE_FILE = 0o600;
/** What file managers drop into a folder someone opened: replaced with the report, not a reason to refuse. */
const LITTER = new Set(['.DS_Store', 'Thumbs.db', 'desktop.ini']);

/** A write that cannot go ahead for a reason of ours (not a file-system error code). */
class FolderRefused extends Error {}

function* contentsOf(files: FolderFiles): Iterable<[string, FileContent]> {
  if (Symbol.iterator in files) for (const file of files) yield [file.name, file.pieces];
  else yield* Object.entries(files);
}

/**
 * Writes the report files, one after another in the order given, and puts the folder in place at
 * `folder`, replacing an earlier report there. A failure comes back as one sentence naming the
 * folder. Files given as pieces are rendered and written one piece at a time. Parents that do not
 * exist are created private too; existing ones are left as they are.
 */
export async function writeReportFolder(
  folder: string,
  files: FolderFiles,
  options: WriteFolderOptions = {},
): Promise<void> {
  const final = finalPath(folder);
  const parent = dirname(final);
  const name = basename(final);
  let temporary: string | undefined;
  const removeTemporary = () => {
    if (temporary !== undefined) removeQuietly(temporary);
    temporary = undefined;
  };
  const unregister = options.onStop?.(removeTemporary);
  try {
    const entries = [...contentsOf(files)];
    const names = new Set(entries.map(([fileName]) => fileName));
    await mkdir(parent, { recursive: true, mode: PRIVATE_FOLDER });
    // Refused before the work, not after: a folder that is not a report is never replaced.
    refuseNonReport(final, names);
    removeLeftovers(parent, name);
    // Made and noted in one step: a stop handler never misses a folder that exists.
    const made = mkdtempSync(join(parent, `.${name}.tmp-${process.pid}-`));
    temporary = made;
    chmodSync(made, PRIVATE_FOLDER);
    for (const [fileName, content] of entries) await writePrivateFile(join(made, fileName), content);
    // A stop removed the folder while its files were being written: nothing is put in place.
    if (temporary === undefined) throw new FolderRefused('the run was stopped while it was written');
    swapIn(made, final, names);
    temporary = undefined;
  } catch (error) {
    removeTemporary();
    // Only the folder's own failures are put as folder errors; one from rendering a file (a spill
    // read, a bug) is passed on as it is.
    throw isFolderFailure(error) ? folderError(folder, error) : error;
  } finally {
    unregister?.();
  }
}

/**
 * Fails now, in the same words as the writer would later, if a report with files `names` could not
 * be put at `folder`: a file is in the way, or a folder that holds other things. Lets a long run
 * stop before its work rather than after it.
 */
export function checkReportFolder(folder: string, names: Iterable<string>): void {
  try {
    refuseNonReport(finalPath(folder), new Set(names));
  } catch (error) {
    throw folderError(folder, error);
  }
}

/** The folder refused, or a system error (an errno code such as ENOSPC), not one of our own. */
const isFolderFailure = (error: unknown): boolean =>
  error instanceof FolderRefused ||
  (!isScrubError(error) && /^E[A-Z]+$/.test(String((error as { code?: unknown } | null)?.code)));

function folderError(folder: string, error: unknown): ReportFolderError {
  const reason = error instanceof FolderRefused ? error.message : describeFsError(error);
  return new ReportFolderError(`cannot write the report folder ${folder} (${reason})`);
}

/** The absolute path to write; a symbolic link to a folder stands for that folder. */
function finalPath(folder: string): string {
  const path = resolve(folder);
  try {
    return lstatSync(path).isSymbolicLink() ? realpathSync(path) : path;
  } catch {
    return path;
  }
}

async function writePrivateFile(path: string, content: FileContent): Promise<void> {
  const file = await open(path, 'wx', PRIVATE_FILE);
  try {
    await file.chmod(PRIVATE_FILE);
    if (typeof content !== 'function') await file.writeFile(content);
    // writeFile writes a piece whole, at the current position (write may take only part of it).
    else for await (const piece of content()) await file.writeFile(piece);
  } finally {
    await file.close();
  }
}

/** Throws unless `final` is absent, or a folder holding nothing but files of a report. */
function refuseNonReport(final: string, names: ReadonlySet<string>): void {
  let isFolder: boolean;
  try {
    isFolder = lstatSync(final).isDirectory();
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return;
    throw error;
  }
  if (!isFolder) throw new FolderRefused('a file is in the way');
  const others = readdirSync(final).filter((entry) => !names.has(entry) && !LITTER.has(entry));
  if (others.length > 0) throw new FolderRefused('it holds files that are not part of a report');
}

/**
 * Renames the finished folder into place. An empty or missing final folder is replaced in one
 * rename; a report there is moved aside first and removed once the new one is in.
 */
function swapIn(temporary: string, final: string, names: ReadonlySet<string>): void {
  try {
    renameSync(temporary, final);
    return;
  } catch (error) {
    if (!isPresent(final)) throw error;
  }
  refuseNonReport(final, names);
  const aside = join(
    dirname(final),
    `.${basename(final)}.old-${process.pid}-${randomBytes(4).toString('hex')}`,
  );
  renameSync(final, aside);
  try {
    renameSync(temporary, final);
  } catch (error) {
    renameSync(aside, final);
    throw error;
  }
  removeQuietly(aside);
}

/**
 * Removes the hidden folders that runs killed outright (kill -9, a crash) left beside `name`: their
 * process is gone, and they hold claim data.
 */
function removeLeftovers(parent: string, name: string): void {
  const prefix = `.${name}.`;
  for (const entry of readdirSync(parent)) {
    if (!entry.startsWith(prefix)) continue;
    const match = /^(?:tmp|old)-(\d+)-[A-Za-z0-9]+$/.exec(entry.slice(prefix.length));
    if (match && !isRunning(Number(match[1]))) removeQuietly(join(parent, entry));
  }
}

function isRunning(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: someone else's process, alive.
    return (error as { code?: string }).code === 'EPERM';
  }
}

function isPresent(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function removeQuietly(path: string): void {
  try {
    rmSync(path, { recursive: true, force: true });
  } catch {}
}

/** A file-system error in a few words, without Node's code prefix. */
export function describeFsError(error: unknown): string {
  const code = (error as { code?: string }).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or folder';
    case 'EEXIST':
    case 'ENOTDIR':
      return 'a file is in the way';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a folder';
    case 'ENOSPC':
      return 'the disk is full';
    default:
      // A system error's code, never its message: the message may hold a path or worse.
      return code ?? 'unexpected error';
  }
}
