/**
 * Validate: one chunk message in, one part result in the work bucket; the validate that completes
 * the batch merges the report (see merge.ts). A part already stored is not recomputed, so redelivered
 * messages and retries after a crash cost a HEAD request and change nothing.
 */
import type { SQSRecord } from 'aws-lambda';
import { checkChunk } from '../core/engine/check-chunk.js';
import { asOfDayOf } from '../core/scrub.js';
import { reportKey, workKeys } from './keys.js';
import { errorFacts, PipelineError } from './log.js';
import { type CompletionOutcome, completeIfLast, type MergeDeps } from './merge.js';
import { countChunkFailed, countReport, decodeReportedBatch } from './metrics.js';
import { booksOf } from './packs.js';
import type { ObjectStore, PipelineMetrics } from './ports.js';
import { receiveCountOf, type SqsBatchHandler, sqsBatchHandler } from './sqs-batch.js';
import {
  type ChunkMessage,
  decodeChunk,
  decodeChunkMessage,
  decodeManifest,
  encodeJson,
  encodePart,
  type FailureMarker,
  type Manifest,
  PART_VERSION,
  type PartFile,
} from './work-files.js';

export interface ValidateDeps extends MergeDeps {
  readonly metrics: PipelineMetrics;
}

type Manifests = Map<string, Promise<Manifest>>;

async function manifestOf(deps: ValidateDeps, batchId: string, cache: Manifests): Promise<Manifest> {
  let pending = cache.get(batchId);
  if (!pending) {
    const key = workKeys(batchId).manifest;
    pending = deps.store.read(deps.config.workBucket, key).then((bytes) => {
      if (!bytes) throw new PipelineError('MANIFEST_MISSING', `batch ${batchId} has no manifest`);
      return decodeManifest(bytes, key);
    });
    cache.set(batchId, pending);
    // A failed read is not remembered: one S3 hiccup must not fail the batch's other records too.
    pending.catch(() => cache.delete(batchId));
  }
  return pending;
}

/** Checks one chunk and stores its part, unless an earlier delivery already did. */
async function storePart(
  deps: ValidateDeps,
  manifest: Manifest,
  index: number,
): Promise<'stored' | 'existed'> {
  const { store, config } = deps;
  const keys = workKeys(manifest.batchId);
  if (await store.exists(config.workBucket, keys.part(index))) return 'existed';
  if (!manifest.layout || !manifest.chunks.some((chunk) => chunk.index === index)) {
    throw new PipelineError(
      'NOT_IN_MANIFEST',
      `chunk ${index} is not in the manifest of ${manifest.batchId}`,
    );
  }
  const payload = await store.read(config.workBucket, keys.chunk(index));
  if (!payload) throw new PipelineError('CHUNK_MISSING', `chunk ${index} payload is missing`);
  const chunk = decodeChunk(payload, manifest.batchId, index);
  const books = booksOf(manifest);
  const partial = checkChunk(chunk, manifest.layout, { asOfDay: asOfDayOf(manifest.asOf), books });
  const part: PartFile = { version: PART_VERSION, batchId: manifest.batchId, index, partial };
  await store.write(config.workBucket, keys.part(index), encodePart(part), {
    contentType: 'application/octet-stream',
  });
  deps.logger.info('chunk checked', {
    batchId: manifest.batchId,
    chunk: index,
    checked: partial.checked,
    rejected: partial.rejected.length,
    findings: partial.findings.length,
  });
  return 'stored';
}

/** On the last receive: remember that this chunk failed for good, so the batch can still be reported. */
async function recordFailure(
  deps: ValidateDeps,
  manifest: Manifest,
  index: number,
  receiveCount: number,
  error: unknown,
): Promise<void> {
  const marker: FailureMarker = {
    version: 1,
    batchId: manifest.batchId,
    index,
    receiveCount,
    failedAt: (deps.now?.() ?? new Date()).toISOString(),
    error: errorFacts(error),
  };
  await deps.store.write(
    deps.config.workBucket,
    workKeys(manifest.batchId).failed(index),
    encodeJson(marker),
  );
  deps.logger.error('chunk failed for good: the report will list it as missing', {
    batchId: manifest.batchId,
    chunk: index,
    receiveCount,
  });
  countChunkFailed(deps.metrics);
}

