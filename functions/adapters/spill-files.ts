/**
 * A spill store in a private temporary folder: one file per stream, each record prefixed by its
 * length. The files hold claim keys and member ids (PHI), so the folder is readable by its owner
 * only, each stream's file is deleted as soon as it has been read, and `close` removes the rest.
 * Appends are gathered in memory (a few MB over all streams) and written in big blocks: opening a
 * file for every record cost more than the writing.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync, writevSync } from 'node:fs';
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

/** Bytes gathered over all streams before they are written: a batch may have hundreds of streams. */
const GATHER_BYTES = 4 << 20;
/** A record this big is written at once, not gathered. */
const DIRECT_BYTES = 1 << 20;
/** Bytes read from a stream's file at a time. */
const READ_BLOCK = 1 << 18;

/** A stream's records not yet written: length prefixes and records, in order. */
interface Pending {
  readonly parts: Uint8Array[];
  bytes: number;
}

export function openFileSpill(partitions: number, parent: string = tmpdir()): FileSpill {
  const folder = attempt(() => mkdtempSync(join(parent, 'scrub62323-')), parent);
  /** Streams that have a file, and what each has gathered. */
  const written = new Map<string, Pending>();
  let gathered = 0;
  let closed = false;
  const pathOf = (stream: string) => join(folder, stream);

  /** Writes a stream's gathered records: one open, one vectored write, one close. */
  const flush = (stream: string, pending: Pending) => {
    if (pending.bytes === 0) return;
    attempt(() => {
      const fd = openSync(pathOf(stream), 'a', 0o600);
      try {
        writeAll(fd, pending.parts);
      } finally {
        closeSync(fd);
      }
    }, folder);
    gathered -= pending.bytes;
    pending.parts.length = 0;
    pending.bytes = 0;
  };
  const flushAll = () => {
    for (const [stream, pending] of written) flush(stream, pending);
  };

  return {
    folder,
    partitions,
    append(stream, record) {
      let pending = written.get(stream);
      if (pending === undefined) {
        // The file is made at once, owner-only: a folder that cannot take it fails on the first record.
        attempt(() => closeSync(openSync(pathOf(stream), 'wx', 0o600)), folder);
        pending = { parts: [], bytes: 0 };
        written.set(stream, pending);
      }
      const length = Buffer.alloc(4);
      length.writeUInt32LE(record.length);
      // A record is copied when gathered: the caller may reuse its bytes once append returns.
      pending.parts.push(
        length,
        record.length >= DIRECT_BYTES ? record : Uint8Array.prototype.slice.call(record),
      );
      pending.bytes += 4 + record.length;
      gathered += 4 + record.length;
      if (record.length >= DIRECT_BYTES) flush(stream, pending);
      else if (gathered >= GATHER_BYTES) flushAll();
    },
    *records(stream, options) {
      // After close (an interrupted run) the files are gone: reading on would give a partial report.
      if (closed) throw new ScrubError('SPILL_CLOSED', 'the spill store is closed');
      const keep = options?.keep === true;
      const pending = written.get(stream);
      if (pending === undefined) return;
      flush(stream, pending);
      if (!keep) written.delete(stream);
      yield* readRecords(pathOf(stream), keep);
    },
    close() {
      closed = true;
      written.clear();
      gathered = 0;
      try {
        rmSync(folder, { recursive: true, force: true });
        return true;
      } catch {
        return false;
      }
    },
  };
}

/** Writes all of `parts`: a write may take fewer bytes than it was given. */
function writeAll(fd: number, parts: readonly Uint8Array[]): void {
  // writev takes at most IOV_MAX (1024 on Linux) buffers at a time.
  for (let from = 0; from < parts.length; from += 1024) {
    const batch = parts.slice(from, from + 1024);
    const total = batch.reduce((sum, part) => sum + part.length, 0);
    const done = writevSync(fd, batch);
    if (done < total) writeRest(fd, batch, done);
  }
}

/** The bytes of `parts` after the first `done`, written one part at a time. */
function writeRest(fd: number, parts: readonly Uint8Array[], done: number): void {
  let skip = done;
  for (const part of parts) {
    if (skip >= part.length) {
      skip -= part.length;
      continue;
    }
    for (let at = skip; at < part.length; ) at += writeSync(fd, part, at, part.length - at);
    skip = 0;
  }
}

/**
 * The records of a stream's file, in order, each in bytes of its own; the file is deleted once read
 * (or on failure), unless kept. The file is read in blocks, not a record at a time.
 */
function* readRecords(path: string, keep: boolean): Generator<Uint8Array> {
  const fd = attempt(() => openSync(path, 'r'), dirname(path));
  try {
    const reader = new BlockReader(fd, path);
    for (let length = reader.length(); length >= 0; length = reader.length()) yield reader.take(length);
  } finally {
    closeSync(fd);
    // A file that cannot be deleted now goes with the folder (close), which reports its own failure.
    if (!keep)
      try {
        rmSync(path, { force: true });
      } catch {}
  }
}

/** A file read front to back through one block: small records are copied out of it, big ones read whole. */
class BlockReader {
  private readonly block = Buffer.allocUnsafe(READ_BLOCK);
  /** The block holds the file's bytes [position - end + start, position) at [start, end). */
  private start = 0;
  private end = 0;
  private position = 0;

  constructor(
    private readonly fd: number,
    private readonly path: string,
  ) {}

  /** The next record's length; -1 at the end of the file. */
  length(): number {
    if (!this.fill(4)) {
      if (this.end > this.start) this.cutShort();
      return -1;
    }
    const length = this.block.readUInt32LE(this.start);
    this.start += 4;
    return length;
  }

  take(length: number): Uint8Array {
    const record = Buffer.allocUnsafe(length);
    const held = Math.min(length, this.end - this.start);
    this.block.copy(record, 0, this.start, this.start + held);
    this.start += held;
    if (held === length) return record;
    if (length - held >= READ_BLOCK) {
      // A big record goes straight into its own bytes.
      for (let filled = held; filled < length; ) {
        const read = readSync(this.fd, record, filled, length - filled, this.position);
        if (read === 0) this.cutShort();
        filled += read;
        this.position += read;
      }
      return record;
    }
    if (!this.fill(length - held)) this.cutShort();
    this.block.copy(record, held, this.start, this.start + length - held);
    this.start += length - held;
    return record;
  }

  /** At least `count` bytes held (count ≤ the block), reading on as needed; false at the end of the file. */
  private fill(count: number): boolean {
    if (this.end - this.start >= count) return true;
    this.block.copy(this.block, 0, this.start, this.end);
    this.end -= this.start;
    this.start = 0;
    while (this.end < count) {
      const read = readSync(this.fd, this.block, this.end, READ_BLOCK - this.end, this.position);
      if (read === 0) return false;
      this.end += read;
      this.position += read;
    }
    return true;
  }

  private cutShort(): never {
    throw new ScrubError('SPILL_CUT_SHORT', `spill file ${this.path} is cut short`);
  }
}

/** Runs a file-system step; a failure becomes one sentence naming the folder. */
function attempt<T>(step: () => T, folder: string): T {
  try {
    return step();
  } catch (error) {
    throw new SpillFolderError(`cannot use the temporary folder ${folder} (${describeFsError(error)})`);
  }
}
