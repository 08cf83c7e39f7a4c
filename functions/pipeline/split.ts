/**
 * Split: one upload in, chunk payloads and a manifest in the work bucket, one message per chunk on
 * the chunk queue. Idempotent per batch id: the manifest is written only after every chunk is stored
 * and the `dispatched` marker only after every message is sent, so a retry (or a duplicate event)
 * resumes from the last step that finished and never produces a second batch. An upload over
 * SPLIT_RANGE_BYTES is split by byte ranges instead, by several splits at once (split-ranges.ts).
 */
import type { SQSRecord } from 'aws-lambda';
import type { RawChunk } from '../core/intake/chunk.js';
import { type IntakeResult, readBatch } from '../core/intake/reader.js';
import { measureUpload, type UploadRefusal, uploadRefusalOf } from '../core/intake/upload-file.js';
import type { BatchError } from '../core/report/summary.js';
import { batchIdOf, fileNameOf } from './batch-id.js';
import { workKeys } from './keys.js';
import { errorFacts, PipelineError } from './log.js';
import { packChoiceOf, packProblemOf } from './packs.js';
import type { OpenedObject } from './ports.js';
import { isUploadKey, parseIntakeMessage, type Upload } from './s3-event.js';
import {
  asOfOf,
  chunkLinesFor,
  chunkRangeOf,
  dispatchManifest,
  expectedLinesOf,
  manifestHead,
  type SplitDeps,
  sameObjectOf,
  storeManifest,
  storeRejected,
} from './split-manifest.js';
import { planRanges, processSplitWork, splitWholeInstead } from './split-ranges.js';
import { receiveCountOf, type SqsBatchHandler, sqsBatchHandler } from './sqs-batch.js';
import { mergeShardsFor } from './topology.js';
import {
  type ChunkRange,
  decodeManifest,
  decodeSplitWork,
  encodeChunk,
  type Manifest,
  type SplitWorkMessage,
} from './work-files.js';

export { chunkLinesFor, TARGET_MAX_CHUNKS } from './split-manifest.js';
export type { SplitDeps };

export type SplitOutcome =
  | {
      readonly status: 'dispatched';
      readonly batchId: string;
      readonly chunks: number;
      readonly bytes: number;
    }
  | { readonly status: 'planned'; readonly batchId: string; readonly ranges: number }
  | { readonly status: 'duplicate' | 'superseded'; readonly batchId: string }
  | { readonly status: 'ignored' };

export interface SplitOptions {
  /** Read the upload whole even when it is big enough for ranges (its ranges could not be joined). */
  readonly whole?: boolean;
}

export async function splitUpload(
  deps: SplitDeps,
  upload: Upload,
  options: SplitOptions = {},
): Promise<SplitOutcome> {
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
    if (!options.whole) {
      const planned = await planRanges(deps, upload, batchId);
      if (planned !== 'whole') return planned;
    }
    const written = await storeChunks(deps, upload, batchId);
    if (written === 'superseded') return { status: 'superseded', batchId };
    manifest = written;
  }
  await dispatchManifest(deps, manifest);
  return { status: 'dispatched', batchId, chunks: manifest.expectedChunks, bytes: manifest.source.bytes };
}

async function storeChunks(
  deps: SplitDeps,
  upload: Upload,
  batchId: string,
): Promise<Manifest | 'superseded'> {
  const { config, store, logger } = deps;
  const keys = workKeys(batchId);
  const opened = await store.open(upload.bucket, upload.key, sameObjectOf(upload));
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
      ranges.push(chunkRangeOf(chunk));
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
  if (framerRejected > 0) await storeRejected(deps, batchId, intake.rejected);
  const expectedLines = expectedLinesOf(chunks, framerRejected);
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
 * One piece of a ranged upload's work. A range (or the hash) that fails on its last receive goes to
 * the DLQ as any failed message does, but first has the upload split whole, so the batch still gets
 * its report.
 */
async function doSplitWork(deps: SplitDeps, work: SplitWorkMessage, record: SQSRecord): Promise<void> {
  const owner = `message:${record.messageId}`;
  try {
    const whole = await processSplitWork(deps, work, owner);
    if (whole) await splitUpload(deps, whole, { whole: true });
  } catch (error) {
    const limit = deps.config.intakeMaxReceiveCount;
    if (work.kind !== 'split-whole' && limit !== undefined && receiveCountOf(record) >= limit) {
      await splitWholeInstead(deps, work.batchId, owner).catch((fallback: unknown) =>
        deps.logger.error('could not have the upload split whole', {
          batchId: work.batchId,
          ...errorFacts(fallback),
        }),
      );
    }
    throw error;
  }
}

/**
 * The split Lambda: an SQS batch of S3 notifications (and of split work for ranged uploads) in,
 * partial batch response out. A message that cannot be read, or whose upload cannot be split, is
 * reported as failed so SQS retries it and, after maxReceiveCount, moves it to the intake DLQ.
 */
export function createSplitHandler(deps: SplitDeps): SqsBatchHandler {
  const splitRecord = async (record: SQSRecord): Promise<void> => {
    try {
      const work = decodeSplitWork(record.body);
      if (work) {
        await doSplitWork(deps, work, record);
        return;
      }
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
