/** Completion detection, the dispatch lock and the assembly lock, on an in-memory store. */
import { describe, expect, it } from 'vitest';
import { workKeys } from '../../functions/pipeline/keys.js';
import {
  type CompletionDeps,
  completeIfLast,
  progressOf,
  STALE_LOCK_MS,
} from '../../functions/pipeline/merge.js';
import {
  type MergeDeps,
  processMergeMessage,
  STALE_ASSEMBLY_LOCK_MS,
} from '../../functions/pipeline/shard-merge.js';
import {
  decodeMergeMessage,
  decodePlan,
  type Manifest,
  type MergeMessage,
} from '../../functions/pipeline/work-files.js';
import { validateConfig as config, keepingSender, mergeConfig } from './handlers/handlers.js';
import { closableMemorySpill, memoryStore, recordingLogger, recordingMetrics } from './helpers.js';

const NOW = new Date('2026-11-28T10:00:00Z');

function manifest(overrides: Partial<Manifest> = {}): Manifest {
  return {
    version: 1,
    batchId: '2026-11-28-b-0123456789',
    source: {
      bucket: 'intake',
      key: 'incoming/b.csv',
      name: 'b.csv',
      bytes: 3,
      sha256: 'x',
      gzipped: false,
      encoding: 'utf-8',
    },
    eventTime: NOW.toISOString(),
    asOf: '2026-11-28',
    unknownColumns: [],
    rulePacks: { packs: [] },
    expectedChunks: 0,
    shards: 1,
    expectedLines: 0,
    framerRejected: 0,
    chunks: [],
    createdAt: NOW.toISOString(),
    ...overrides,
  };
}
// A rejected batch merges without parts: enough to exercise the locks.
const rejected = manifest({ rejection: { code: 'EMPTY_FILE', message: 'The file is empty.' } });

function setup() {
  const store = memoryStore();
  const logs: string[] = [];
  const sender = keepingSender();
  const deps: CompletionDeps = {
    config,
    store,
    sender,
    logger: recordingLogger(logs)('validate'),
    now: () => NOW,
  };
  const merge: MergeDeps = {
    config: mergeConfig,
    store,
    sender,
    logger: recordingLogger(logs)('merge'),
    metrics: recordingMetrics([]),
    openSpill: closableMemorySpill,
    now: () => NOW,
  };
  return { store, logs, deps, merge, sender, keys: workKeys(rejected.batchId) };
}

