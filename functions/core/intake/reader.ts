/**
 * Reads a claim batch from a byte stream: hashes what was uploaded, gunzips when it is gzip,
 * re-encodes UTF-16 and Windows-1252 text to UTF-8, frames records, maps the header, and hands
 * chunks to the caller as they fill. Never holds the whole file. Whole-batch problems (empty, not
 * text, not comma-separated, missing columns, too large) come back as a rejection with a code and a
 * sentence; broken records come back one by one.
 */
import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { formatCount } from '../report/format.js';
import { CR, UTF8_BOM } from './chars.js';
import { ChunkBuilder, DEFAULT_CHUNK_RECORDS, type RawChunk } from './chunk.js';
import { type ColumnLayout, describeHeaderProblem, mapHeader } from './columns.js';
import { type SourceEncoding, Utf8Text } from './encoding.js';
import { DEFAULT_MAX_RECORD_BYTES, type FrameSink, RecordFramer, type RejectedRecord } from './framer.js';

export type RejectionCode =
  | 'EMPTY_FILE'
  | 'NO_RECORDS'
  | 'NOT_TEXT'
  | 'NOT_COMMA_SEPARATED'
  | 'MISSING_COLUMNS'
  | 'BAD_HEADER'
  | 'UNREADABLE_GZIP'
  | 'BATCH_TOO_LARGE';

export interface BatchRejection {
  readonly code: RejectionCode;
  readonly message: string;
}

export interface IntakeResult {
  readonly bytes: number;
  readonly sha256: string;
  readonly gzipped: boolean;
  /** The text encoding the batch was read in (chunks always carry UTF-8). */
  readonly encoding: SourceEncoding;
  /** Set when the batch as a whole was rejected: then no chunk result may be reported. */
  readonly rejection?: BatchRejection;
  readonly layout?: ColumnLayout;
  /** Records the framer rejected (the parser rejects others inside chunks). */
  readonly rejected: RejectedRecord[];
  readonly chunks: number;
  /** Header seen (for messages). */
  readonly header: readonly string[];
  /**
   * With `cutLine`: whether the records before the cut ended before it. False means one runs across
   * it, so the records read are not the file's.
   */
  readonly endsAtRecord: boolean;
}

export interface ReadOptions {
  readonly recordsPerChunk?: number;
  readonly maxRecordBytes?: number;
  /** More records than this reject the batch as BATCH_TOO_LARGE. */
  readonly maxRecords?: number;
  /** A gzip upload that unpacks to more than this many times its size is BATCH_TOO_LARGE. */
  readonly maxGzipRatio?: number;
  /**
   * The input is a byte range that runs on past its cut (core/intake/byte-range.ts): records that
   * start on or after line `cutLine()` (undefined until the cut is read) are the next range's.
   * Reading stops at the first of them, and `endsAtRecord` says whether a record ran across the cut.
   */
  readonly cutLine?: () => number | undefined;
}

export const DEFAULT_MAX_RECORDS = 100_000_000;
export const DEFAULT_MAX_GZIP_RATIO = 50;
/**
 * The gzip ratio is judged while reading only once this much has unpacked, so a small file is not
 * judged on its first bytes; once the whole upload is read, it is judged on its totals.
 */
export const GZIP_JUDGED_FROM_BYTES = 1024 * 1024;

/**
 * A limit setting as written (flag or environment variable): the number, or what is wrong with it.
 * Records are a whole number; a ratio may have a fraction. Both are at least 1.
 */
export function parseLimit(value: string, kind: 'records' | 'ratio'): number | string {
  const pattern = kind === 'records' ? /^\d+$/ : /^\d+(\.\d+)?$/;
  const parsed = Number(value);
  if (pattern.test(value.trim()) && Number.isFinite(parsed) && parsed >= 1) return parsed;
  return `must be ${kind === 'records' ? 'a whole number' : 'a number'} of at least 1 (got "${value}")`;
}

export type ChunkHandler = (chunk: RawChunk, layout: ColumnLayout) => void | Promise<void>;

