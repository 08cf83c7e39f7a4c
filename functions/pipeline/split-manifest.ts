/**
 * What every way of splitting an upload shares: how its manifest begins, how it is stored, and how
 * the batch's chunk messages are sent once it is.
 */
import type { RawChunk } from '../core/intake/chunk.js';
import type { RejectedRecord } from '../core/intake/framer.js';
import type { IntakeResult } from '../core/intake/reader.js';
import { unpackedBytesEstimate } from '../core/intake/upload-file.js';
import type { BatchError } from '../core/report/summary.js';
import { asOfDayOf } from '../core/scrub.js';
import { eventDateOf, fileNameOf } from './batch-id.js';
import { MAX_CHUNK_LINES, type SplitConfig } from './config.js';
import { workKeys } from './keys.js';
import type { PipelineLogger } from './log.js';
import type { MessageSender, ObjectStore, OpenOptions } from './ports.js';
import type { Upload } from './s3-event.js';
import { AS_OF_METADATA } from './topology.js';
import {
  type ChunkMessage,
  type ChunkRange,
  type DispatchedMarker,
  encodeJson,
  type Manifest,
  type RejectedFile,
} from './work-files.js';

export interface SplitDeps {
  readonly config: SplitConfig;
  readonly store: ObjectStore;
  readonly sender: MessageSender;
  readonly logger: PipelineLogger;
  readonly now?: () => Date;
}

/** Chunks a batch is aimed to have at most: each merge shard reads a piece of every chunk's part. */
export const TARGET_MAX_CHUNKS = 1_000;
/** The fewest bytes a claim line takes: the estimate of an upload's records stays high. */
const MIN_LINE_BYTES = 64;

/**
 * Records per chunk for an upload of `bytes`: CHUNK_LINES, or more for a huge upload, so that it
 * makes about TARGET_MAX_CHUNKS chunks at most (up to MAX_CHUNK_LINES). The merge's part reads grow
 * with chunks × shards; bigger chunks keep a 100M-line batch's requests (and dollars) per line low.
 */
export function chunkLinesFor(bytes: number, key: string, chunkLines: number): number {
  const unpacked = unpackedBytesEstimate(bytes, /\.gz$/i.test(key));
  const estimatedRecords = unpacked / MIN_LINE_BYTES;
  return Math.max(chunkLines, Math.min(MAX_CHUNK_LINES, Math.ceil(estimatedRecords / TARGET_MAX_CHUNKS)));
}

/** Read exactly the object an event announced: its version, or else its ETag. */
export const sameObjectOf = (upload: Upload): OpenOptions =>
  upload.versionId ? { versionId: upload.versionId } : upload.eTag ? { ifMatch: upload.eTag } : {};

/** The manifest's entry for a chunk the reader made. */
export const chunkRangeOf = (chunk: RawChunk): ChunkRange => ({
  index: chunk.index,
  firstLine: chunk.startLines[0]!,
  lastLine: chunk.endLines[chunk.endLines.length - 1]!,
  records: chunk.startLines.length,
});

/** `counts.lines` of a complete report: records in chunks and records the framer rejected. */
export const expectedLinesOf = (chunks: readonly ChunkRange[], framerRejected: number): number =>
  chunks.reduce((sum, chunk) => sum + chunk.records, 0) + framerRejected;

/** `rejected.json`, when the framer rejected any record (they are in no chunk). */
export async function storeRejected(
  deps: SplitDeps,
  batchId: string,
  records: readonly RejectedRecord[],
): Promise<void> {
  if (records.length === 0) return;
  await deps.store.write(
    deps.config.workBucket,
    workKeys(batchId).rejected,
    encodeJson({ version: 1, records } satisfies RejectedFile),
  );
}

/** What reading an upload found, for the manifest's `source`. */
export type ReadFacts = Pick<IntakeResult, 'bytes' | 'sha256' | 'gzipped' | 'encoding'>;

/** The batch's as-of date: the upload's metadata, else its event's date (also when the metadata is not a date). */
export function asOfOf(
  metadata: Readonly<Record<string, string>>,
  upload: Upload,
): { asOf: string; asOfProblem?: BatchError } {
  const given = metadata[AS_OF_METADATA]?.trim() || undefined;
  const eventDate = eventDateOf(upload.eventTime);
  if (given === undefined) return { asOf: eventDate };
  try {
    asOfDayOf(given);
    return { asOf: given };
  } catch {
    return {
      asOf: eventDate,
      asOfProblem: {
        code: 'BAD_AS_OF',
        message: `The upload's ${AS_OF_METADATA} metadata is not a real date in YYYY-MM-DD (got "${given}").`,
      },
    };
  }
}

/** How every manifest begins: the batch, the object the event named and what reading it found. */
export function manifestHead(
  upload: Upload,
  batchId: string,
  asOf: string,
  read: ReadFacts,
): Pick<Manifest, 'version' | 'batchId' | 'source' | 'eventTime' | 'asOf'> {
  return { version: 1, batchId, source: manifestSource(upload, read), eventTime: upload.eventTime, asOf };
}

export async function storeManifest(deps: SplitDeps, manifest: Manifest): Promise<void> {
  await deps.store.write(deps.config.workBucket, workKeys(manifest.batchId).manifest, encodeJson(manifest), {
    contentType: 'application/json',
  });
}

/** The manifest's `source`: the object the event named, and what reading it found. */
function manifestSource(upload: Upload, read: ReadFacts): Manifest['source'] {
  return {
    bucket: upload.bucket,
    key: upload.key,
    ...(upload.eTag ? { eTag: upload.eTag } : {}),
    ...(upload.versionId ? { versionId: upload.versionId } : {}),
    ...(upload.sequencer ? { sequencer: upload.sequencer } : {}),
    name: fileNameOf(upload.key),
    bytes: read.bytes,
    sha256: read.sha256,
    gzipped: read.gzipped,
    encoding: read.encoding,
  };
}

/**
 * Sends a stored manifest's chunk messages (one finalize message when it has nothing to check),
 * then the `dispatched` marker: a retry before the marker sends them again, which is harmless.
 */
export async function dispatchManifest(deps: SplitDeps, manifest: Manifest): Promise<void> {
  const { config, store } = deps;
  const { batchId } = manifest;
  const messages: ChunkMessage[] =
    manifest.rejection || manifest.expectedChunks === 0
      ? [{ version: 1, kind: 'finalize', batchId }]
      : manifest.chunks.map((chunk) => ({ version: 1, kind: 'chunk', batchId, index: chunk.index }));
  await deps.sender.sendAll(config.chunkQueueUrl, messages.map(encodeJson));
  await store.write(
    config.workBucket,
    workKeys(batchId).dispatched,
    encodeJson({ version: 1, messages: messages.length } satisfies DispatchedMarker),
  );
  deps.logger.info('batch dispatched', {
    batchId,
    chunks: manifest.expectedChunks,
    lines: manifest.expectedLines,
    bytes: manifest.source.bytes,
    ...(manifest.rejection ? { rejection: manifest.rejection.code } : {}),
  });
}
