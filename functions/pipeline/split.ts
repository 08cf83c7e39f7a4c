/**
 * Split: one upload in, chunk payloads and a manifest in the work bucket, one message per chunk on
 * the chunk queue. Idempotent per batch id: the manifest is written only after every chunk is stored
 * and the `dispatched` marker only after every message is sent, so a retry (or a duplicate event)
 * resumes from the last step that finished and never produces a second batch.
 */
import type { SQSRecord } from 'aws-lambda';
import type { RawChunk } from '../core/intake/chunk.js';
import { type IntakeResult, readBatch } from '../core/intake/reader.js';
import {
  measureUpload,
  type UploadRefusal,
  unpackedBytesEstimate,
  uploadRefusalOf,
} from '../core/intake/upload-file.js';
import type { BatchError } from '../core/report/summary.js';
import { asOfDayOf } from '../core/scrub.js';
import { batchIdOf, eventDateOf, fileNameOf } from './batch-id.js';
import { MAX_CHUNK_LINES, type SplitConfig } from './config.js';
import { workKeys } from './keys.js';
import { errorFacts, PipelineError, type PipelineLogger } from './log.js';
import { packChoiceOf, packProblemOf } from './packs.js';
import type { MessageSender, ObjectStore, OpenedObject } from './ports.js';
import { isUploadKey, parseIntakeMessage, type Upload } from './s3-event.js';
import { receiveCountOf, type SqsBatchHandler, sqsBatchHandler } from './sqs-batch.js';
import { AS_OF_METADATA, mergeShardsFor } from './topology.js';
import {
  type ChunkMessage,
  type ChunkRange,
  type DispatchedMarker,
  decodeManifest,
  encodeChunk,
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

export type SplitOutcome =
  | {
      readonly status: 'dispatched';
      readonly batchId: string;
      readonly chunks: number;
      readonly bytes: number;
    }
  | { readonly status: 'duplicate' | 'superseded'; readonly batchId: string }
  | { readonly status: 'ignored' };

export async function splitUpload(deps: SplitDeps, upload: Upload): Promise<SplitOutcome> {
  const { config, store, logger } = deps;
  if (!isUploadKey(upload.key)) {
    logger.info('upload ignored: a folder marker, or not under incoming/');
    return { status: 'ignored' };
  }
  const batchId = batchIdOf(upload);
  const keys = workKeys(batchId);
  if (await store.exists(config.workBucket, keys.dispatched)) {
    logger.info('duplicate event: batch already dispatched', { batchId });
    return { status: 'duplicate', batchId };
  }

  const stored = await store.read(config.workBucket, keys.manifest);
  let manifest: Manifest;
  if (stored) {
    manifest = decodeManifest(stored, keys.manifest); // an earlier attempt stored every chunk, then stopped
  } else {
    const written = await storeChunks(deps, upload, batchId);
    if (written === 'superseded') return { status: 'superseded', batchId };
    manifest = written;
  }

  const messages: ChunkMessage[] =
    manifest.rejection || manifest.expectedChunks === 0
      ? [{ version: 1, kind: 'finalize', batchId }]
      : manifest.chunks.map((chunk) => ({ version: 1, kind: 'chunk', batchId, index: chunk.index }));
  await deps.sender.sendAll(config.chunkQueueUrl, messages.map(encodeJson));
  await store.write(
    config.workBucket,
    keys.dispatched,
    encodeJson({ version: 1, messages: messages.length } satisfies DispatchedMarker),
  );
  logger.info('batch dispatched', {
    batchId,
    chunks: manifest.expectedChunks,
    lines: manifest.expectedLines,
    bytes: manifest.source.bytes,
    ...(manifest.rejection ? { rejection: manifest.rejection.code } : {}),
  });
  return { status: 'dispatched', batchId, chunks: manifest.expectedChunks, bytes: manifest.source.bytes };
}

/** The batch's as-of date: the upload's metadata, else its event's date (also when the metadata is not a date). */
function asOfOf(
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

async function storeChunks(
  deps: SplitDeps,
  upload: Upload,
  batchId: string,
): Promise<Manifest | 'superseded'> {
  const { config, store, logger } = deps;
  const keys = workKeys(batchId);
  // Read exactly the object the event announced: its version, or else its ETag.
  const opened = await store.open(upload.bucket, upload.key, {
    ...(upload.versionId ? { versionId: upload.versionId } : upload.eTag ? { ifMatch: upload.eTag } : {}),
  });
  if (opened === 'missing' || opened === 'changed') {
    // Overwritten or deleted since the event: the newer upload has its own event and batch.
    logger.warn('upload superseded before it was read; nothing to do', { batchId, reason: opened });
    return 'superseded';
  }

  const { asOf, asOfProblem } = asOfOf(opened.metadata, upload);
  const refused = uploadRefusalOf(fileNameOf(upload.key), opened.size ?? upload.size, config.maxUploadBytes);
  if (refused) return storeRefusal(deps, upload, batchId, { asOf, opened, refused });
  const rulePacks = await packChoiceOf(store, config.workBucket, upload.key);
  // Either refusal still reads the upload to its end: the summary gives its size and hash.
  const refusal = asOfProblem ?? packProblemOf(rulePacks);

  const ranges: ChunkRange[] = [];
  const intake: IntakeResult = await readBatch(
    opened.body,
    async (chunk: RawChunk) => {
      if (refusal) return;
      await store.write(config.workBucket, keys.chunk(chunk.index), encodeChunk(batchId, chunk));
      ranges.push({
        index: chunk.index,
        firstLine: chunk.startLines[0]!,
        lastLine: chunk.endLines[chunk.endLines.length - 1]!,
        records: chunk.startLines.length,
      });
      logger.debug('chunk stored', { batchId, chunk: chunk.index, records: chunk.startLines.length });
    },
    {
      recordsPerChunk: chunkLinesFor(opened.size ?? upload.size ?? 0, upload.key, config.chunkLines),
      maxRecords: config.maxRecords,
      maxGzipRatio: config.maxGzipRatio,
    },
  );

  const rejection: BatchError | undefined = refusal ?? intake.rejection;
  const chunks = rejection ? [] : ranges;
  const framerRejected = rejection ? 0 : intake.rejected.length;
  if (framerRejected > 0) {
    await store.write(
      config.workBucket,
      keys.rejected,
      encodeJson({ version: 1, records: intake.rejected } satisfies RejectedFile),
    );
  }
  const expectedLines = chunks.reduce((sum, chunk) => sum + chunk.records, 0) + framerRejected;
  const manifest: Manifest = {
    ...manifestHead(upload, batchId, asOf, intake),
    ...(rejection ? { rejection } : {}),
    ...(!rejection && intake.layout ? { layout: intake.layout } : {}),
    unknownColumns: rejection ? [] : (intake.layout?.unknownColumns ?? []),
    rulePacks: refusal?.code === 'BAD_RULE_PACK' ? { packs: [] } : rulePacks,
    expectedChunks: chunks.length,
    shards: rejection ? 1 : mergeShardsFor(expectedLines, config.mergeShardLines),
    expectedLines,
    framerRejected,
    chunks,
    createdAt: (deps.now?.() ?? new Date()).toISOString(),
  };
  if (!rejection && chunks.length !== intake.chunks) {
    throw new PipelineError(
      'CHUNK_COUNT_MISMATCH',
      `split stored ${chunks.length} chunks but the reader made ${intake.chunks}`,
    );
  }
  await storeManifest(deps, manifest);
  return manifest;
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

/** How every manifest begins: the batch, the object the event named and what reading it found. */
function manifestHead(
  upload: Upload,
  batchId: string,
  asOf: string,
  read: Pick<IntakeResult, 'bytes' | 'sha256' | 'gzipped' | 'encoding'>,
): Pick<Manifest, 'version' | 'batchId' | 'source' | 'eventTime' | 'asOf'> {
  return { version: 1, batchId, source: manifestSource(upload, read), eventTime: upload.eventTime, asOf };
}

async function storeManifest(deps: SplitDeps, manifest: Manifest): Promise<void> {
  await deps.store.write(deps.config.workBucket, workKeys(manifest.batchId).manifest, encodeJson(manifest), {
    contentType: 'application/json',
  });
}

/** The manifest's `source`: the object the event named, and what reading it found. */
function manifestSource(
  upload: Upload,
  read: Pick<IntakeResult, 'bytes' | 'sha256' | 'gzipped' | 'encoding'>,
): Manifest['source'] {
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
 * An upload that is no batch file (its name, empty, over the size limit): a rejected manifest, so it
 * gets a report and a notice like any refused batch. Nothing is parsed; the bytes are only hashed for
 * the summary, and an upload over the limit is not read at all (its hash stays empty).
 */
async function storeRefusal(
  deps: SplitDeps,
  upload: Upload,
  batchId: string,
  found: { asOf: string; opened: OpenedObject; refused: UploadRefusal },
): Promise<Manifest> {
  const { opened, refused } = found;
  let measured: { bytes: number; sha256: string };
  if (refused.readable) {
    measured = await measureUpload(opened.body);
  } else {
    opened.discard();
    measured = { bytes: opened.size ?? upload.size ?? 0, sha256: '' };
  }
  const manifest: Manifest = {
    ...manifestHead(upload, batchId, found.asOf, { ...measured, gzipped: false, encoding: 'utf-8' }),
    rejection: refused.error,
    unknownColumns: [],
    rulePacks: { packs: [] },
    expectedChunks: 0,
    shards: 1,
    expectedLines: 0,
    framerRejected: 0,
    chunks: [],
    createdAt: (deps.now?.() ?? new Date()).toISOString(),
  };
  await storeManifest(deps, manifest);
  deps.logger.info('upload refused: not a batch file', {
    batchId,
    code: refused.error.code,
    bytes: measured.bytes,
  });
  return manifest;
}

/**
 * The split Lambda: an SQS batch of S3 notifications in, partial batch response out. A message that
 * cannot be read, or whose upload cannot be split, is reported as failed so SQS retries it and, after
 * maxReceiveCount, moves it to the intake DLQ.
 */
export function createSplitHandler(deps: SplitDeps): SqsBatchHandler {
  const splitRecord = async (record: SQSRecord): Promise<void> => {
    try {
      const message = parseIntakeMessage(record.body);
      if (message.kind === 'test-event') {
        deps.logger.info('s3:TestEvent ignored');
        return;
      }
      for (const upload of message.uploads) await splitUpload(deps, upload);
    } catch (error) {
      deps.logger.error('intake message failed', {
        messageId: record.messageId,
        receiveCount: receiveCountOf(record),
        ...errorFacts(error),
      });
      throw error;
    }
  };
  return sqsBatchHandler(deps, () => splitRecord);
}
