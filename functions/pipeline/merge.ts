/**
 * The end of a batch's checking: decide, from the files in the work bucket, whether every chunk is
 * done (or given up on), and if so send the batch's merge shards to the merge queue — once per
 * final state. The shards merge and assemble the report in the merge function (shard-merge.ts).
 *
 * Race safety. Every validate writes its part (or failure marker) before it lists, and S3 lists are
 * strongly consistent, so whichever validate finishes last sees every chunk accounted for: at least
 * one dispatch happens. Several may see it at once; the lock `merge/<state>.lock.0` is created
 * with a conditional write (If-None-Match: *), which exactly one of them wins. The lock names its
 * owner (the SQS message id, which a redelivery keeps), so when the owner crashes mid-dispatch the
 * retry of its own message takes the lock again and finishes; `merge/<state>.done` stops later
 * duplicates. Sending a shard twice is harmless: a shard whose result is stored is not merged again,
 * and the assembly has a lock of its own, taken the same way (see shard-merge.ts).
 *
 * A lock older than its holder's timeout can only belong to a function that died with its message
 * (moved to the DLQ); the next lock generation, `.lock.<n+1>`, is then free to take, by the same
 * conditional write, so no batch waits forever on a dead holder.
 *
 * The state is part of the lock name: an incomplete report (a chunk failed for good) can later be
 * replaced by the complete one when the failed chunk is redriven from the DLQ and succeeds.
 */
import { createHash } from 'node:crypto';
import type { ValidateConfig } from './config.js';
import { indexOfKey, workKeys } from './keys.js';
import { PipelineError, type PipelineLogger } from './log.js';
import type { MessageSender, ObjectStore } from './ports.js';
import { FUNCTIONS, type FunctionName } from './topology.js';
import {
  type ChunkRange,
  decodeLock,
  encodeJson,
  type Manifest,
  type MergeDone,
  type MergeLock,
  type MergeMessage,
  type MergePlan,
  olderPart,
} from './work-files.js';

/** The work bucket and a logger: what a lock and a progress check need. */
export interface WorkDeps {
  readonly config: { readonly workBucket: string };
  readonly store: ObjectStore;
  readonly logger: PipelineLogger;
  readonly now?: () => Date;
}

/** What finding a batch's end needs: the work bucket, and the merge queue to send its shards to. */
export interface CompletionDeps extends WorkDeps {
  readonly config: Pick<ValidateConfig, 'workBucket' | 'mergeQueueUrl'>;
  readonly sender: MessageSender;
}

export interface BatchProgress {
  /** Chunks with neither a part nor a failure marker. */
  readonly pending: readonly ChunkRange[];
  /** Chunks given up on (failure marker, no part). */
  readonly missing: readonly ChunkRange[];
}

export async function progressOf(deps: WorkDeps, manifest: Manifest): Promise<BatchProgress> {
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

export type CompletionOutcome = 'waiting' | 'dispatched' | 'dispatched-elsewhere' | 'already-dispatched';

/** A lock's key for each generation, and how old a lock must be to count as abandoned. */
export interface LockKind {
  readonly keyOf: (generation: number) => string;
  readonly staleMs: number;
  /** What the lock is for, in the logs ("dispatch", "assembly"). */
  readonly what: string;
}

/** A lock held by function `fn` is dead once older than its timeout (plus a minute of clock skew). */
export const staleLockMsOf = (fn: FunctionName): number => (FUNCTIONS[fn].timeoutSeconds + 60) * 1000;

/** Validate holds the dispatch lock. */
export const STALE_LOCK_MS = staleLockMsOf('validate');
const LOCK_GENERATIONS = 20;

/** Takes the lock for `owner`, or says someone else (alive) holds it. */
export async function takeLock(
  deps: WorkDeps,
  batch: { readonly batchId: string; readonly state: string },
  kind: LockKind,
  owner: string,
): Promise<boolean> {
  const { store, config } = deps;
  const now = deps.now?.() ?? new Date();
  const facts = { batchId: batch.batchId, state: batch.state, lock: kind.what };
  const lock = encodeJson({ version: 1, owner, takenAt: now.toISOString() } satisfies MergeLock);
  for (let generation = 0; generation < LOCK_GENERATIONS; generation += 1) {
    const key = kind.keyOf(generation);
    if (await store.writeIfAbsent(config.workBucket, key, lock)) return true;
    const bytes = await store.read(config.workBucket, key);
    if (!bytes) return false; // being created right now by another holder
    const held = decodeLock(bytes, key);
    if (held.owner === owner) {
      deps.logger.info('lock already ours: finishing what was interrupted', facts);
      return true;
    }
    const age = now.getTime() - Date.parse(held.takenAt);
    if (!(age > kind.staleMs)) {
      deps.logger.info('another function holds this lock', facts);
      return false;
    }
    deps.logger.warn('lock abandoned by a function that stopped: taking over', { ...facts, generation });
  }
  throw new PipelineError(
    'LOCK_EXHAUSTED',
    `no ${kind.what} lock generation left for ${batch.batchId} (${batch.state})`,
  );
}

/**
 * Sends the batch's merge shards if every chunk is accounted for and this caller wins (or already
 * holds) the dispatch lock. The plan is written first: the shards read the missing chunks from it.
 */
export async function completeIfLast(
  deps: CompletionDeps,
  manifest: Manifest,
  owner: string,
): Promise<CompletionOutcome> {
  const { store, config } = deps;
  const { pending, missing } = await progressOf(deps, manifest);
  if (pending.length > 0) return 'waiting';
  const state = stateOf(manifest, missing);
  const { batchId } = manifest;
  const keys = workKeys(batchId);
  if (await store.exists(config.workBucket, keys.done(state))) return 'already-dispatched';
  const lock: LockKind = {
    keyOf: (generation) => keys.lock(state, generation),
    staleMs: STALE_LOCK_MS,
    what: 'dispatch',
  };
  if (!(await takeLock(deps, { batchId, state }, lock, owner))) return 'dispatched-elsewhere';
  const plan: MergePlan = { version: 1, batchId, state, shards: manifest.shards, missing: [...missing] };
  await store.write(config.workBucket, keys.plan(state), encodeJson(plan));
  const messages = Array.from({ length: plan.shards }, (_, shard) =>
    encodeJson({ version: 1, kind: 'shard', batchId, state, shard } satisfies MergeMessage),
  );
  await deps.sender.sendAll(config.mergeQueueUrl, messages);
  await store.write(
    config.workBucket,
    keys.done(state),
    encodeJson({ version: 1, state } satisfies MergeDone),
  );
  deps.logger.info('merge shards sent', {
    batchId,
    state,
    shards: plan.shards,
    missingChunks: missing.length,
  });
  return 'dispatched';
}
