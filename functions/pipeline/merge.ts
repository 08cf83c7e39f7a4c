/**
 * The end of a batch: decide, from the files in the work bucket, whether every chunk is done (or
 * given up on), and if so merge the parts into the report folder — once per final state.
 *
 * Race safety. Every validate writes its part (or failure marker) before it lists, and S3 lists are
 * strongly consistent, so whichever validate finishes last sees every chunk accounted for: at least
 * one merge happens. Several may see it at once; the merge lock `merge/<state>.lock.0` is created
 * with a conditional write (If-None-Match: *), which exactly one of them wins. The lock names its
 * owner (the SQS message id, which a redelivery keeps), so when the owner crashes mid-merge the retry
 * of its own message takes the lock again and finishes; `merge/<state>.done` stops later duplicates.
 * The merge itself is a pure function of the stored files, so even two merges (a store that ignores
 * If-None-Match) write the same report, differing only in generatedAt.
 *
 * A lock older than the validate timeout can only belong to a merge that died with its message
 * (moved to the DLQ mid-merge); the next lock generation, `.lock.<n+1>`, is then free to take, by
 * the same conditional write, so no batch waits forever on a dead merger.
 *
 * The state is part of the lock name: an incomplete report (a chunk failed for good) can later be
 * replaced by the complete one when the failed chunk is redriven from the DLQ and succeeds.
 */
import { createHash } from 'node:crypto';
import {
  BatchAccumulator,
  type HistorySource,
  type MergedBatch,
  type SessionSink,
} from '../core/engine/accumulator.js';
import type { SessionHistory } from '../core/engine/cross-rules.js';
import { inMemoryHistory, parseHistoryCsv } from '../core/history.js';
import { type HistoryStore, historySourceOf, type SessionRecordInput } from '../core/history-port.js';
import { assembleReport, type BatchOutcome, fileBytes, fileText } from '../core/report/files.js';
import type { Summary, SummaryContext } from '../core/report/summary.js';
import { BUILT_IN_BOOKS } from '../core/rules/books.js';
import type { PriorSession } from '../core/rules/history.js';
import type { ValidateConfig } from './config.js';
import { indexOfKey, reportKey, workKeys } from './keys.js';
import { PipelineError, type PipelineLogger } from './log.js';
import { noticeOf, reportReadyOf } from './notice.js';
import { booksOf } from './packs.js';
import type { Notifier, ObjectStore } from './ports.js';
import { FUNCTIONS, PREFIX } from './topology.js';
import {
  type ChunkRange,
  decodeLock,
  decodePart,
  decodeRejected,
  describeChunk,
  encodeJson,
  type Manifest,
  type MergeDone,
  type MergeLock,
  olderPart,
} from './work-files.js';

export interface MergeDeps {
  readonly config: ValidateConfig;
  readonly store: ObjectStore;
  /** Member history (a DynamoDB table in AWS): read for the batch's members, written with its sessions. */
  readonly history?: HistoryStore;
  readonly notifier?: Notifier;
  readonly logger: PipelineLogger;
  readonly now?: () => Date;
}

export interface BatchProgress {
  /** Chunks with neither a part nor a failure marker. */
  readonly pending: readonly ChunkRange[];
  /** Chunks given up on (failure marker, no part). */
  readonly missing: readonly ChunkRange[];
}

export async function progressOf(deps: MergeDeps, manifest: Manifest): Promise<BatchProgress> {
  const keys = workKeys(manifest.batchId);
  const { workBucket } = deps.config;
  const [parts, failures] = await Promise.all([
    deps.store.list(workBucket, keys.partsPrefix),
    deps.store.list(workBucket, keys.failedPrefix),
  ]);
  // Parts of release 1 were `…/parts/NNNNNN.json`; a batch that straddles an upgrade stops here, clearly.
  const older = parts.find((item) => item.key.endsWith('.json'));
  if (older) throw olderPart(indexOfKey(older.key) ?? -1);
  const done = new Set(parts.map((item) => indexOfKey(item.key)));
  const failed = new Set(failures.map((item) => indexOfKey(item.key)));
  const pending: ChunkRange[] = [];
  const missing: ChunkRange[] = [];
  for (const chunk of manifest.chunks) {
    if (done.has(chunk.index)) continue; // a part wins over an old failure marker (DLQ redrive)
    (failed.has(chunk.index) ? missing : pending).push(chunk);
  }
  return { pending, missing };
}

