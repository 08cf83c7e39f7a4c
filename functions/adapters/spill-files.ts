/**
 * A spill store in a private temporary folder: one file per stream, each record prefixed by its
 * length. The files hold claim keys and member ids (PHI), so the folder is readable by its owner
 * only, each stream's file is deleted as soon as it has been read, and `close` removes the rest.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, unlinkSync, writevSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SpillStore } from '../core/engine/partitioned-merge.js';
import { describeFsError } from './report-folder.js';

/** A temporary-folder failure (no room, no permission): the user's to fix, not a bug. */
export class SpillFolderError extends Error {}

export interface FileSpill extends SpillStore {
  readonly folder: string;
  /** Deletes the folder and everything left in it. Safe to call twice. */
  close(): void;
}

export function openFileSpill(partitions: number, parent: string = tmpdir()): FileSpill {
  const folder = attempt(() => mkdtempSync(join(parent, 'scrub62323-')), parent);
  const writers = new Map<string, number>();
  const pathOf = (stream: string) => join(folder, stream);
  const finishWriting = (stream: string) => {
    const fd = writers.get(stream);
    if (fd === undefined) return;
    writers.delete(stream);
    closeSync(fd);
  };

  return {
    folder,
    partitions,
    append(stream, record) {
      attempt(() => {
        let fd = writers.get(stream);
        if (fd === undefined) {
          fd = openSync(pathOf(stream), 'wx', 0o600);
          writers.set(stream, fd);
        }
        const length = Buffer.alloc(4);
        length.writeUInt32LE(record.length);
        writevSync(fd, [length, record]);
      }, folder);
    },
    *records(stream) {
      if (!writers.has(stream)) return;
      finishWriting(stream);
      const fd = attempt(() => openSync(pathOf(stream), 'r'), folder);
      try {
        const length = Buffer.alloc(4);
        let position = 0;
        while (readExactly(fd, length, position)) {
          const record = Buffer.allocUnsafe(length.readUInt32LE(0));
          if (!readExactly(fd, record, position + 4)) throw new Error(`spill file ${stream} is cut short`);
          position += 4 + record.length;
          yield record;
        }
      } finally {
        closeSync(fd);
        unlinkSync(pathOf(stream));
      }
    },
    close() {
      for (const stream of [...writers.keys()]) finishWriting(stream);
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

/** Fills `buffer` from `position`; false at the end of the file (and nothing read). */
function readExactly(fd: number, buffer: Buffer, position: number): boolean {
  let filled = 0;
  while (filled < buffer.length) {
    const read = readSync(fd, buffer, filled, buffer.length - filled, position + filled);
    if (read === 0) {
      if (filled === 0) return false;
      throw new Error('spill file is cut short');
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
