/**
 * Byte-range splitting: an upload over SPLIT_RANGE_BYTES is split by several split invocations at
 * once, one byte range each, so no single function reads the whole of a very large upload's records
 * (core/intake/byte-range.ts says how neighbouring ranges meet at a line end).
 *
 * 1. The split the S3 event reaches plans: it reads the upload's first bytes (the header line),
 *    writes `split/plan.json`, sends one `split-range` message per range and one `split-hash` to its
 *    own queue, then writes `split/planned`.
 * 2. Each range's split stores its chunks and `split/ranges/NNNNNN.json`. The hash's split reads the
 *    upload through for the summary's size and SHA-256 (a hash cannot be shared out) into
 *    `split/hash.json`.
 * 3. Whichever finishes last joins them. Each writes its own result before it lists, and S3 lists are
 *    strongly consistent, so the last one sees every result; several may, and the assembly lock
 *    (merge.ts's takeLock: a conditional write naming the SQS message) lets one of them write the
 *    manifest, with every range's chunks numbered in upload order, and send the chunk messages as a
 *    whole split does. When the ranges cannot be joined (a quoted record runs across a cut, ranges
 *    read in different encodings, a range was rejected), it sends `split-whole` instead, and one
 *    split reads the upload whole as it reads a smaller one: the report is the same either way.
 *
 * A range (or the hash) that fails on its last receive has the upload split whole before its
 * message goes to the intake DLQ, so the batch still gets its report (splitWholeInstead).
 */
import { isUtf8 } from 'node:buffer';
import { byteRangesOf, RangeLines, readFromOf } from '../core/intake/byte-range.js';
import { LF, QUOTE, UTF8_BOM } from '../core/intake/chars.js';
import type { RawChunk } from '../core/intake/chunk.js';
import { detectEncoding } from '../core/intake/encoding.js';
import { isBlank, type RejectedRecord } from '../core/intake/framer.js';
import { hasGzipSignature, readBatch } from '../core/intake/reader.js';
import { measureUpload, uploadRefusalOf } from '../core/intake/upload-file.js';
import { fileNameOf } from './batch-id.js';
import { workKeys } from './keys.js';
import { PipelineError } from './log.js';
import { type LockKind, staleLockMsOf, takeLock } from './merge.js';
import { packChoiceOf, packProblemOf } from './packs.js';
import type { ObjectStore, OpenedObject } from './ports.js';
import type { Upload } from './s3-event.js';
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
import { MAX_SPLIT_RANGES, mergeShardsFor } from './topology.js';
import {
  type ChunkRange,
  decodeManifest,
  decodeRangeResult,
  decodeSplitHash,
  decodeSplitPlan,
  encodeChunk,
  encodeJson,
  type Manifest,
  type RangeResult,
  type SplitHash,
  type SplitPlan,
  type SplitWorkMessage,
} from './work-files.js';

/** The first bytes the planner reads: the header line must end inside them. */
export const HEAD_BYTES = 64 * 1024;

/**
 * The header line (with its line end, without a byte-order mark) of an upload that starts with
 * `head`, when byte ranges can be read after it as they are read in the whole file: plain UTF-8 text
 * (a UTF-16 or Windows-1252 file, or gzip, is read whole), a first line that is the header (not blank:
 * the reader would take the next line as the header) and ends inside `head`, holding no quote (so
 * the line end is the header's end).
 */
export function rangeableHeaderOf(head: Buffer): string | undefined {
  if (hasGzipSignature(head) || detectEncoding(head, false) !== 'utf-8') return undefined;
  const bom = head.subarray(0, UTF8_BOM.length).equals(UTF8_BOM) ? UTF8_BOM.length : 0;
  const newline = head.indexOf(LF, bom);
  if (newline < 0 || isBlank(head, bom, newline)) return undefined;
  const line = head.subarray(bom, newline + 1);
  if (line.includes(QUOTE) || line.includes(0) || !isUtf8(line)) return undefined;
  return line.toString('utf8');
}

