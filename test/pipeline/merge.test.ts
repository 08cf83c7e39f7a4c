/** Completion detection and the merge lock, on an in-memory store. */
import { describe, expect, it } from 'vitest';
import type { ValidateConfig } from '../../functions/pipeline/config.js';
import { workKeys } from '../../functions/pipeline/keys.js';
import { completeIfLast, type MergeDeps, progressOf, STALE_LOCK_MS } from '../../functions/pipeline/merge.js';
import type { Manifest } from '../../functions/pipeline/work-files.js';
import { memoryStore, recordingLogger } from './helpers.js';

const config: ValidateConfig = {
  workBucket: 'work',
  reportsBucket: 'reports',
  chunkMaxReceiveCount: 3,
  logLevel: 'INFO',
};
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
    expectedLines: 0,
    framerRejected: 0,
    chunks: [],
    createdAt: NOW.toISOString(),
    ...overrides,
  };
}
// A rejected batch merges without parts: enough to exercise the lock.
const rejected = manifest({ rejection: { code: 'EMPTY_FILE', message: 'The file is empty.' } });

function setup() {
  const store = memoryStore();
  const logs: string[] = [];
  const deps: MergeDeps = { config, store, logger: recordingLogger(logs)('validate'), now: () => NOW };
  return { store, logs, deps, keys: workKeys(rejected.batchId) };
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

  it('lets exactly one of two simultaneous finishers merge', async () => {
    const { store, deps, keys } = setup();
    const outcomes = await Promise.all([
      completeIfLast(deps, rejected, 'message:a'),
      completeIfLast(deps, rejected, 'message:b'),
    ]);
    expect(outcomes.sort()).toEqual(['merged', 'merged-elsewhere']);
    expect(await store.exists('reports', `reports/${rejected.batchId}/summary.json`)).toBe(true);
    expect(await store.exists('work', keys.done('rejected'))).toBe(true);
    expect(await completeIfLast(deps, rejected, 'message:c')).toBe('already-merged');
  });

  it('lets the owner of the lock finish a merge it crashed in', async () => {
    const { store, deps, keys, logs } = setup();
    await store.write(
      'work',
      keys.lock('rejected', 0),
      JSON.stringify({ version: 1, owner: 'message:a', takenAt: NOW.toISOString() }),
    );
    expect(await completeIfLast(deps, rejected, 'message:b')).toBe('merged-elsewhere');
    expect(await completeIfLast(deps, rejected, 'message:a')).toBe('merged');
    expect(logs.some((line) => line.includes('finishing an interrupted merge'))).toBe(true);
  });

  it('takes over a lock abandoned for longer than a validate can run', async () => {
    const { store, deps, keys, logs } = setup();
    const old = new Date(NOW.getTime() - STALE_LOCK_MS - 1000).toISOString();
    await store.write(
      'work',
      keys.lock('rejected', 0),
      JSON.stringify({ version: 1, owner: 'message:dead', takenAt: old }),
    );
    expect(await completeIfLast(deps, rejected, 'message:b')).toBe('merged');
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
