/**
 * The merge function: one shard of a batch's final state per message, then the report.
 *
 * A shard merges the claim pieces and member pieces of its hash range from every part (ranged
 * GETs, see parts.ts), records its members' sessions in the history, and stores its result: its
 * claim and member counts and its findings as sorted runs. Shards are disjoint by key, so their
 * results add up to exactly one big merge, and each holds only its own range's tables: any batch
 * size is a matter of more shards, not more memory.
 *
 * Race safety, as for the dispatch (merge.ts): every shard writes its result before it lists the
 * shards, so whichever finishes last sees them all and assembles; the assembly lock
 * (`merge/<state>/assembly.lock.<n>`, a conditional write) lets exactly one assemble, its owner's
 * redelivery finishes an interrupted assembly, a lock older than the merge timeout is taken over,
 * and `merge/<state>/reported` stops later duplicates. A shard's result is a pure function of the
 * parts, so a shard merged twice (a redelivery) writes the same bytes.
 *
 * The assembly streams: the chunks' own findings (part roots, in chunk order) and the shards' runs
 * go to a spill store (Lambda's /tmp), and the report files are written from there, each streamed
 * to S3 as it renders. No function holds every line's tables or the whole report.
 */
import type { SQSRecord } from 'aws-lambda';
import { BatchAccumulator, type SessionSink } from '../core/engine/accumulator.js';
import { chunkFindings, FindingRuns, type ReportBatch } from '../core/engine/batch-findings.js';
import type { ChunkPartial } from '../core/engine/check-chunk.js';
import { memorySpill, partitionLinesOf, type SpillStore } from '../core/engine/partitioned-merge.js';
import { type HistoryStore, historySourceOf, type SessionRecordInput } from '../core/history-port.js';
import { assembleReport, type BatchOutcome, fileBytes, fileText } from '../core/report/files.js';
import type { Summary, SummaryContext } from '../core/report/summary.js';
import { BUILT_IN_BOOKS } from '../core/rules/books.js';
import type { MergeConfig } from './config.js';
import { bothHistories, workBucketHistory } from './history-sources.js';
import { reportKey, workKeys } from './keys.js';
import { errorFacts, PipelineError, type PipelineLogger } from './log.js';
import { type LockKind, staleLockMsOf, takeLock } from './merge.js';
import { countReport, decodeReportedBatch } from './metrics.js';
import { noticeOf, reportReadyOf } from './notice.js';
import { booksOf } from './packs.js';
import { inOrder, readPartRoot, readShardPieces } from './parts.js';
import type { Notifier, ObjectStore, PipelineMetrics } from './ports.js';
import { receiveCountOf, type SqsBatchHandler, sqsBatchHandler } from './sqs-batch.js';
import {
  type ChunkRange,
  decodeManifest,
  decodeMergeMessage,
  decodePlan,
  decodeRejected,
  decodeShard,
  describeChunk,
  encodeJson,
  encodeShard,
  type Manifest,
  type MergeMessage,
  type MergePlan,
  type ShardHeader,
} from './work-files.js';

/** A spill store the assembly can close (and so delete: it holds claim data). */
export interface ClosableSpill extends SpillStore {
  close(): boolean;
}

export interface MergeDeps {
  readonly config: MergeConfig;
  readonly store: ObjectStore;
  /** Member history (a DynamoDB table in AWS): read for each shard's members, written with its sessions. */
  readonly history?: HistoryStore;
  readonly notifier?: Notifier;
  readonly metrics: PipelineMetrics;
  readonly logger: PipelineLogger;
  /** Where the assembly keeps the batch's findings while it writes the report (Lambda: /tmp). */
  readonly openSpill: () => ClosableSpill;
  readonly now?: () => Date;
}

export type MergeOutcome = 'waiting' | 'reported' | 'reported-elsewhere' | 'already-reported';

/** Parts read at once by a shard or the assembly: GET latency overlaps, memory stays a few parts. */
const READS_IN_FLIGHT = 8;

/** The assembly runs inside one merge invocation. */
export const STALE_ASSEMBLY_LOCK_MS = staleLockMsOf('merge');

export interface MergeDelivery {
  /** SQS message id: the same on every redelivery, so it names the assembly lock's owner. */
  readonly messageId: string;
}

