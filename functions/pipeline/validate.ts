/**
 * Validate: one chunk message in, one part (the chunk's result cut into the batch's merge shards) in
 * the work bucket; the validate that completes the batch sends its shards to the merge queue (see
 * merge.ts). A part already stored is not recomputed, so redelivered messages and retries after a
 * crash cost a HEAD request and change nothing.
 */
import type { SQSRecord } from 'aws-lambda';
import type { ValidateConfig } from './config.js';
import { workKeys } from './keys.js';
import { errorFacts, PipelineError } from './log.js';
import { type CompletionDeps, type CompletionOutcome, completeIfLast } from './merge.js';
import { countChunkFailed } from './metrics.js';
import { checkAndStorePart } from './parts.js';
import type { PipelineMetrics } from './ports.js';
import { receiveCountOf, type SqsBatchHandler, sqsBatchHandler } from './sqs-batch.js';
import {
  type ChunkMessage,
  decodeChunkMessage,
  decodeManifest,
  encodeJson,
  type FailureMarker,
  type Manifest,
} from './work-files.js';

export interface ValidateDeps extends CompletionDeps {
  readonly config: ValidateConfig;
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
  if (await store.exists(config.workBucket, workKeys(manifest.batchId).part(index))) return 'existed';
  const partial = await checkAndStorePart(store, config.workBucket, manifest, index);
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

export interface Delivery {
  /** SQS message id: the same on every redelivery of a message, so it names the dispatch lock's owner. */
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
  // Two messages for one chunk (a duplicated dispatch) are two owners: only one of them dispatches.
  const owner = `message:${delivery.messageId}`;
  if (message.kind === 'chunk') {
    try {
      await storePart(deps, manifest, message.index);
    } catch (error) {
      if (delivery.receiveCount >= deps.config.chunkMaxReceiveCount) {
        await recordFailure(deps, manifest, message.index, delivery.receiveCount, error);
        await completeIfLast(deps, manifest, owner);
      }
      throw error; // the message stays failed: retried, or moved to the DLQ after this last receive
    }
  }
  const outcome = await completeIfLast(deps, manifest, owner);
  if (outcome === 'dispatched') {
    deps.logger.info('batch checked: merge shards sent', {
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