/** Merges the batch if this message completes it; a report written is counted in the metrics. */
async function completeAndCount(
  deps: ValidateDeps,
  manifest: Manifest,
  owner: string,
): Promise<CompletionOutcome> {
  const summaryKey = reportKey(manifest.batchId, 'summary.json');
  let summary: string | Uint8Array | undefined;
  // The counts come from the summary.json the merge writes, as it writes it: no read of the reports
  // bucket (validate may only write there), no second request.
  const store = afterWrite(deps.store, (bucket, key, body) => {
    if (bucket === deps.config.reportsBucket && key === summaryKey) summary = body;
  });
  const outcome = await completeIfLast({ ...deps, store }, manifest, owner);
  if (outcome === 'merged') countWrittenReport(deps, manifest.batchId, summaryKey, summary);
  return outcome;
}

/**
 * Counts the report just written. The report is out and the merge marked done, so a failure here only
 * loses the counts: it is logged, never retried.
 */
function countWrittenReport(
  deps: ValidateDeps,
  batchId: string,
  key: string,
  summary: string | Uint8Array | undefined,
): void {
  try {
    if (summary === undefined) throw new PipelineError('SUMMARY_MISSING', `the merge wrote no ${key}`);
    countReport(deps.metrics, decodeReportedBatch(summary, key));
  } catch (error) {
    deps.logger.warn('report written but not counted in the metrics', { batchId, ...errorFacts(error) });
  }
}

/** The store, telling `written` about every write once it has succeeded. */
function afterWrite(
  store: ObjectStore,
  written: (bucket: string, key: string, body: string | Uint8Array) => void,
): ObjectStore {
  return {
    read: (bucket, key) => store.read(bucket, key),
    open: (bucket, key, options) => store.open(bucket, key, options),
    write: async (bucket, key, body, options) => {
      await store.write(bucket, key, body, options);
      written(bucket, key, body);
    },
    writeStream: (bucket, key, body, options) => store.writeStream(bucket, key, body, options),
    writeIfAbsent: (bucket, key, body) => store.writeIfAbsent(bucket, key, body),
    exists: (bucket, key) => store.exists(bucket, key),
    list: (bucket, prefix) => store.list(bucket, prefix),
  };
}

export interface Delivery {
  /** SQS message id: the same on every redelivery of a message, so it names the merge lock's owner. */
  readonly messageId: string;
  readonly receiveCount: number;
}

export async function processChunkMessage(
  deps: ValidateDeps,
  message: ChunkMessage,
  delivery: Delivery,
  manifests: Manifests = new Map(),
): Promise<CompletionOutcome> {
  const manifest = await manifestOf(deps, message.batchId, manifests);
  // Two messages for one chunk (a duplicated dispatch) are two owners: only one of them merges.
  const owner = `message:${delivery.messageId}`;
  if (message.kind === 'chunk') {
    try {
      await storePart(deps, manifest, message.index);
    } catch (error) {
      if (delivery.receiveCount >= deps.config.chunkMaxReceiveCount) {
        await recordFailure(deps, manifest, message.index, delivery.receiveCount, error);
        await completeAndCount(deps, manifest, owner);
      }
      throw error; // the message stays failed: retried, or moved to the DLQ after this last receive
    }
  }
  const outcome = await completeAndCount(deps, manifest, owner);
  if (outcome === 'merged') {
    deps.logger.info('batch merged', {
      batchId: message.batchId,
      ...(message.kind === 'chunk' ? { chunk: message.index } : { finalize: true }),
    });
  }
  return outcome;
}

/** The validate Lambda: SQS batch of chunk messages in, partial batch response out. */
export function createValidateHandler(deps: ValidateDeps): SqsBatchHandler {
  return sqsBatchHandler(deps, () => {
    const manifests: Manifests = new Map(); // the messages of one batch mostly share a manifest
    return (record) => validateRecord(deps, record, manifests);
  });
}

async function validateRecord(deps: ValidateDeps, record: SQSRecord, manifests: Manifests): Promise<void> {
  const receiveCount = receiveCountOf(record);
  let message: ChunkMessage | undefined;
  try {
    message = decodeChunkMessage(record.body);
    await processChunkMessage(deps, message, { messageId: record.messageId, receiveCount }, manifests);
  } catch (error) {
    deps.logger.error('chunk message failed', {
      messageId: record.messageId,
      receiveCount,
      ...(message
        ? { batchId: message.batchId, ...(message.kind === 'chunk' ? { chunk: message.index } : {}) }
        : {}),
      ...errorFacts(error),
    });
    throw error;
  }
}