describe('completeIfLast', () => {
  it('waits while a chunk has neither a part nor a failure marker', async () => {
    const { store, deps } = setup();
    const chunks = [0, 1, 2].map((index) => ({
      index,
      firstLine: 2 + index * 10,
      lastLine: 11 + index * 10,
      records: 10,
    }));
    const threeChunks = manifest({ chunks, expectedChunks: 3, expectedLines: 30 });
    const keys = workKeys(threeChunks.batchId);
    await store.write('work', keys.part(0), '{}');
    await store.write('work', keys.failed(1), '{}');
    expect(await completeIfLast(deps, threeChunks, 'message:a')).toBe('waiting');
    expect(await progressOf(deps, threeChunks)).toEqual({ pending: [chunks[2]], missing: [chunks[1]] });
    await store.write('work', keys.part(1), '{}'); // redriven and checked: a part wins over the marker
    expect((await progressOf(deps, threeChunks)).missing).toEqual([]);
    // A part stored by the previous release (`…/parts/000002.json`) stops the batch with a reason.
    await store.write('work', `${keys.partsPrefix}000002.json`, '{}');
    await expect(progressOf(deps, threeChunks)).rejects.toThrow(/part 2 was stored by an earlier release/);
  });

  it('lets exactly one of two simultaneous finishers send the shards, after writing the plan', async () => {
    const { store, deps, keys, sender } = setup();
    const outcomes = await Promise.all([
      completeIfLast(deps, rejected, 'message:a'),
      completeIfLast(deps, rejected, 'message:b'),
    ]);
    expect(outcomes.sort()).toEqual(['dispatched', 'dispatched-elsewhere']);
    expect(sender.sent.map(decodeMergeMessage)).toEqual([
      { version: 1, kind: 'shard', batchId: rejected.batchId, state: 'rejected', shard: 0 },
    ]);
    const plan = decodePlan((await store.read('work', keys.plan('rejected')))!, 'plan');
    expect(plan).toMatchObject({ state: 'rejected', shards: 1, missing: [] });
    expect(await store.exists('work', keys.done('rejected'))).toBe(true);
    expect(await completeIfLast(deps, rejected, 'message:c')).toBe('already-dispatched');
    expect(sender.sent).toHaveLength(1);
  });

  it('sends one message per shard of the manifest', async () => {
    const { deps, sender } = setup();
    expect(await completeIfLast(deps, { ...rejected, shards: 3 }, 'message:a')).toBe('dispatched');
    expect(sender.sent.map((body) => decodeMergeMessage(body))).toEqual(
      [0, 1, 2].map((shard) => expect.objectContaining({ kind: 'shard', shard })),
    );
  });

  it('lets the owner of the lock finish a merge it crashed in', async () => {
    const { store, deps, keys, logs } = setup();
    await store.write(
      'work',
      keys.lock('rejected', 0),
      JSON.stringify({ version: 1, owner: 'message:a', takenAt: NOW.toISOString() }),
    );
    expect(await completeIfLast(deps, rejected, 'message:b')).toBe('dispatched-elsewhere');
    expect(await completeIfLast(deps, rejected, 'message:a')).toBe('dispatched');
    expect(logs.some((line) => line.includes('finishing what was interrupted'))).toBe(true);
  });

  it('takes over a lock abandoned for longer than a validate can run', async () => {
    const { store, deps, keys, logs } = setup();
    const old = new Date(NOW.getTime() - STALE_LOCK_MS - 1000).toISOString();
    await store.write(
      'work',
      keys.lock('rejected', 0),
      JSON.stringify({ version: 1, owner: 'message:dead', takenAt: old }),
    );
    expect(await completeIfLast(deps, rejected, 'message:b')).toBe('dispatched');
    expect(await store.exists('work', keys.lock('rejected', 1))).toBe(true);
    expect(logs.some((line) => line.includes('taking over'))).toBe(true);
  });

  it('stops on a lock without takenAt instead of reading it as alive forever', async () => {
    const { store, deps, keys } = setup();
    const key = keys.lock('rejected', 0);
    await store.write('work', key, JSON.stringify({ version: 1, owner: 'message:dead' }));
    await expect(completeIfLast(deps, rejected, 'message:b')).rejects.toThrow(
      expect.objectContaining({ code: 'BAD_WORK_FILE', message: `${key}: takenAt: missing` }),
    );
    expect(await store.exists('work', keys.done('rejected'))).toBe(false);
  });
});