async function bytesOf(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const pieces: Buffer[] = [];
  for await (const piece of body) pieces.push(Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength));
  return Buffer.concat(pieces);
}

export type Planned =
  | { readonly status: 'planned'; readonly batchId: string; readonly ranges: number }
  | { readonly status: 'duplicate' | 'superseded'; readonly batchId: string }
  | 'whole';

/**
 * Plans a big upload's byte ranges and sends them to split's queue, or says to read it `whole`:
 * it is small, gzip, not plain UTF-8, refused, or the deployment has no queue to send ranges to.
 */
export async function planRanges(deps: SplitDeps, upload: Upload, batchId: string): Promise<Planned> {
  const { config, store, logger } = deps;
  const queue = config.intakeQueueUrl;
  if (!queue || (upload.size ?? 0) <= config.splitRangeBytes || /\.gz$/i.test(upload.key)) return 'whole';
  const keys = workKeys(batchId);
  if (await store.exists(config.workBucket, keys.splitPlanned)) {
    logger.info('duplicate event: byte ranges already sent', { batchId });
    return { status: 'duplicate', batchId };
  }
  let plan = await readPlan(deps, batchId);
  if (!plan) {
    const made = await makePlan(deps, upload, batchId);
    if (made === 'whole') return made;
    if (made === 'superseded') {
      logger.warn('upload superseded before it was read; nothing to do', { batchId });
      return { status: made, batchId };
    }
    plan = made;
    await store.write(config.workBucket, keys.splitPlan, encodeJson(plan));
  }
  const messages: SplitWorkMessage[] = [
    ...plan.ranges.map((range) => ({
      version: 1 as const,
      kind: 'split-range' as const,
      batchId,
      range: range.index,
    })),
    { version: 1, kind: 'split-hash', batchId },
  ];
  await deps.sender.sendAll(queue, messages.map(encodeJson));
  await store.write(
    config.workBucket,
    keys.splitPlanned,
    encodeJson({ version: 1, messages: messages.length }),
  );
  logger.info('upload planned: byte ranges sent', { batchId, ranges: plan.ranges.length, bytes: plan.size });
  return { status: 'planned', batchId, ranges: plan.ranges.length };
}

async function makePlan(
  deps: SplitDeps,
  upload: Upload,
  batchId: string,
): Promise<SplitPlan | 'whole' | 'superseded'> {
  const { config, store } = deps;
  const opened = await store.open(upload.bucket, upload.key, {
    ...sameObjectOf(upload),
    range: { start: 0, end: HEAD_BYTES },
  });
  if (opened === 'missing' || opened === 'changed') return 'superseded';
  const head = await bytesOf(opened.body);
  const size = opened.size ?? upload.size ?? 0;
  const { asOf, asOfProblem } = asOfOf(opened.metadata, upload);
  // A refused upload, or one a rule pack problem rejects, is answered by the whole split's own path.
  if (asOfProblem || uploadRefusalOf(fileNameOf(upload.key), size, config.maxUploadBytes)) return 'whole';
  const header = rangeableHeaderOf(head);
  if (header === undefined || size <= config.splitRangeBytes) return 'whole';
  const rulePacks = await packChoiceOf(store, config.workBucket, upload.key);
  if (packProblemOf(rulePacks)) return 'whole';
  return {
    version: 1,
    batchId,
    upload: { ...upload, size },
    size,
    asOf,
    rulePacks,
    header,
    recordsPerChunk: chunkLinesFor(size, upload.key, config.chunkLines),
    ranges: byteRangesOf(size, config.splitRangeBytes, MAX_SPLIT_RANGES).map((range, index) => ({
      index,
      start: range.start,
      end: range.end,
    })),
    createdAt: (deps.now?.() ?? new Date()).toISOString(),
  };
}

async function readPlan(deps: SplitDeps, batchId: string): Promise<SplitPlan | undefined> {
  const key = workKeys(batchId).splitPlan;
  const bytes = await deps.store.read(deps.config.workBucket, key);
  return bytes ? decodeSplitPlan(bytes, key) : undefined;
}

