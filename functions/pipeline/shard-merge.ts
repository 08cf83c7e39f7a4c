/**
 * The merge function: one shard of a batch's final state per message, then one line range of the
 * report per message, then the report.
 *
 * A shard merges the claim pieces and member pieces of its hash range from every part (ranged
 * GETs, see parts.ts), records its members' sessions in the history, and stores its result: its
 * claim and member counts and its findings, cut by the report's line ranges (render-ranges.ts).
 * Shards are disjoint by key, so their results add up to exactly one big merge, and each holds only
 * its own range's tables: any batch size is a matter of more shards, not more memory.
 *
 * A render takes one line range: its chunks' own findings (part roots) and its section of every
 * shard, merged in line order and written as findings.csv's rows of that range (the first range
 * with the header). The assembly then composes findings.csv from the ranges (S3 copies them: UploadPartCopy),
 * and writes the other files from every finding, streamed: the chunks' own findings and the shards'
 * go to a spill store (Lambda's /tmp), and each file is streamed to S3 as it renders. No function
 * holds every line's tables or the whole report.
 *
 * Race safety, as for the dispatch (merge.ts), twice: every shard writes its result before it lists
 * the shards, so whichever finishes last sees them all and sends the render ranges; every render
 * writes its range before it lists the ranges, so whichever finishes last assembles. A lock
 * (`merge/<state>/render.lock.<n>`, `merge/<state>/assembly.lock.<n>`, conditional writes) lets
 * exactly one act, its owner's redelivery finishes what it interrupted, a lock older than the merge
 * timeout is taken over, and `merge/<state>/rendering`, `merge/<state>/reported` stop later
 * duplicates. A shard's result and a range's rows are pure functions of the parts, so one done twice
 * (a redelivery) writes the same bytes.
 */
import type { SQSRecord } from 'aws-lambda';
import { BatchAccumulator, type SessionSink } from '../core/engine/accumulator.js';
import { chunkFindings, FindingRuns, type ReportBatch } from '../core/engine/batch-findings.js';
import type { ChunkPartial } from '../core/engine/check-chunk.js';
import { memorySpill, partitionLinesOf, type SpillStore } from '../core/engine/partitioned-merge.js';
import { type HistoryStore, historySourceOf, type SessionRecordInput } from '../core/history-port.js';
import {
  assembleReport,
  type BatchOutcome,
  fileBytes,
  fileText,
  findingsCsvRows,
  textBytes,
} from '../core/report/files.js';
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
import { inOrder, readPartRoot, readSectionSpan, readShardPieces } from './parts.js';
import type {
  ComposePiece,
  ListedObject,
  MessageSender,
  Notifier,
  ObjectStore,
  PipelineMetrics,
} from './ports.js';
import { RangedFindings, renderRangesOf } from './render-ranges.js';
import { receiveCountOf, type SqsBatchHandler, sqsBatchHandler } from './sqs-batch.js';
import {
  type ChunkRange,
  decodeManifest,
  decodeMergeMessage,
  decodePlan,
  decodeRejected,
  decodeShardSection,
  describeChunk,
  type EncodedRuns,
  encodeJson,
  encodeShard,
  type Manifest,
  type MergeMessage,
  type MergePlan,
  type ShardHeader,
  shardLayoutOf,
} from './work-files.js';

/** A spill store the assembly can close (and so delete: it holds claim data). */
export interface ClosableSpill extends SpillStore {
  close(): boolean;
}

export interface MergeDeps {
  readonly config: MergeConfig;
  readonly store: ObjectStore;
  /** Sends the render ranges to the merge queue. */
  readonly sender: MessageSender;
  /** Member history (a DynamoDB table in AWS): read for each shard's members, written with its sessions. */
  readonly history?: HistoryStore;
  readonly notifier?: Notifier;
  readonly metrics: PipelineMetrics;
  readonly logger: PipelineLogger;
  /** Where a render and the assembly keep findings while they write (Lambda: /tmp). */
  readonly openSpill: () => ClosableSpill;
  readonly now?: () => Date;
}

export type MergeOutcome =
  | 'waiting'
  | 'renders-sent-elsewhere'
  | 'reported'
  | 'reported-elsewhere'
  | 'already-reported';

/** Parts read at once by a shard, a render or the assembly: GET latency overlaps, memory stays a few parts. */
const READS_IN_FLIGHT = 8;

/** What a render's first ranged GET of a shard result asks for: its header, and a small one whole. */
const SHARD_FIRST_READ_BYTES = 64 * 1024;