const SNIFF_BYTES = 8192;
/** NULs in the first SNIFF_BYTES that make an upload binary rather than text with a damaged record. */
const BINARY_NULS = 4;

export async function readBatch(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  onChunk: ChunkHandler,
  options: ReadOptions = {},
): Promise<IntakeResult> {
  const upload = new Upload(source);
  const { gzipped, decoded } = await decode(upload);
  const text = new Utf8Text(decoded);
  const maxRecords = options.maxRecords ?? DEFAULT_MAX_RECORDS;
  const batch = new BatchSink(options.recordsPerChunk ?? DEFAULT_CHUNK_RECORDS, maxRecords, options.cutLine);
  const framer = new RecordFramer(batch, options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES);
  batch.onLayout = (layout) => framer.expectFields(layout.width);
  const ratio = options.maxGzipRatio ?? DEFAULT_MAX_GZIP_RATIO;
  // Packed bytes are counted as the gunzip reads them, which is ahead of what it has unpacked.
  const inflated = (floor: number) => gzipped && text.bytesIn > floor && text.bytesIn > ratio * upload.bytes;

  const drain = async () => {
    try {
      while (batch.pending.length > 0 && !batch.rejection)
        await onChunk(batch.pending.shift()!, batch.layout!);
    } catch (error) {
      upload.notGzipFaults.add(error);
      throw error;
    }
  };

  try {
    for await (const piece of text) {
      if (inflated(GZIP_JUDGED_FROM_BYTES)) batch.rejection ??= tooInflated(ratio);
      batch.sniff(piece);
      if (batch.rejection) break;
      framer.push(piece);
      await drain();
      if (batch.rejection || batch.pastCut) break;
    }
    if (!batch.rejection) {
      if (!batch.pastCut) framer.end();
      batch.flush();
      await drain();
    }
  } catch (error) {
    if (!gzipped || upload.notGzipFaults.has(error)) throw error;
    batch.rejection = {
      code: 'UNREADABLE_GZIP',
      message: `The file looks gzip-compressed but cannot be decompressed (${(error as Error).message}).`,
    };
  }
  // A byte range is not the upload: its reading stops here (the upload is measured on its own).
  if (options.cutLine) await upload.close();
  else await upload.readToEnd();
  if (inflated(0)) batch.rejection ??= tooInflated(ratio);

  const rejection = batch.rejection ?? batch.nothingToCheck(upload.bytes);
  return {
    bytes: upload.bytes,
    sha256: upload.hash.digest('hex'),
    gzipped,
    encoding: text.encoding,
    ...(rejection ? { rejection } : { layout: batch.layout }),
    rejected: batch.rejected,
    chunks: batch.chunksEmitted,
    header: batch.header ?? [],
    endsAtRecord: !batch.acrossCut,
  };
}

/** The upload as read: hashed and counted piece by piece. */
class Upload {
  readonly hash = createHash('sha256');
  bytes = 0;
  /** Errors that are not the gzip's fault: the upload's own read errors and the chunk handler's. */
  readonly notGzipFaults = new Set<unknown>();
  private readonly pieces: AsyncGenerator<Buffer>;

  constructor(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>) {
    this.pieces = this.counted(source);
  }

  async next(): Promise<IteratorResult<Buffer>> {
    return this.pieces.next();
  }

  /** Stops reading the source where it is. */
  async close(): Promise<void> {
    await this.pieces.return(undefined);
  }

  /** Reads the rest, so the hash and size describe the whole object however early reading stopped. */
  async readToEnd(): Promise<void> {
    while (!(await this.next()).done) {
      // hash the rest
    }
  }

  private async *counted(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): AsyncGenerator<Buffer> {
    try {
      for await (const piece of source) {
        const buffer = Buffer.isBuffer(piece)
          ? piece
          : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
        this.hash.update(buffer);
        this.bytes += buffer.length;
        yield buffer;
      }
    } catch (error) {
      this.notGzipFaults.add(error);
      throw error;
    }
  }
}