const stateOf = (manifest: Manifest, missing: readonly ChunkRange[]): string => {
  if (manifest.rejection) return 'rejected';
  if (missing.length === 0) return 'complete';
  const indexes = missing.map((chunk) => chunk.index).join(',');
  return `incomplete-${createHash('sha256').update(indexes).digest('hex').slice(0, 12)}`;
};

export type CompletionOutcome = 'waiting' | 'merged' | 'merged-elsewhere' | 'already-merged';

/** A merge runs inside one validate invocation: a lock older than its timeout (plus clock skew) is dead. */
export const STALE_LOCK_MS = (FUNCTIONS.validate.timeoutSeconds + 60) * 1000;
const LOCK_GENERATIONS = 20;

/** Takes the merge lock of `state` for `owner`, or says someone else (alive) holds it. */
async function takeLock(deps: MergeDeps, manifest: Manifest, state: string, owner: string): Promise<boolean> {
  const { store, config } = deps;
  const keys = workKeys(manifest.batchId);
  const now = deps.now?.() ?? new Date();
  const lock = encodeJson({ version: 1, owner, takenAt: now.toISOString() } satisfies MergeLock);
  for (let generation = 0; generation < LOCK_GENERATIONS; generation += 1) {
    const key = keys.lock(state, generation);
    if (await store.writeIfAbsent(config.workBucket, key, lock)) return true;
    const bytes = await store.read(config.workBucket, key);
    if (!bytes) return false; // being created right now by another merger
    const held = decodeLock(bytes, key);
    if (held.owner === owner) {
      deps.logger.info('merge lock already ours: finishing an interrupted merge', {
        batchId: manifest.batchId,
        state,
      });
      return true;
    }
    const age = now.getTime() - Date.parse(held.takenAt);
    if (!(age > STALE_LOCK_MS)) {
      deps.logger.info('another function merges this batch', { batchId: manifest.batchId, state });
      return false;
    }
    deps.logger.warn('merge lock abandoned by a merger that stopped: taking over', {
      batchId: manifest.batchId,
      state,
      generation,
    });
  }
  throw new PipelineError(
    'LOCK_EXHAUSTED',
    `no merge lock generation left for ${manifest.batchId} (${state})`,
  );
}

/** Merges the batch if every chunk is accounted for and this caller wins (or already holds) the lock. */
export async function completeIfLast(
  deps: MergeDeps,
  manifest: Manifest,
  owner: string,
): Promise<CompletionOutcome> {
  const { store, config } = deps;
  const { pending, missing } = await progressOf(deps, manifest);
  if (pending.length > 0) return 'waiting';
  const state = stateOf(manifest, missing);
  const keys = workKeys(manifest.batchId);
  if (await store.exists(config.workBucket, keys.done(state))) return 'already-merged';
  if (!(await takeLock(deps, manifest, state, owner))) return 'merged-elsewhere';
  await mergeBatch(deps, manifest, missing);
  await store.write(
    config.workBucket,
    keys.done(state),
    encodeJson({ version: 1, state } satisfies MergeDone),
  );
  return 'merged';
}

