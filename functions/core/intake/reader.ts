/**
 * Reads a claim batch from a byte stream: hashes what was uploaded, gunzips when it is gzip, frames
 * records, maps the header, and hands chunks to the caller as they fill. Never holds the whole file.
 * Whole-batch problems (empty, not text, not comma-separated, missing columns) come back as a
 * rejection with a code and a sentence; broken records come back one by one.
 */
import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { ChunkBuilder, DEFAULT_CHUNK_RECORDS, type RawChunk } from './chunk.js';
import { type ColumnLayout, describeHeaderProblem, mapHeader } from './columns.js';
import { DEFAULT_MAX_RECORD_BYTES, type FrameSink, RecordFramer, type RejectedRecord } from './framer.js';

export type RejectionCode =
  | 'EMPTY_FILE'
  | 'NO_RECORDS'
  | 'NOT_TEXT'
  | 'NOT_COMMA_SEPARATED'
  | 'MISSING_COLUMNS'
  | 'BAD_HEADER'
  | 'UNREADABLE_GZIP';

export interface BatchRejection {
  readonly code: RejectionCode;
  readonly message: string;
}

export interface IntakeResult {
  readonly bytes: number;
  readonly sha256: string;
  readonly gzipped: boolean;
  /** Set when the batch as a whole was rejected: then no chunk result may be reported. */
  readonly rejection?: BatchRejection;
  readonly layout?: ColumnLayout;
  /** Records the framer rejected (the parser rejects others inside chunks). */
  readonly rejected: RejectedRecord[];
  readonly chunks: number;
  /** Header seen (for messages). */
  readonly header: readonly string[];
}

export interface ReadOptions {
  readonly recordsPerChunk?: number;
  readonly maxRecordBytes?: number;
}

export type ChunkHandler = (chunk: RawChunk, layout: ColumnLayout) => void | Promise<void>;

const SNIFF_BYTES = 8192;

export async function readBatch(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  onChunk: ChunkHandler,
  options: ReadOptions = {},
): Promise<IntakeResult> {
  const hash = createHash('sha256');
  let bytes = 0;
  /** Errors that are not the gzip's fault: the upload's own read errors and the chunk handler's. */
  const notGzipFaults = new Set<unknown>();
  async function* counted(): AsyncGenerator<Buffer> {
    try {
      for await (const piece of source) {
        const buffer = Buffer.isBuffer(piece)
          ? piece
          : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
        hash.update(buffer);
        bytes += buffer.length;
        yield buffer;
      }
    } catch (error) {
      notGzipFaults.add(error);
      throw error;
    }
  }
  const raw = counted();
  const next = async (): Promise<IteratorResult<Buffer>> => raw.next();
  // Gather at least the two bytes of the gzip signature, however small the first pieces are.
  let head: Buffer = Buffer.alloc(0);
  let ended = false;
  while (head.length < 2 && !ended) {
    const piece = await next();
    if (piece.done) ended = true;
    else head = head.length === 0 ? piece.value : Buffer.concat([head, piece.value]);
  }
  const gzipped = head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
  async function* replay(): AsyncGenerator<Buffer> {
    if (head.length === 0) return;
    yield head;
    if (ended) return;
    // next() rather than yield*: stopping early must not close the upload stream, which is drained below.
    for (let piece = await next(); !piece.done; piece = await next()) yield piece.value;
  }
  // pipeline, not pipe: an upload that fails mid-read must fail the gunzip too, not crash the process.
  const decoded: AsyncIterable<Buffer> = gzipped
    ? pipeline(Readable.from(replay()), createGunzip(), () => undefined)
    : replay();

  const rejected: RejectedRecord[] = [];
  const pending: RawChunk[] = [];
  let header: string[] | undefined;
  let layout: ColumnLayout | undefined;
  let rejection: BatchRejection | undefined;
  let records = 0;
  let sniffed = 0;

  const builder = new ChunkBuilder(
    (chunk) => pending.push(chunk),
    (record) => rejected.push(record),
    options.recordsPerChunk ?? DEFAULT_CHUNK_RECORDS,
  );
  const sink: FrameSink = {
    frame(buffer, start, end, startLine, endLine) {
      if (rejection) return;
      if (header === undefined) {
        const parsedHeader = parseHeader(buffer.subarray(start, end));
        if ('rejection' in parsedHeader) {
          rejection = parsedHeader.rejection;
          return;
        }
        header = parsedHeader.names;
        const mapped = mapHeader(header);
        if (mapped.ok) layout = mapped.layout;
        else rejection = { code: mapped.problem.code, message: describeHeaderProblem(mapped.problem) };
        return;
      }
      records += 1;
      builder.frame(buffer, start, end, startLine, endLine);
    },
    reject(record) {
      if (rejection) return;
      if (header === undefined) {
        rejection = { code: 'BAD_HEADER', message: `The header line cannot be read: ${record.reason}.` };
        return;
      }
      records += 1;
      rejected.push(record);
    },
  };
  const framer = new RecordFramer(sink, options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES);

  const drain = async () => {
    try {
      while (pending.length > 0 && !rejection) await onChunk(pending.shift()!, layout!);
    } catch (error) {
      notGzipFaults.add(error);
      throw error;
    }
  };

  try {
    for await (const piece of decoded) {
      if (sniffed < SNIFF_BYTES) {
        const window = piece.subarray(0, SNIFF_BYTES - sniffed);
        sniffed += window.length;
        if (window.includes(0)) rejection ??= notText();
      }
      if (rejection) break;
      framer.push(piece);
      await drain();
      if (rejection) break;
    }
    if (!rejection) {
      framer.end();
      builder.flush();
      await drain();
    }
  } catch (error) {
    if (!gzipped || notGzipFaults.has(error)) throw error;
    rejection = {
      code: 'UNREADABLE_GZIP',
      message: `The file looks gzip-compressed but cannot be decompressed (${(error as Error).message}).`,
    };
  }
  // Finish reading the upload so the hash and size describe the whole object.
  while (!(await next()).done) {
    // hash the rest
  }

  if (!rejection) {
    if (header === undefined) {
      rejection =
        bytes === 0 || sniffed <= 3
          ? {
              code: 'EMPTY_FILE',
              message: 'The file is empty: a batch needs a header line and at least one record.',
            }
          : {
              code: 'EMPTY_FILE',
              message: 'The file holds only blank lines: a batch needs a header line and records.',
            };
    } else if (records === 0) {
      rejection = { code: 'NO_RECORDS', message: 'The file has a header line but no records.' };
    }
  }

  return {
    bytes,
    sha256: hash.digest('hex'),
    gzipped,
    ...(rejection ? { rejection } : { layout }),
    rejected,
    chunks: builder.chunksEmitted,
    header: header ?? [],
  };
}

const notText = (): BatchRejection => ({
  code: 'NOT_TEXT',
  message:
    'The file is not a text CSV (it holds binary data). Upload the batch as UTF-8 CSV, or gzip-compressed CSV.',
});

function parseHeader(bytes: Buffer): { names: string[] } | { rejection: BatchRejection } {
  if (!isUtf8(bytes)) return { rejection: notText() };
  try {
    const rows = parse(bytes.toString('utf8'), { relax_column_count: true }) as string[][];
    const names = rows[0];
    if (rows.length !== 1 || names === undefined) throw new Error('not one record');
    return { names };
  } catch {
    return {
      rejection: { code: 'BAD_HEADER', message: 'The header line is not valid CSV (check its quotes).' },
    };
  }
}