export async function processMergeMessage(
  deps: MergeDeps,
  message: MergeMessage,
  delivery: MergeDelivery,
): Promise<MergeOutcome> {
  const { store, config } = deps;
  const keys = workKeys(message.batchId);
  const manifest = decodeManifest(await readWorkFile(deps, keys.manifest, 'MANIFEST_MISSING'), keys.manifest);
  const plan = decodePlan(
    await readWorkFile(deps, keys.plan(message.state), 'PLAN_MISSING'),
    keys.plan(message.state),
  );
  if (plan.batchId !== message.batchId || message.shard >= plan.shards) {
    throw new PipelineError('NOT_IN_PLAN', `shard ${message.shard} is not in the plan of ${message.batchId}`);
  }
  if (!(await store.exists(config.workBucket, keys.shard(plan.state, message.shard)))) {
    await mergeShard(deps, manifest, plan, message.shard);
  }
  return assembleIfLast(deps, manifest, plan, `message:${delivery.messageId}`);
}

async function readWorkFile(deps: MergeDeps, key: string, code: string): Promise<Uint8Array> {
  const bytes = await deps.store.read(deps.config.workBucket, key);
  if (!bytes) throw new PipelineError(code, `${key} is missing`);
  return bytes;
}

/** The chunks a plan merges: all but the missing ones, in chunk order (none for a rejected batch). */
const chunksOf = (manifest: Manifest, plan: MergePlan): ChunkRange[] => {
  if (manifest.rejection) return [];
  const missing = new Set(plan.missing.map((chunk) => chunk.index));
  return manifest.chunks.filter((chunk) => !missing.has(chunk.index));
};

/**
 * Merges shard `shard`: its claim side (DUPLICATE_LINE, the claim count) and member side (the
 * cross-line rules with history, the member count), both fed the shard's pieces of every part in
 * chunk order. Sessions are recorded before the result is stored: a report never exists for a
 * batch whose history is missing, and a retry records the same sessions again (idempotent).
 */
async function mergeShard(
  deps: MergeDeps,
  manifest: Manifest,
  plan: MergePlan,
  shard: number,
): Promise<void> {
  const { store, config, logger } = deps;
  const { batchId } = manifest;
  const started = performance.now();
  const found = new FindingRuns(memorySpill(1), `shard-${shard}`);
  const sessions: SessionRecordInput[] = [];
  const sink: SessionSink = { batchId, add: (records) => void sessions.push(...records) };
  const common = {
    linesInOrder: true,
    books: booksOf(manifest),
    expectedLines: partitionLinesOf(manifest.expectedLines, manifest.shards),
    sink: found,
  };
  // Both sides at once, so each part is read once; they are the two sides of one partition merge.
  const claimSide = new BatchAccumulator({ ...common, scope: 'duplicates' });
  const memberSide = new BatchAccumulator({
    ...common,
    scope: 'members',
    ...(deps.history ? { sessions: sink } : {}),
  });
  await inOrder(
    chunksOf(manifest, plan),
    READS_IN_FLIGHT,
    (chunk) => readShardPieces(store, config.workBucket, manifest, chunk.index, shard),
    ({ claims, members }) => {
      if (claims) claimSide.add(claims);
      if (members) memberSide.add(members);
    },
  );
  const files = workBucketHistory(deps, config.workBucket, batchId);
  const history = deps.history ? bothHistories(historySourceOf(deps.history, batchId), files) : files;
  const claimed = await claimSide.finish();
  const membered = await memberSide.finish(history);
  if (deps.history && sessions.length > 0) {
    await deps.history.record(sessions, { recordedOn: manifest.asOf });
  }
  const runs = found.encodedRuns();
  const header: ShardHeader = {
    version: 1,
    batchId,
    state: plan.state,
    shard,
    claims: claimed.claims + membered.claims,
    members: claimed.members + membered.members,
    historyIgnoredRows: history.ignoredRows?.() ?? 0,
    runs: runs.map((records) => records.map((record) => record.byteLength)),
  };
  const key = workKeys(batchId).shard(plan.state, shard);
  await store.write(config.workBucket, key, encodeShard(header, runs), {
    contentType: 'application/octet-stream',
  });
  logger.info('shard merged', {
    batchId,
    state: plan.state,
    shard,
    shards: plan.shards,
    findings: found.tally.count,
    sessions: sessions.length,
    mergeMs: Math.round(performance.now() - started),
  });
}