/**
 * Does one piece of split work. Returns the upload when it must be split whole (a `split-whole`
 * message): the caller owns that path.
 */
export async function processSplitWork(
  deps: SplitDeps,
  message: SplitWorkMessage,
  owner: string,
): Promise<Upload | undefined> {
  const plan = await readPlan(deps, message.batchId);
  if (!plan) {
    throw new PipelineError('PLAN_MISSING', `batch ${message.batchId} has no byte-range plan`);
  }
  if (message.kind === 'split-whole') return plan.upload;
  const done =
    message.kind === 'split-range'
      ? await splitRange(deps, plan, message.range)
      : await hashUpload(deps, plan);
  if (done) await assembleIfLast(deps, plan, owner);
  return undefined;
}

/** Reads, frames and stores one range's chunks, then its result; false when the upload is gone. */
async function splitRange(deps: SplitDeps, plan: SplitPlan, index: number): Promise<boolean> {
  const { config, store, logger } = deps;
  const { batchId } = plan;
  const keys = workKeys(batchId);
  if (await store.exists(config.workBucket, keys.rangeResult(index))) return true;
  const planned = plan.ranges[index];
  if (!planned) throw new PipelineError('NOT_IN_PLAN', `range ${index} is not in the plan of ${batchId}`);
  const range = { start: planned.start, end: planned.end, last: index === plan.ranges.length - 1 };
  const opened = await openPlanned(deps, plan, { start: readFromOf(range) });
  if (!opened) return false;
  const lines = new RangeLines(opened.body, range);
  const chunks: ChunkRange[] = [];
  const intake = await readBatch(
    index === 0 ? lines : withHeader(plan.header, lines),
    async (chunk: RawChunk) => {
      await store.write(config.workBucket, keys.rangeChunk(index, chunk.index), encodeChunk(batchId, chunk));
      chunks.push(chunkRangeOf(chunk));
    },
    {
      recordsPerChunk: plan.recordsPerChunk,
      maxRecords: config.maxRecords,
      // The first line after the cut, counted as this reader counts: after the header line it was given.
      ...(range.last
        ? {}
        : { cutLine: () => (lines.pastCut ? lines.lineFeeds + (index === 0 ? 1 : 2) : undefined) }),
    },
  );
  // A range may hold no record (blank lines, or none at all): the join judges the batch as a whole.
  const rejection = intake.rejection?.code === 'NO_RECORDS' ? undefined : intake.rejection;
  const result: RangeResult = {
    version: 1,
    batchId,
    range: index,
    lineFeeds: lines.lineFeeds,
    encoding: intake.encoding,
    endsAtRecord: intake.endsAtRecord,
    ...(rejection ? { rejection } : {}),
    ...(intake.layout ? { layout: intake.layout } : {}),
    chunks: rejection ? [] : chunks,
    rejected: rejection ? [] : intake.rejected,
  };
  await store.write(config.workBucket, keys.rangeResult(index), encodeJson(result));
  logger.info('range split', { batchId, range: index, chunks: chunks.length, bytes: lines.bytes });
  return true;
}

async function* withHeader(header: string, lines: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  yield Buffer.from(header, 'utf8');
  yield* lines;
}

/** The planned upload (bytes from `range.start` on, when given); undefined, and said, when it is gone. */
async function openPlanned(
  deps: SplitDeps,
  plan: SplitPlan,
  range?: { readonly start: number },
): Promise<OpenedObject | undefined> {
  const { upload } = plan;
  const opened = await deps.store.open(upload.bucket, upload.key, {
    ...sameObjectOf(upload),
    ...(range ? { range } : {}),
  });
  if (opened !== 'missing' && opened !== 'changed') return opened;
  deps.logger.warn('upload superseded while its ranges were split; nothing to do', {
    batchId: plan.batchId,
    reason: opened,
  });
  return undefined;
}