/** Whether bytes start with the gzip signature (1f 8b). */
export const hasGzipSignature = (head: Uint8Array): boolean =>
  head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;

/** The upload's text: gunzipped when it starts with the gzip signature. */
async function decode(upload: Upload): Promise<{ gzipped: boolean; decoded: AsyncIterable<Buffer> }> {
  // Gather at least the two bytes of the gzip signature, however small the first pieces are.
  let head: Buffer = Buffer.alloc(0);
  let ended = false;
  while (head.length < 2 && !ended) {
    const piece = await upload.next();
    if (piece.done) ended = true;
    else head = head.length === 0 ? piece.value : Buffer.concat([head, piece.value]);
  }
  const gzipped = hasGzipSignature(head);
  const replayed = replay(upload, head, ended);
  // pipeline, not pipe: an upload that fails mid-read must fail the gunzip too, not crash the process.
  const decoded = gzipped ? pipeline(Readable.from(replayed), createGunzip(), () => undefined) : replayed;
  return { gzipped, decoded };
}

/** The bytes read to sniff the signature, then the rest of the upload. */
async function* replay(upload: Upload, head: Buffer, ended: boolean): AsyncGenerator<Buffer> {
  if (head.length === 0) return;
  yield head;
  if (ended) return;
  // next() rather than yield*: stopping early must not close the upload stream, which is drained after.
  for (let piece = await upload.next(); !piece.done; piece = await upload.next()) yield piece.value;
}

/**
 * Takes the framer's records: the first is the header, the others go into chunks (and the ones the
 * framer rejects, into `rejected`). Once the batch is rejected as a whole, it takes nothing more.
 */
class BatchSink implements FrameSink {
  header: string[] | undefined;
  layout: ColumnLayout | undefined;
  /** Told the layout once the header is read (the framer judges multi-line records by its width). */
  onLayout: ((layout: ColumnLayout) => void) | undefined;
  rejection: BatchRejection | undefined;
  readonly rejected: RejectedRecord[] = [];
  /** Chunks filled and not yet handed to the caller. */
  readonly pending: RawChunk[] = [];
  /** Records after the header, rejected ones included. */
  private records = 0;
  /** Bytes of decoded text looked at for NUL bytes, and the NULs found in them. */
  private sniffed = 0;
  private nuls = 0;
  private readonly builder: ChunkBuilder;

  /** A record starting on or after the cut line was framed: the range's own records are all in. */
  pastCut = false;
  /** A record of this range's ends on or after the cut line. */
  acrossCut = false;

  constructor(
    recordsPerChunk: number,
    private readonly maxRecords: number,
    private readonly cutLine?: () => number | undefined,
  ) {
    this.builder = new ChunkBuilder(
      (chunk) => this.pending.push(chunk),
      (record) => this.rejected.push(record),
      recordsPerChunk,
    );
  }

  get chunksEmitted(): number {
    return this.builder.chunksEmitted;
  }

  /**
   * Rejects the batch as NOT_TEXT when its first bytes hold several NULs: binary formats (zip, xlsx,
   * images) have many in their first bytes, a text export none. A lone NUL is a damaged record, and
   * that record alone is rejected (chunk.ts), wherever it stands in the file.
   */
  sniff(piece: Buffer): void {
    if (this.sniffed >= SNIFF_BYTES) return;
    const window = piece.subarray(0, SNIFF_BYTES - this.sniffed);
    this.sniffed += window.length;
    for (let at = window.indexOf(0); at !== -1; at = window.indexOf(0, at + 1)) this.nuls += 1;
    if (this.nuls >= BINARY_NULS) this.rejection ??= notText();
  }

  frame(buffer: Buffer, start: number, end: number, startLine: number, endLine: number): void {
    if (this.rejection || this.beyondCut(startLine, endLine)) return;
    if (this.header === undefined) {
      this.readHeader(buffer.subarray(start, end));
      return;
    }
    if (this.counted()) this.builder.frame(buffer, start, end, startLine, endLine);
  }