describe('the render ranges and the assembly', () => {
  async function planned(shards = 1) {
    const context = setup();
    const batch = { ...rejected, shards };
    await context.store.write('work', context.keys.manifest, JSON.stringify(batch));
    expect(await completeIfLast(context.deps, batch, 'message:v')).toBe('dispatched');
    const messages = context.sender.sent.splice(0).map(decodeMergeMessage);
    return { ...context, messages, message: messages[0]! };
  }
  const renderOf = (message: MergeMessage, range = 0): MergeMessage => ({
    version: 1,
    kind: 'render',
    batchId: message.batchId,
    state: message.state,
    range,
  });

  it('goes from the shard of a one-shard batch to its report in one invocation, sending nothing', async () => {
    const { store, merge, message, keys, sender } = await planned();
    expect(await processMergeMessage(merge, message, { messageId: 'a' })).toBe('reported');
    expect(sender.sent).toEqual([]);
    expect(await store.exists('work', keys.render('rejected', 0))).toBe(true);
    expect(await store.exists('reports', `reports/${rejected.batchId}/summary.json`)).toBe(true);
    expect(await processMergeMessage(merge, message, { messageId: 'b' })).toBe('already-reported');
  });

  it('lets exactly one of two deliveries of the last shard send the other ranges; it renders the first', async () => {
    const { store, merge, messages, keys, sender } = await planned(2);
    expect(await processMergeMessage(merge, messages[0]!, { messageId: 's0' })).toBe('waiting');
    expect(sender.sent).toEqual([]);
    const outcomes = await Promise.all([
      processMergeMessage(merge, messages[1]!, { messageId: 'a' }),
      processMergeMessage(merge, messages[1]!, { messageId: 'b' }),
    ]);
    expect(outcomes).toContain('waiting');
    for (const outcome of outcomes) expect(['waiting', 'renders-sent-elsewhere']).toContain(outcome);
    expect(sender.sent.map(decodeMergeMessage)).toEqual([renderOf(messages[0]!, 1)]);
    expect(await store.exists('work', keys.rendering('rejected'))).toBe(true);
    expect(await store.exists('work', keys.render('rejected', 0))).toBe(true);
    expect(await processMergeMessage(merge, messages[1]!, { messageId: 'c' })).toBe('waiting');
    expect(sender.sent).toHaveLength(1);
  });

  it('lets exactly one of two deliveries of the last range write the report', async () => {
    const { store, merge, messages, keys } = await planned(2);
    await processMergeMessage(merge, messages[0]!, { messageId: 's0' });
    expect(await processMergeMessage(merge, messages[1]!, { messageId: 's1' })).toBe('waiting');
    const last = renderOf(messages[0]!, 1);
    const outcomes = await Promise.all([
      processMergeMessage(merge, last, { messageId: 'a' }),
      processMergeMessage(merge, last, { messageId: 'b' }),
    ]);
    expect(outcomes.sort()).toEqual(['reported', 'reported-elsewhere']);
    expect(await store.exists('reports', `reports/${rejected.batchId}/summary.json`)).toBe(true);
    expect(await store.exists('work', keys.reported('rejected'))).toBe(true);
    expect(await processMergeMessage(merge, last, { messageId: 'c' })).toBe('already-reported');
  });

  it('lets the owner finish an assembly it crashed in', async () => {
    const { store, merge, messages, keys, logs } = await planned(2);
    await processMergeMessage(merge, messages[0]!, { messageId: 's0' });
    await processMergeMessage(merge, messages[1]!, { messageId: 's1' });
    await store.write(
      'work',
      keys.assemblyLock('rejected', 0),
      JSON.stringify({ version: 1, owner: 'message:b', takenAt: NOW.toISOString() }),
    );
    const last = renderOf(messages[0]!, 1);
    expect(await processMergeMessage(merge, last, { messageId: 'c' })).toBe('reported-elsewhere');
    expect(await processMergeMessage(merge, last, { messageId: 'b' })).toBe('reported');
    expect(logs.some((line) => line.includes('finishing what was interrupted'))).toBe(true);
  });

  it('lets the owner of the render lock send the ranges again after a crash', async () => {
    const { store, merge, messages, keys, sender } = await planned(2);
    await processMergeMessage(merge, messages[0]!, { messageId: 's0' });
    await store.write(
      'work',
      keys.renderLock('rejected', 0),
      JSON.stringify({ version: 1, owner: 'message:a', takenAt: NOW.toISOString() }),
    );
    expect(await processMergeMessage(merge, messages[1]!, { messageId: 'b' })).toBe('renders-sent-elsewhere');
    expect(sender.sent).toEqual([]);
    expect(await processMergeMessage(merge, messages[1]!, { messageId: 'a' })).toBe('waiting');
    expect(sender.sent.map(decodeMergeMessage)).toEqual([renderOf(messages[0]!, 1)]);
  });

  it('takes over an assembly lock abandoned for longer than a merge can run', async () => {
    const { store, merge, message, keys } = await planned();
    const old = new Date(NOW.getTime() - STALE_ASSEMBLY_LOCK_MS - 1000).toISOString();
    await store.write(
      'work',
      keys.assemblyLock('rejected', 0),
      JSON.stringify({ version: 1, owner: 'message:dead', takenAt: old }),
    );
    expect(await processMergeMessage(merge, message, { messageId: 'b' })).toBe('reported');
    expect(await store.exists('work', keys.assemblyLock('rejected', 1))).toBe(true);
  });

  it('refuses a shard or a range the plan does not have', async () => {
    const { merge, message } = await planned();
    await expect(
      processMergeMessage(merge, { ...message, kind: 'shard', shard: 1 } as MergeMessage, { messageId: 'a' }),
    ).rejects.toThrow(
      expect.objectContaining({ code: 'NOT_IN_PLAN', message: expect.stringContaining('shard 1') }),
    );
    await expect(processMergeMessage(merge, renderOf(message, 1), { messageId: 'a' })).rejects.toThrow(
      expect.objectContaining({ code: 'NOT_IN_PLAN', message: expect.stringContaining('render range 1') }),
    );
  });
});