/** Assembles the report if every shard is stored and this caller wins (or already holds) the lock. */
async function assembleIfLast(
  deps: MergeDeps,
  manifest: Manifest,
  plan: MergePlan,
  owner: string,
): Promise<MergeOutcome> {
  const { store, config } = deps;
  const { batchId } = manifest;
  const { state } = plan;
  const keys = workKeys(batchId);
  const stored = await store.list(config.workBucket, keys.shardsPrefix(state));
  if (stored.length < plan.shards) return 'waiting';
  if (await store.exists(config.workBucket, keys.reported(state))) return 'already-reported';
  const lock: LockKind = {
    keyOf: (generation) => keys.assemblyLock(state, generation),
    staleMs: STALE_ASSEMBLY_LOCK_MS,
    what: 'assembly',
  };
  if (!(await takeLock(deps, { batchId, state }, lock, owner))) return 'reported-elsewhere';
  const summaryText = await assembleBatch(deps, manifest, plan);
  await store.write(config.workBucket, keys.reported(state), encodeJson({ version: 1, state }));
  countWrittenReport(deps, batchId, summaryText);
  return 'reported';
}

/**
 * Counts the report just written. The report is out and marked reported, so a failure here only
 * loses the counts: it is logged, never retried.
 */
function countWrittenReport(deps: MergeDeps, batchId: string, summaryText: string): void {
  try {
    countReport(deps.metrics, decodeReportedBatch(summaryText, reportKey(batchId, 'summary.json')));
  } catch (error) {
    deps.logger.warn('report written but not counted in the metrics', { batchId, ...errorFacts(error) });
  }
}

/** Writes the report folder from the part roots and the shard results; returns summary.json's text. */
export async function assembleBatch(deps: MergeDeps, manifest: Manifest, plan: MergePlan): Promise<string> {
  const { logger } = deps;
  const { batchId, rejection } = manifest;
  const started = performance.now();
  let written: { summary: Summary; summaryText: string };
  if (rejection) written = await writeReport(deps, manifest, plan.missing, { rejection });
  else {
    const spill = deps.openSpill();
    try {
      const { batch, historyIgnoredRows } = await batchOf(deps, manifest, plan, spill);
      written = await writeReport(deps, manifest, plan.missing, { batch }, historyIgnoredRows);
    } finally {
      if (!spill.close()) logger.error('the assembly could not delete its spill folder', { batchId });
    }
  }
  const { summary } = written;
  if (!rejection && plan.missing.length === 0 && summary.counts.lines !== manifest.expectedLines) {
    logger.error('line accounting differs from the manifest', {
      batchId,
      lines: summary.counts.lines,
      expectedLines: manifest.expectedLines,
    });
  }
  logger.info('report written', {
    batchId,
    status: summary.status,
    lines: summary.counts.lines,
    checked: summary.counts.checked,
    rejected: summary.counts.rejected,
    findings: summary.counts.findings,
    missingChunks: plan.missing.length,
    shards: plan.shards,
    assemblyMs: Math.round(performance.now() - started),
  });
  await notifyReportReady(deps, manifest, summary);
  return written.summaryText;
}

/**
 * Writes the report files, summary.json last: once it is there, the folder is whole. The others
 * stream up as they render; summary.json, small, goes whole (its text is counted in the metrics).
 */
async function writeReport(
  deps: MergeDeps,
  manifest: Manifest,
  missing: readonly ChunkRange[],
  outcome: BatchOutcome,
  historyIgnoredRows = 0,
): Promise<{ summary: Summary; summaryText: string }> {
  const { store, config } = deps;
  const context = {
    ...summaryContextOf(manifest, missing, deps.now?.() ?? new Date()),
    historyIgnoredRows,
  };
  const { summary, files } = assembleReport(context, outcome);
  let summaryText = '';
  for (const file of files) {
    const key = reportKey(manifest.batchId, file.name);
    const options = { contentType: file.contentType };
    if (file.kind === 'text' && file.name === 'summary.json') {
      summaryText = fileText(file);
      await store.write(config.reportsBucket, key, summaryText, options);
    } else await store.writeStream(config.reportsBucket, key, fileBytes(file), options);
  }
  return { summary, summaryText };
}