/** Measures the whole upload for the summary; false when it is gone. */
async function hashUpload(deps: SplitDeps, plan: SplitPlan): Promise<boolean> {
  const { config, store } = deps;
  const keys = workKeys(plan.batchId);
  if (await store.exists(config.workBucket, keys.splitHash)) return true;
  const opened = await openPlanned(deps, plan);
  if (!opened) return false;
  const measured = await measureUpload(opened.body);
  const hash: SplitHash = { version: 1, ...measured };
  await store.write(config.workBucket, keys.splitHash, encodeJson(hash));
  return true;
}

const assemblyLockOf = (batchId: string): LockKind => ({
  keyOf: workKeys(batchId).splitLock,
  staleMs: staleLockMsOf('split'),
  what: 'split assembly',
});

/**
 * A range or the hash failed for good: one split reads the upload whole instead, unless the ranges
 * were joined already (then their manifest is dispatched). Takes the assembly lock, so the ranges'
 * join and this cannot both happen.
 */
export async function splitWholeInstead(deps: SplitDeps, batchId: string, owner: string): Promise<void> {
  const { config, store, logger } = deps;
  const keys = workKeys(batchId);
  if (await store.exists(config.workBucket, keys.dispatched)) return;
  if (!(await takeLock(deps, { batchId, state: 'split' }, assemblyLockOf(batchId), owner))) return;
  const stored = await store.read(config.workBucket, keys.manifest);
  if (stored) {
    await dispatchManifest(deps, decodeManifest(stored, keys.manifest));
    return;
  }
  logger.warn('a byte range failed for good: the upload is split whole', { batchId });
  await sendWhole(deps, batchId);
}

async function sendWhole(deps: SplitDeps, batchId: string): Promise<void> {
  const whole: SplitWorkMessage = { version: 1, kind: 'split-whole', batchId };
  await deps.sender.sendAll(intakeQueueOf(deps.config), [encodeJson(whole)]);
}

/** Once every range and the hash are in: the manifest and the chunk messages, or a whole split. */
async function assembleIfLast(deps: SplitDeps, plan: SplitPlan, owner: string): Promise<void> {
  const { config, store, logger } = deps;
  const { batchId } = plan;
  const keys = workKeys(batchId);
  const [results, hashed] = await Promise.all([
    store.list(config.workBucket, keys.rangeResultsPrefix),
    store.exists(config.workBucket, keys.splitHash),
  ]);
  if (results.length < plan.ranges.length || !hashed) return;
  if (await store.exists(config.workBucket, keys.dispatched)) return;
  if (!(await takeLock(deps, { batchId, state: 'split' }, assemblyLockOf(batchId), owner))) return;

  const stored = await store.read(config.workBucket, keys.manifest);
  let manifest = stored ? decodeManifest(stored, keys.manifest) : undefined;
  if (!manifest) {
    const joined = joinRanges(
      plan,
      await readResults(deps.store, config.workBucket, plan),
      config.maxRecords,
    );
    const hash = await readHash(deps.store, config.workBucket, batchId);
    const problem =
      typeof joined === 'string' ? joined : hash.bytes !== plan.size ? 'the upload changed' : undefined;
    if (problem !== undefined || typeof joined === 'string') {
      logger.warn('byte ranges cannot be joined: the upload is split whole', { batchId, reason: problem });
      await sendWhole(deps, batchId);
      return;
    }
    manifest = await storeJoined(deps, plan, joined, hash);
  }
  await dispatchManifest(deps, manifest);
}

/** Split's own queue; a ranged batch met by a split deployed without one cannot go on. */
function intakeQueueOf(config: SplitDeps['config']): string {
  if (config.intakeQueueUrl) return config.intakeQueueUrl;
  throw new PipelineError(
    'NO_INTAKE_QUEUE',
    'INTAKE_QUEUE_URL is not set: a ranged upload cannot be split whole',
  );
}

async function readResults(store: ObjectStore, bucket: string, plan: SplitPlan): Promise<RangeResult[]> {
  const keys = workKeys(plan.batchId);
  return Promise.all(
    plan.ranges.map(async (range) => {
      const key = keys.rangeResult(range.index);
      const bytes = await store.read(bucket, key);
      if (!bytes)
        throw new PipelineError('RANGE_MISSING', `range ${range.index} of ${plan.batchId} has no result`);
      return decodeRangeResult(bytes, key);
    }),
  );
}