/** The render dispatch and the assembly run inside one merge invocation. */
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
  const what = message.kind === 'shard' ? `shard ${message.shard}` : `render range ${message.range}`;
  const index = message.kind === 'shard' ? message.shard : message.range;
  if (plan.batchId !== message.batchId || index >= plan.shards) {
    throw new PipelineError('NOT_IN_PLAN', `${what} is not in the plan of ${message.batchId}`);
  }
  const owner = `message:${delivery.messageId}`;
  let range = index;
  if (message.kind === 'shard') {
    if (!(await store.exists(config.workBucket, keys.shard(plan.state, index)))) {
      await mergeShard(deps, manifest, plan, index);
    }
    const sent = await sendRendersIfLast(deps, plan, owner);
    if (sent === 'waiting') return 'waiting';
    if (sent === 'elsewhere') return 'renders-sent-elsewhere';
    // The first range is the sender's own (its message would only wait in the queue for it): a
    // one-shard batch goes from its shard to its report in one invocation. A redelivery after the
    // ranges were sent renders it too (the same bytes), so a crash before it is stored loses nothing.
    range = 0;
  }
  if (!(await store.exists(config.workBucket, keys.render(plan.state, range)))) {
    await renderRange(deps, manifest, plan, range);
  }
  return assembleIfLast(deps, manifest, plan, owner);
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
  const found = new RangedFindings(renderRangesOf(manifest), memorySpill(1));
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
  const header: Omit<ShardHeader, 'sections'> = {
    version: 2,
    batchId,
    state: plan.state,
    shard,
    claims: claimed.claims + membered.claims,
    members: claimed.members + membered.members,
    historyIgnoredRows: history.ignoredRows?.() ?? 0,
  };
  const key = workKeys(batchId).shard(plan.state, shard);
  await store.write(config.workBucket, key, encodeShard(header, found.sections()), {
    contentType: 'application/octet-stream',
  });
  logger.info('shard merged', {
    batchId,
    state: plan.state,
    shard,
    shards: plan.shards,
    findings: found.count,
    sessions: sessions.length,
    mergeMs: Math.round(performance.now() - started),
  });
}

/** One stage's end: what its items are stored under, the marker that it is over, its lock. */
interface StageEnd {
  readonly prefix: string;
  readonly marker: string;
  readonly lockKeyOf: (generation: number) => string;
  readonly what: string;
}

/**
 * Whether this caller acts on a stage's end: every one of the plan's items stored (they are
 * returned, in key order), the stage not marked over, and its lock won (or already held).
 */
async function takeStageEnd(
  deps: MergeDeps,
  plan: MergePlan,
  stage: StageEnd,
  owner: string,
): Promise<ListedObject[] | 'waiting' | 'over' | 'elsewhere'> {
  const { store, config } = deps;
  const stored = await store.list(config.workBucket, stage.prefix);
  if (stored.length < plan.shards) return 'waiting';
  if (await store.exists(config.workBucket, stage.marker)) return 'over';
  const lock: LockKind = { keyOf: stage.lockKeyOf, staleMs: STALE_ASSEMBLY_LOCK_MS, what: stage.what };
  const taken = await takeLock(deps, { batchId: plan.batchId, state: plan.state }, lock, owner);
  return taken ? stored : 'elsewhere';
}

/**
 * Sends one render message per line range but the first (the sender renders it) if every shard is
 * stored and this caller wins (or holds) the lock.
 */
async function sendRendersIfLast(
  deps: MergeDeps,
  plan: MergePlan,
  owner: string,
): Promise<'waiting' | 'sent' | 'sent-before' | 'elsewhere'> {
  const { store, config } = deps;
  const { batchId, state } = plan;
  const keys = workKeys(batchId);
  const end = await takeStageEnd(
    deps,
    plan,
    {
      prefix: keys.shardsPrefix(state),
      marker: keys.rendering(state),
      lockKeyOf: (generation) => keys.renderLock(state, generation),
      what: 'render dispatch',
    },
    owner,
  );
  if (end === 'waiting' || end === 'elsewhere') return end;
  if (end === 'over') return 'sent-before';
  const messages = Array.from({ length: plan.shards - 1 }, (_, at) =>
    encodeJson({ version: 1, kind: 'render', batchId, state, range: at + 1 } satisfies MergeMessage),
  );
  if (messages.length > 0) await deps.sender.sendAll(config.mergeQueueUrl, messages);
  await store.write(config.workBucket, keys.rendering(state), encodeJson({ version: 1, state }));
  deps.logger.info('render ranges sent', { batchId, state, ranges: plan.shards });
  return 'sent';
}

