/**
 * A spill store in a private temporary folder: one file per stream, each record prefixed by its
 * length. The files hold claim keys and member ids (PHI), so the folder is readable by its owner
 * only, each stream's file is deleted as soon as it has been read, and `close` removes the rest.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { SpillStore } from '../core/engine/partitioned-merge.js';
import { ScrubError } from '../core/errors.js';
import { describeFsError } from './report-folder.js';

/** A temporary-folder failure (no room, no permission): the user's to fix, not a bug. */
export class SpillFolderError extends ScrubError {
  constructor(message: string) {
    super('SPILL_FOLDER', message);
    this.name = 'SpillFolderError';
  }
}

export interface FileSpill extends SpillStore {
  readonly folder: string;
  /**
   * Deletes the folder and everything left in it; false when that failed (the caller says so: the
   * folder holds claim data). Safe to call twice; the store is unusable afterwards.
   */
  close(): boolean;
}

export function openFileSpill(partitions: number, parent: string = tmpdir()): FileSpill {
  const folder = attempt(() => mkdtempSync(join(parent, 'scrub62323-')), parent);
  /** Streams that have a file. Each append opens and closes it: a batch may have hundreds of streams. */
  const written = new Set<string>();
  let closed = false;
  const pathOf = (stream: string) => join(folder, stream);
  const length = Buffer.alloc(4);

  return {
    folder,
    partitions,
    append(stream, record) {
      attempt(() => {
        const fd = openSync(pathOf(stream), written.has(stream) ? 'a' : 'wx', 0o600);
        written.add(stream);
        try {
          length.writeUInt32LE(record.length);
          writeFully(fd, length);
          writeFully(fd, record);
        } finally {
          closeSync(fd);
        }
      }, folder);
    },
    *records(stream, options) {
      // After close (an interrupted run) the files are gone: reading on would give a partial report.
      if (closed) throw new ScrubError('SPILL_CLOSED', 'the spill store is closed');
      const keep = options?.keep === true;
      if (!(keep ? written.has(stream) : written.delete(stream))) return;
      yield* readRecords(pathOf(stream), keep);
    },
    close() {
      closed = true;
      written.clear();
      try {
        rmSync(folder, { recursive: true, force: true });
        return true;
      } catch {
        return false;
      }
    },
  };
}

/** Writes all of `bytes`: a write may take fewer than it was given. */
function writeFully(fd: number, bytes: Uint8Array): void {
  for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done);
}

/** The records of a stream's file, in order; the file is deleted once read (or on failure), unless kept. */
function* readRecords(path: string, keep: boolean): Generator<Uint8Array> {
  const fd = attempt(() => openSync(path, 'r'), dirname(path));
  try {
    const length = Buffer.alloc(4);
    let position = 0;
    while (readExactly(fd, length, position)) {
      const record = Buffer.allocUnsafe(length.readUInt32LE(0));
      if (!readExactly(fd, record, position + 4))
        throw new ScrubError('SPILL_CUT_SHORT', `spill file ${path} is cut short`);
      position += 4 + record.length;
      yield record;
    }
  } finally {
    closeSync(fd);
    // A file that cannot be deleted now goes with the folder (close), which reports its own failure.
    if (!keep)
      try {
        rmSync(path, { force: true });
      } catch {}
  }
}

/** Fills `buffer` from `position`; false at the end of the file (and nothing read). */
function readExactly(fd: number, buffer: Buffer, position: number): boolean {
  let filled = 0;
  while (filled < buffer.length) {
    const read = readSync(fd, buffer, filled, buffer.length - filled, position + filled);
    if (read === 0) {
      if (filled === 0) return false;
      throw new ScrubError('SPILL_CUT_SHORT', 'spill file is cut short');
    }
    filled += read;
  }
  return true;
}

/** Runs a file-system step; a failure becomes one sentence naming the folder. */
function attempt<T>(step: () => T, folder: string): T {
  try {
    return step();
  } catch (error) {
    throw new SpillFolderError(`cannot use the temporary folder ${folder} (${describeFsError(error)})`);
  }
}