  release(): void {
    this.builder.release();
  }

  reject(record: RejectedRecord): void {
    if (this.rejection || this.beyondCut(record.line, record.endLine)) return;
    if (this.header === undefined) {
      this.rejection = { code: 'BAD_HEADER', message: `The header line cannot be read: ${record.reason}.` };
      return;
    }
    if (this.counted()) this.rejected.push(record);
  }

  /** True for a record that is the next range's; notes one of this range's that runs across the cut. */
  private beyondCut(startLine: number, endLine: number): boolean {
    const cut = this.cutLine?.();
    if (cut === undefined) return false;
    if (startLine >= cut) this.pastCut = true;
    else if (endLine >= cut) this.acrossCut = true;
    return this.pastCut;
  }

  /** Counts one more record; false (and the batch rejected) once there are too many. */
  private counted(): boolean {
    this.records += 1;
    if (this.records <= this.maxRecords) return true;
    this.rejection = tooManyRecords(this.maxRecords);
    return false;
  }

  flush(): void {
    this.builder.flush();
  }

  /** Why a batch read without a problem still has nothing to check, if it has not. */
  nothingToCheck(uploadBytes: number): BatchRejection | undefined {
    if (this.header !== undefined) {
      return this.records === 0
        ? { code: 'NO_RECORDS', message: 'The file has a header line but no records.' }
        : undefined;
    }
    // No more bytes than a byte-order mark: empty, not blank lines.
    return uploadBytes === 0 || this.sniffed <= UTF8_BOM.length
      ? {
          code: 'EMPTY_FILE',
          message: 'The file is empty: a batch needs a header line and at least one record.',
        }
      : {
          code: 'EMPTY_FILE',
          message: 'The file holds only blank lines: a batch needs a header line and records.',
        };
  }

  private readHeader(bytes: Buffer): void {
    const parsedHeader = parseHeader(bytes);
    if ('rejection' in parsedHeader) {
      this.rejection = parsedHeader.rejection;
      return;
    }
    this.header = parsedHeader.names;
    const mapped = mapHeader(this.header);
    if (mapped.ok) {
      this.layout = mapped.layout;
      this.onLayout?.(mapped.layout);
    } else this.rejection = { code: mapped.problem.code, message: describeHeaderProblem(mapped.problem) };
  }
}

const tooManyRecords = (limit: number): BatchRejection => ({
  code: 'BATCH_TOO_LARGE',
  message: `The batch has more than ${formatCount(limit)} records, the most one batch may hold (the max-records limit: --max-records or MAX_RECORDS). Split it into smaller batches.`,
});

const tooInflated = (ratio: number): BatchRejection => ({
  code: 'BATCH_TOO_LARGE',
  message: `The gzip file unpacks to more than ${formatCount(ratio)} times its size (the max-gzip-ratio limit: --max-gzip-ratio or MAX_GZIP_RATIO); claim CSV packs about 6:1, so this is a gzip bomb or a runaway export.`,
});

const notText = (): BatchRejection => ({
  code: 'NOT_TEXT',
  message:
    'The file is not a text CSV (it holds binary data). Upload the batch as UTF-8 CSV, or gzip-compressed CSV.',
});

function parseHeader(bytes: Buffer): { names: string[] } | { rejection: BatchRejection } {
  if (!isUtf8(bytes) || bytes.includes(0)) return { rejection: notText() };
  try {
    const rows = parse(bytes.toString('utf8'), { relax_column_count: true }) as string[][];
    const names = rows[0];
    if (rows.length !== 1 || names === undefined) throw new Error('not one record');
    return { names };
  } catch {
    // Records end at LF: a file of CR-only line ends is one long header line with CRs inside.
    const message = bytes.includes(CR)
      ? 'The lines of the file end in a carriage return only (old Mac line ends); save it with LF or CRLF line ends.'
      : 'The header line is not valid CSV (check its quotes).';
    return { rejection: { code: 'BAD_HEADER', message } };
  }
}
