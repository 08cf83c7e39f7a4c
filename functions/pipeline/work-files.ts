/**
 * The files split and validate hand each other, and the messages between them. All are versioned so
 * a deployment can tell an old file from a new one; all but the chunk payloads and part files are JSON.
 */
import { type ChunkPartial, decodePartial, encodePartial } from '../core/engine/check-chunk.js';
import type { RawChunk } from '../core/intake/chunk.js';
import type { ColumnLayout } from '../core/intake/columns.js';
import type { RejectedRecord } from '../core/intake/framer.js';
import type { BatchError } from '../core/report/summary.js';
import { PipelineError } from './log.js';

const VERSION = 1;
/**
 * Part files have their own version: 1 was JSON with four numbers per fact; 2 is bytes, with five
 * numbers per fact and each line's line_no as a number.
 */
export const PART_VERSION = 2;

/** Lines a chunk covers, for the manifest and for naming a missing chunk. */
export interface ChunkRange {
  readonly index: number;
  readonly firstLine: number;
  readonly lastLine: number;
  readonly records: number;
}

/** What split found in an upload; written after every chunk payload is stored. */
export interface Manifest {
  readonly version: 1;
  readonly batchId: string;
  readonly source: {
    readonly bucket: string;
    readonly key: string;
    readonly eTag?: string;
    readonly versionId?: string;
    readonly sequencer?: string;
    /** File name, as the summary shows it. */
    readonly name: string;
    readonly bytes: number;
    readonly sha256: string;
    readonly gzipped: boolean;
  };
  readonly eventTime: string;
  /** YYYY-MM-DD the batch is judged on. */
  readonly asOf: string;
  /** Why the whole batch was rejected (a reader code, or BAD_AS_OF). */
  readonly rejection?: BatchError;
  readonly layout?: ColumnLayout;
  readonly unknownColumns: readonly string[];
  readonly expectedChunks: number;
  /** Records in chunks plus records the framer rejected: `counts.lines` of a complete report. */
  readonly expectedLines: number;
  readonly framerRejected: number;
  readonly chunks: readonly ChunkRange[];
  readonly createdAt: string;
}

export type ChunkMessage =
  | { readonly version: 1; readonly kind: 'chunk'; readonly batchId: string; readonly index: number }
  /** For a batch with nothing to check (rejected, or every record rejected by the framer). */
  | { readonly version: 1; readonly kind: 'finalize'; readonly batchId: string };

export interface PartFile {
  readonly version: typeof PART_VERSION;
  readonly batchId: string;
  readonly index: number;
  readonly partial: ChunkPartial;
}

export interface FailureMarker {
  readonly version: 1;
  readonly batchId: string;
  readonly index: number;
  readonly receiveCount: number;
  readonly failedAt: string;
  readonly error: Readonly<Record<string, unknown>>;
}

/** The merge lock: who merges this state. A retry of the same message may take it again. */
export interface MergeLock {
  readonly version: 1;
  readonly owner: string;
  readonly takenAt: string;
}

/** The "report ready" notification (no claim data: ids, status and counts). */
export interface ReportReady {
  readonly type: 'scrub62323.report-ready';
  readonly batchId: string;
  readonly status: string;
  readonly asOf: string;
  readonly reports: { readonly bucket: string; readonly prefix: string };
  readonly source: { readonly bucket: string; readonly key: string; readonly eTag?: string };
  readonly lines: number;
  readonly findings: Readonly<Record<string, number>>;
  readonly missing?: readonly string[];
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function parseJson(bytes: Uint8Array | string, what: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('utf8'));
  } catch {
    throw new PipelineError('BAD_WORK_FILE', `the ${what} is not JSON`);
  }
  if (!isObject(parsed) || parsed.version !== VERSION) {
    throw new PipelineError('BAD_WORK_FILE', `the ${what} is not version ${VERSION}`);
  }
  return parsed;
}

export const encodeJson = (value: unknown): string => JSON.stringify(value);

export function decodeManifest(bytes: Uint8Array): Manifest {
  const parsed = parseJson(bytes, 'manifest');
  if (
    typeof parsed.batchId !== 'string' ||
    !Array.isArray(parsed.chunks) ||
    typeof parsed.asOf !== 'string'
  ) {
    throw new PipelineError('BAD_WORK_FILE', 'the manifest lacks batchId, chunks or asOf');
  }
  return parsed as unknown as Manifest;
}