/**
 * Renders line range `range` of findings.csv (its rows; the header too in range 0): the findings
 * its chunks decided and its section of every shard, merged in line order through a spill store.
 */
async function renderRange(
  deps: MergeDeps,
  manifest: Manifest,
  plan: MergePlan,
  range: number,
): Promise<void> {
  const { store, config, logger } = deps;
  const { batchId } = manifest;
  const started = performance.now();
  const spill = deps.openSpill();
  try {
    const found = new FindingRuns(spill);
    const chunks = await gatherRange(deps, manifest, plan, range, found);
    const key = workKeys(batchId).render(plan.state, range);
    // The first range starts with the header: the file is then its ranges end to end, each copied whole.
    const rows = findingsCsvRows(found.finish().rows(), { header: range === 0 });
    await store.writeStream(config.workBucket, key, textBytes(rows), {
      contentType: 'text/csv; charset=utf-8',
    });
    logger.info('range rendered', {
      batchId,
      state: plan.state,
      range,
      ranges: plan.shards,
      chunks,
      findings: found.tally.count,
      renderMs: Math.round(performance.now() - started),
    });
  } finally {
    if (!spill.close()) logger.error('a render could not delete its spill folder', { batchId });
  }
}

/** What gathering a range hands on besides its findings: each part root, each shard result's header. */
interface RangeReader {
  readonly root?: (partial: ChunkPartial) => void;
  readonly shard?: (header: ShardHeader) => void;
}

/**
 * Adds line range `range`'s findings to `found`: those its chunks decided (part roots, in chunk
 * order) and its section of every shard result. Returns how many chunks it read.
 */
async function gatherRange(
  deps: MergeDeps,
  manifest: Manifest,
  plan: MergePlan,
  range: number,
  found: FindingRuns,
  reader: RangeReader = {},
): Promise<number> {
  const { store, config } = deps;
  const inRange = new Set(renderRangesOf(manifest).ranges[range]!.chunks.map((chunk) => chunk.index));
  const chunks = chunksOf(manifest, plan).filter((chunk) => inRange.has(chunk.index));
  await inOrder(
    chunks,
    READS_IN_FLIGHT,
    (chunk) => readPartRoot(store, config.workBucket, manifest, chunk.index),
    (partial: ChunkPartial) => {
      found.addChunk(chunkFindings(partial.findings, partial.echoes));
      reader.root?.(partial);
    },
  );
  for (let shard = 0; shard < plan.shards; shard += 1) {
    const { header, runs } = await readShardSection(deps, plan, shard, range);
    reader.shard?.(header);
    for (const run of runs) found.addEncodedRun(run);
  }
  return chunks.length;
}

/** Section `range` of shard `shard`'s result, and its header: one ranged GET after the header's (often the same one). */
async function readShardSection(
  deps: MergeDeps,
  plan: MergePlan,
  shard: number,
  range: number,
): Promise<{ header: ShardHeader; runs: EncodedRuns }> {
  const key = workKeys(plan.batchId).shard(plan.state, shard);
  const expected = { batchId: plan.batchId, state: plan.state, shard };
  const { layout, span } = await readSectionSpan(
    deps.store,
    deps.config.workBucket,
    {
      key,
      what: 'the shard result',
      firstReadBytes: SHARD_FIRST_READ_BYTES,
      layoutOf: (prefix) => shardLayoutOf(prefix, key, expected),
      missing: () =>
        new PipelineError('SHARD_MISSING', `shard ${shard} disappeared before the report was written`),
    },
    range,
    1,
  );
  return { header: layout.header, runs: decodeShardSection(span, key) };
}