/** Reads every part in chunk order, merges exactly as scrubBatch does, writes the report, notifies. */
export async function mergeBatch(
  deps: MergeDeps,
  manifest: Manifest,
  missing: readonly ChunkRange[],
): Promise<Summary> {
  const { store, config, logger } = deps;
  const { batchId } = manifest;
  const started = performance.now();
  const context = summaryContextOf(manifest, missing, deps.now?.() ?? new Date());
  const outcome: BatchOutcome = manifest.rejection
    ? { rejection: manifest.rejection }
    : { batch: await mergeAndRecord(deps, manifest, missing) };
  const { summary, files } = assembleReport(context, outcome);
  if (!manifest.rejection && missing.length === 0 && summary.counts.lines !== manifest.expectedLines) {
    logger.error('line accounting differs from the manifest', {
      batchId,
      lines: summary.counts.lines,
      expectedLines: manifest.expectedLines,
    });
  }

  // The files come summary.json last: once it is there, the folder is whole. Each streams up as it
  // renders (no file is held whole), but summary.json, small, goes whole: validate counts the
  // report from its body as written.
  for (const file of files) {
    const key = reportKey(batchId, file.name);
    const options = { contentType: file.contentType };
    if (file.kind === 'text' && file.name === 'summary.json')
      await store.write(config.reportsBucket, key, fileText(file), options);
    else await store.writeStream(config.reportsBucket, key, fileBytes(file), options);
  }
  logger.info('report written', {
    batchId,
    status: summary.status,
    lines: summary.counts.lines,
    checked: summary.counts.checked,
    rejected: summary.counts.rejected,
    findings: summary.counts.findings,
    missingChunks: missing.length,
    mergeMs: Math.round(performance.now() - started),
  });
  await notifyReportReady(deps, manifest, summary);
  return summary;
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

/**
 * Merges the parts and records the batch's sessions in the history before any report file is
 * written: a failed write fails the merge, whose retry writes the same records again (idempotent by
 * batch and line), so a report never exists for a batch whose history is missing.
 */
async function mergeAndRecord(
  deps: MergeDeps,
  manifest: Manifest,
  missing: readonly ChunkRange[],
): Promise<MergedBatch> {
  const sessions: SessionRecordInput[] = [];
  const sink: SessionSink = {
    batchId: manifest.batchId,
    add: (records) => {
      for (const record of records) sessions.push(record);
    },
  };
  const batch = await mergeParts(deps, manifest, missing, deps.history ? sink : undefined);
  if (deps.history && sessions.length > 0) {
    await deps.history.record(sessions, { recordedOn: manifest.asOf });
    deps.logger.info('history recorded', { batchId: manifest.batchId, sessions: sessions.length });
  }
  return batch;
}

/** Adds every part but the missing ones, in chunk order, and the framer's rejected records. */
async function mergeParts(
  deps: MergeDeps,
  manifest: Manifest,
  missing: readonly ChunkRange[],
  sessions: SessionSink | undefined,
): Promise<MergedBatch> {
  const { store, config } = deps;
  const { batchId } = manifest;
  const keys = workKeys(batchId);
  const accumulator = new BatchAccumulator({
    linesInOrder: true,
    books: booksOf(manifest),
    ...(sessions ? { sessions } : {}),
  });
  const skip = new Set(missing.map((chunk) => chunk.index));
  for (const chunk of manifest.chunks) {
    if (skip.has(chunk.index)) continue;
    const bytes = await store.read(config.workBucket, keys.part(chunk.index));
    if (!bytes) throw new PipelineError('PART_MISSING', `part ${chunk.index} disappeared before the merge`);
    accumulator.add(decodePart(bytes, batchId, chunk.index).partial);
  }
  if (manifest.framerRejected > 0) {
    const rejected = await store.read(config.workBucket, keys.rejected);
    if (!rejected) throw new PipelineError('PART_MISSING', 'the rejected-records file is missing');
    accumulator.addRejected(decodeRejected(rejected, keys.rejected));
  }
  const files = workBucketHistory(deps, batchId);
  return accumulator.finish(
    deps.history ? bothHistories(historySourceOf(deps.history, batchId), files) : files,
  );
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

/** Sessions of earlier batches from two sources, member by member. */
function bothHistories(first: HistorySource, second: HistorySource): HistorySource {
  return {
    async priorSessions(members) {
      const [a, b] = await Promise.all([first.priorSessions(members), second.priorSessions(members)]);
      const merged = new Map(a);
      for (const [member, found] of b) merged.set(member, [...(merged.get(member) ?? []), ...found]);
      return merged;
    },
  };
}

/**
 * Earlier sessions from files: every `history/*.csv` in the work bucket, read only when
 * the batch has 62323 lines to look up.
 */
function workBucketHistory(deps: MergeDeps, batchId: string): HistorySource {
  return {
    async priorSessions(members): Promise<SessionHistory> {
      if (members.length === 0) return new Map();
      const { workBucket } = deps.config;
      const sessions = new Map<string, PriorSession[]>();
      let skippedRows = 0;
      const files = (await deps.store.list(workBucket, PREFIX.history)).filter((item) =>
        item.key.endsWith('.csv'),
      );
      for (const file of files) {
        const bytes = await deps.store.read(workBucket, file.key);
        if (!bytes) continue; // deleted since the listing
        let parsed: ReturnType<typeof parseHistoryCsv>;
        try {
          parsed = parseHistoryCsv(Buffer.from(bytes).toString('utf8'));
        } catch {
          throw new PipelineError(
            'BAD_HISTORY',
            `${file.key} is not a history CSV (member_id, date_of_service, procedure_code)`,
          );
        }
        skippedRows += parsed.skippedRows;
        for (const [member, found] of parsed.sessions) {
          const known = sessions.get(member);
          if (known) known.push(...found);
          else sessions.set(member, [...found]);
        }
      }
      deps.logger.info('history loaded', { files: files.length, members: sessions.size, skippedRows });
      return inMemoryHistory(sessions, batchId).priorSessions(members);
    },
  };
}