/**
 * Part file: one JSON header line (version, batch id, chunk index), then the partial in the core's
 * own byte form (a JSON line, then its typed arrays as raw int32 and bytes).
 */
export const encodePart = (part: PartFile): Buffer =>
  Buffer.concat([
    Buffer.from(`${JSON.stringify({ version: part.version, batchId: part.batchId, index: part.index })}\n`),
    encodePartial(part.partial),
  ]);

export function decodePart(bytes: Uint8Array, batchId: string, index: number): PartFile {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const newline = buffer.indexOf(0x0a);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(buffer.toString('utf8', 0, newline < 0 ? buffer.length : newline));
  } catch {
    throw new PipelineError('BAD_WORK_FILE', `part ${index} has no readable header`);
  }
  if (header.version !== PART_VERSION) throw olderPart(index);
  if (newline < 0 || header.batchId !== batchId || header.index !== index) {
    throw new PipelineError('BAD_WORK_FILE', `part ${index} does not belong to this batch`);
  }
  let partial: ChunkPartial;
  try {
    partial = decodePartial(buffer.subarray(newline + 1));
  } catch {
    throw new PipelineError('BAD_WORK_FILE', `part ${index} holds no readable chunk result`);
  }
  return { version: PART_VERSION, batchId, index, partial };
}

/** A part another release wrote: its numbers cannot be read safely, so the batch must be run again. */
export const olderPart = (index: number): PipelineError =>
  new PipelineError(
    'BAD_WORK_FILE',
    `part ${index} was stored by an earlier release of scrub62323 (part format ${PART_VERSION} expected); upload the batch again`,
  );

export const decodeRejected = (bytes: Uint8Array): RejectedRecord[] =>
  (parseJson(bytes, 'rejected records file').records ?? []) as RejectedRecord[];

export const decodeLock = (bytes: Uint8Array): MergeLock =>
  parseJson(bytes, 'merge lock') as unknown as MergeLock;

export function decodeChunkMessage(body: string): ChunkMessage {
  const parsed = (() => {
    try {
      return parseJson(body, 'chunk message');
    } catch {
      throw new PipelineError('UNREADABLE_MESSAGE', 'the chunk message is not a scrub62323 chunk message');
    }
  })();
  const { kind, batchId, index } = parsed;
  if (typeof batchId !== 'string' || batchId === '') {
    throw new PipelineError('UNREADABLE_MESSAGE', 'the chunk message has no batch id');
  }
  if (kind === 'finalize') return { version: 1, kind, batchId };
  if (kind === 'chunk' && typeof index === 'number' && Number.isInteger(index) && index >= 0) {
    return { version: 1, kind, batchId, index };
  }
  throw new PipelineError('UNREADABLE_MESSAGE', 'the chunk message has no valid kind and index');
}

/**
 * Chunk payload: one JSON line (batch id, index, the physical lines of each record), then the
 * records' bytes exactly as the reader framed them. Raw bytes keep the payload as small as the input
 * and let validate parse it with the same code as the CLI.
 */
export function encodeChunk(batchId: string, chunk: RawChunk): Buffer {
  const header = JSON.stringify({
    version: VERSION,
    batchId,
    index: chunk.index,
    startLines: chunk.startLines,
    endLines: chunk.endLines,
  });
  return Buffer.concat([Buffer.from(`${header}\n`, 'utf8'), chunk.text]);
}

export function decodeChunk(bytes: Uint8Array, batchId: string, index: number): RawChunk {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const newline = buffer.indexOf(0x0a);
  if (newline < 0) throw new PipelineError('BAD_WORK_FILE', `chunk ${index} has no header line`);
  const header = parseJson(buffer.subarray(0, newline), `chunk ${index} header`);
  const { startLines, endLines } = header;
  if (
    header.batchId !== batchId ||
    header.index !== index ||
    !Array.isArray(startLines) ||
    !Array.isArray(endLines) ||
    startLines.length !== endLines.length
  ) {
    throw new PipelineError('BAD_WORK_FILE', `chunk ${index} does not belong to this batch`);
  }
  return {
    index,
    text: buffer.subarray(newline + 1),
    startLines: startLines as number[],
    endLines: endLines as number[],
  };
}

/** How a missing chunk is named in the summary. */
export const describeChunk = (range: ChunkRange): string =>
  `chunk ${range.index} (lines ${range.firstLine}-${range.lastLine}, ${range.records} records)`;