async function readHash(store: ObjectStore, bucket: string, batchId: string): Promise<SplitHash> {
  const key = workKeys(batchId).splitHash;
  const bytes = await store.read(bucket, key);
  if (!bytes) throw new PipelineError('RANGE_MISSING', `batch ${batchId} has no upload hash`);
  return decodeSplitHash(bytes, key);
}

type ColumnLayout = NonNullable<RangeResult['layout']>;

/** Every range's chunks and rejected records, numbered in the upload's lines. */
export interface JoinedRanges {
  readonly chunks: ChunkRange[];
  readonly rejected: RejectedRecord[];
  readonly layout: ColumnLayout;
  readonly encoding: RangeResult['encoding'];
}

/**
 * The ranges' results as one batch, or why they cannot be (then the upload is read whole, which
 * also gives any whole-batch rejection its own words). Range k's lines count from its own start,
 * which is line 1 + the line feeds of every range before it; its line 2 is that line.
 */
export function joinRanges(
  plan: SplitPlan,
  results: readonly RangeResult[],
  maxRecords: number,
): JoinedRanges | string {
  const encoding = results[0]?.encoding ?? 'utf-8';
  const chunks: ChunkRange[] = [];
  const rejected: RejectedRecord[] = [];
  let layout: ColumnLayout | undefined;
  let lineOffset = 0;
  let records = 0;
  for (const result of results) {
    if (result.rejection) return `range ${result.range} was rejected (${result.rejection.code})`;
    if (!result.endsAtRecord) return `a record runs across the end of range ${result.range}`;
    if (result.encoding !== encoding) return 'the ranges were read in different encodings';
    if (result.layout && layout && JSON.stringify(result.layout) !== JSON.stringify(layout)) {
      return 'the ranges read different headers';
    }
    layout ??= result.layout;
    for (const chunk of result.chunks) {
      chunks.push({
        index: chunks.length,
        firstLine: chunk.firstLine + lineOffset,
        lastLine: chunk.lastLine + lineOffset,
        records: chunk.records,
        stored: { range: result.range, index: chunk.index, lineOffset },
      });
      records += chunk.records;
    }
    for (const record of result.rejected) {
      rejected.push({ ...record, line: record.line + lineOffset, endLine: record.endLine + lineOffset });
    }
    records += result.rejected.length;
    lineOffset += result.range === 0 ? result.lineFeeds - 1 : result.lineFeeds;
  }
  if (results.length !== plan.ranges.length) return 'a range result is missing';
  if (!layout || records === 0) return 'no range holds a record';
  if (records > maxRecords) return 'the batch has more records than max-records';
  return { chunks, rejected, layout, encoding };
}

async function storeJoined(
  deps: SplitDeps,
  plan: SplitPlan,
  joined: JoinedRanges,
  hash: SplitHash,
): Promise<Manifest> {
  const { config } = deps;
  const { batchId } = plan;
  await storeRejected(deps, batchId, joined.rejected);
  const expectedLines = expectedLinesOf(joined.chunks, joined.rejected.length);
  const manifest: Manifest = {
    ...manifestHead(plan.upload, batchId, plan.asOf, {
      bytes: hash.bytes,
      sha256: hash.sha256,
      gzipped: false,
      encoding: joined.encoding,
    }),
    layout: joined.layout,
    unknownColumns: joined.layout.unknownColumns,
    rulePacks: plan.rulePacks,
    expectedChunks: joined.chunks.length,
    shards: mergeShardsFor(expectedLines, config.mergeShardLines),
    expectedLines,
    framerRejected: joined.rejected.length,
    chunks: joined.chunks,
    createdAt: (deps.now?.() ?? new Date()).toISOString(),
  };
  await storeManifest(deps, manifest);
  return manifest;
}