/** Assembles the report if every range is rendered and this caller wins (or already holds) the lock. */
async function assembleIfLast(
  deps: MergeDeps,
  manifest: Manifest,
  plan: MergePlan,
  owner: string,
): Promise<MergeOutcome> {
  const { state } = plan;
  const keys = workKeys(plan.batchId);
  const rendered = await takeStageEnd(
    deps,
    plan,
    {
      prefix: keys.renderPrefix(state),
      marker: keys.reported(state),
      lockKeyOf: (generation) => keys.assemblyLock(state, generation),
      what: 'assembly',
    },
    owner,
  );
  if (rendered === 'waiting') return 'waiting';
  if (rendered === 'over') return 'already-reported';
  if (rendered === 'elsewhere') return 'reported-elsewhere';
  const summaryText = await assembleBatch(deps, manifest, plan, rendered);
  await deps.store.write(deps.config.workBucket, keys.reported(state), encodeJson({ version: 1, state }));
  countWrittenReport(deps, plan.batchId, summaryText);
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

/**
 * Writes the report folder from the part roots, the shard results and the rendered ranges (listed,
 * in range order); returns summary.json's text.
 */
export async function assembleBatch(
  deps: MergeDeps,
  manifest: Manifest,
  plan: MergePlan,
  rendered: readonly ListedObject[],
): Promise<string> {
  const { logger, config } = deps;
  const { batchId, rejection } = manifest;
  const started = performance.now();
  let written: { summary: Summary; summaryText: string };
  const ranges = rendered.map(({ key, size }) => ({ bucket: config.workBucket, key, size }));
  if (rejection) written = await writeReport(deps, manifest, plan.missing, { rejection }, { ranges });
  else {
    const spill = deps.openSpill();
    try {
      const { batch, historyIgnoredRows } = await batchOf(deps, manifest, plan, spill);
      written = await writeReport(deps, manifest, plan.missing, { batch }, { historyIgnoredRows, ranges });
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

/** What the shards and the renders add to the report: the history rows ignored, findings.csv's ranges. */
interface ReportExtras {
  readonly historyIgnoredRows?: number;
  /** The rendered line ranges, in order: findings.csv end to end (the first starts with the header). */
  readonly ranges: readonly ComposePiece[];
}

/**
 * Writes the report files, summary.json last: once it is there, the folder is whole. findings.csv is
 * composed from the rendered ranges; the others stream up as they render; summary.json, small, goes
 * whole (its text is counted in the metrics).
 */
async function writeReport(
  deps: MergeDeps,
  manifest: Manifest,
  missing: readonly ChunkRange[],
  outcome: BatchOutcome,
  extras: ReportExtras,
): Promise<{ summary: Summary; summaryText: string }> {
  const { store, config } = deps;
  const context = {
    ...summaryContextOf(manifest, missing, deps.now?.() ?? new Date()),
    historyIgnoredRows: extras.historyIgnoredRows ?? 0,
  };
  const { summary, files } = assembleReport(context, outcome);
  let summaryText = '';
  for (const file of files) {
    const key = reportKey(manifest.batchId, file.name);
    const options = { contentType: file.contentType };
    if (file.kind === 'text' && file.name === 'summary.json') {
      summaryText = fileText(file);
      await store.write(config.reportsBucket, key, summaryText, options);
    } else if (file.name === 'findings.csv') {
      await store.compose(config.reportsBucket, key, extras.ranges, options);
    } else await store.writeStream(config.reportsBucket, key, fileBytes(file), options);
  }
  return { summary, summaryText };
}

/**
 * The batch as the report reads it: counts from the roots and the shard headers, findings from the
 * roots and the shards' sections, range by range, spilled.
 */
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
  let claims = 0;
  let members = 0;
  // Every shard that looked members up read the same history files: the largest count is theirs.
  let historyIgnoredRows = 0;
  const countShard = (header: ShardHeader) => {
    claims += header.claims;
    members += header.members;
    historyIgnoredRows = Math.max(historyIgnoredRows, header.historyIgnoredRows);
  };
  // Range by range, each a group of runs: a pass over the findings opens one range's runs at a time.
  for (let range = 0; range < plan.shards; range += 1) {
    found.startGroup();
    await gatherRange(deps, manifest, plan, range, found, {
      root: (partial) => root.add({ ...partial, findings: [], echoes: [] }),
      ...(range === 0 ? { shard: countShard } : {}),
    });
  }
  if (manifest.framerRejected > 0) {
    const bytes = await store.read(config.workBucket, keys.rejected);
    if (!bytes) throw new PipelineError('PART_MISSING', 'the rejected-records file is missing');
    root.addRejected(decodeRejected(bytes, keys.rejected));
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

/** The merge Lambda: SQS batch of shard and render messages in, partial batch response out. */
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
      ...(message ? { batchId: message.batchId, state: message.state, ...workOf(message) } : {}),
      ...errorFacts(error),
    });
    throw error;
  }
}

/** A message's shard or range, for the log. */
const workOf = (message: MergeMessage): { shard: number } | { range: number } =>
  message.kind === 'shard' ? { shard: message.shard } : { range: message.range };