/** The batch as the report reads it: counts from the roots, findings from roots and shards, spilled. */
async function batchOf(
  deps: MergeDeps,
  manifest: Manifest,
  plan: MergePlan,
  spill: SpillStore,
): Promise<{ batch: ReportBatch; historyIgnoredRows: number }> {
  const { store, config } = deps;
  const { batchId } = manifest;
  const keys = workKeys(batchId);
  const root = new BatchAccumulator({ linesInOrder: true, books: booksOf(manifest) });
  const found = new FindingRuns(spill);
  await inOrder(
    chunksOf(manifest, plan),
    READS_IN_FLIGHT,
    (chunk) => readPartRoot(store, config.workBucket, manifest, chunk.index),
    (partial: ChunkPartial) => {
      found.addChunk(chunkFindings(partial.findings, partial.echoes));
      root.add({ ...partial, findings: [], echoes: [] });
    },
  );
  if (manifest.framerRejected > 0) {
    const bytes = await store.read(config.workBucket, keys.rejected);
    if (!bytes) throw new PipelineError('PART_MISSING', 'the rejected-records file is missing');
    root.addRejected(decodeRejected(bytes, keys.rejected));
  }
  let claims = 0;
  let members = 0;
  // Every shard that looked members up read the same history files: the largest count is theirs.
  let historyIgnoredRows = 0;
  for (let shard = 0; shard < plan.shards; shard += 1) {
    const key = keys.shard(plan.state, shard);
    const bytes = await store.read(config.workBucket, key);
    if (!bytes) throw new PipelineError('SHARD_MISSING', `shard ${shard} disappeared before the assembly`);
    const result = decodeShard(bytes, key, { version: 1, batchId, state: plan.state, shard });
    claims += result.header.claims;
    members += result.header.members;
    historyIgnoredRows = Math.max(historyIgnoredRows, result.header.historyIgnoredRows);
    for (const run of result.runs) found.addEncodedRun(run);
  }
  const counts = await root.finish();
  const { checked, rejectedRecords, indexLines, packLines } = counts;
  return {
    batch: { checked, rejectedRecords, claims, members, indexLines, packLines, flagged: found.finish() },
    historyIgnoredRows,
  };
}

function summaryContextOf(manifest: Manifest, missing: readonly ChunkRange[], now: Date): SummaryContext {
  // A batch refused for its packs has none loaded; any other loads (split checked them).
  const books = manifest.rejection?.code === 'BAD_RULE_PACK' ? BUILT_IN_BOOKS : booksOf(manifest);
  return {
    packs: books.packs,
    defaultPack: books.defaultPack,
    batchId: manifest.batchId,
    asOf: manifest.asOf,
    source: {
      name: manifest.source.name,
      bytes: manifest.source.bytes,
      sha256: manifest.source.sha256,
      encoding: manifest.source.encoding,
    },
    unknownColumns: manifest.unknownColumns,
    generatedAt: now,
    ...(missing.length > 0 ? { missing: missing.map(describeChunk) } : {}),
  };
}

/** Publishes the report-ready notice (subject, email text, JSON), when a topic is configured. */
async function notifyReportReady(deps: MergeDeps, manifest: Manifest, summary: Summary): Promise<void> {
  const { config, notifier } = deps;
  if (!config.reportTopicArn || !notifier) return;
  const { source } = manifest;
  const notice = reportReadyOf(
    summary,
    { bucket: source.bucket, key: source.key, ...(source.eTag ? { eTag: source.eTag } : {}) },
    {
      reportsBucket: config.reportsBucket,
      ...(config.region ? { region: config.region } : {}),
      ...(config.stackName ? { stackName: config.stackName } : {}),
    },
  );
  await notifier.publish(config.reportTopicArn, noticeOf(notice));
}

/** The merge Lambda: SQS batch of shard messages in, partial batch response out. */
export function createMergeHandler(deps: MergeDeps): SqsBatchHandler {
  return sqsBatchHandler(deps, () => (record) => mergeRecord(deps, record));
}

async function mergeRecord(deps: MergeDeps, record: SQSRecord): Promise<void> {
  let message: MergeMessage | undefined;
  try {
    message = decodeMergeMessage(record.body);
    const outcome = await processMergeMessage(deps, message, { messageId: record.messageId });
    if (outcome === 'reported')
      deps.logger.info('batch reported', { batchId: message.batchId, state: message.state });
  } catch (error) {
    deps.logger.error('merge message failed', {
      messageId: record.messageId,
      receiveCount: receiveCountOf(record),
      ...(message ? { batchId: message.batchId, state: message.state, shard: message.shard } : {}),
      ...errorFacts(error),
    });
    throw error;
  }
}
