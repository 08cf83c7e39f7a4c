/**
 * A 200k-line batch through the pipeline, with the split function's memory bounded: the live heap
 * and buffers it holds (measured after a full GC at every chunk it stores) stay at a few chunks'
 * worth, however big the upload. The emulator runs in a child process so only split's memory is here.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Summary } from '../../../functions/core/report/summary.js';
import { LocalPipeline } from '../../../functions/local/runner.js';
import { AS_OF } from '../helpers.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const live = (): number => {
  gc();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
};

const LINES = 200_000;
const CHUNK_LINES = 5_000;
const MB = 1024 * 1024;
let folder: string;
let file: string;

beforeAll(async () => {
  // The clean sample's records over and over, each with its own claim id.
  const [header, ...records] = (await readFile('samples/clean-batch.csv', 'utf8')).trimEnd().split('\n');
  const rows = [header];
  for (let index = 0; index < LINES; index += 1) {
    rows.push(records[index % records.length]!.replace(/^CLM\d+/, `CLM${index}`));
  }
  folder = await mkdtemp(join(tmpdir(), 'scrub62323-big-'));
  file = join(folder, 'big-batch.csv');
  await writeFile(file, `${rows.join('\n')}\n`);
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

it('splits a 200k-line batch holding only a few chunks in memory', { timeout: 120_000 }, async () => {
  let baseline = 0;
  const growth: number[] = [];
  let splitDone!: () => void;
  const split = new Promise<void>((resolve) => {
    splitDone = resolve;
  });
  const pipeline = await LocalPipeline.start({
    isolatedEmulator: true,
    // This is about split's memory: no history table, whose 67k sessions dynalite writes slowly.
    historyStore: false,
    logLevel: 'SILENT',
    chunkLines: CHUNK_LINES,
    wrapStore: (store, fn) =>
      fn === 'split'
        ? {
            ...store,
            write: async (bucket, key, body, options) => {
              growth.push(live() - baseline);
              return store.write(bucket, key, body, options);
            },
          }
        : store,
    wrapHandler: (handler, fn) =>
      fn === 'split'
        ? async (event) => {
            baseline = live();
            try {
              return await handler(event);
            } finally {
              splitDone();
            }
          }
        : async (event) => {
            await split; // validate starts after split, so its memory is not counted as split's
            return handler(event);
          },
  });
  try {
    const upload = await pipeline.uploadFile(file, { asOf: AS_OF });
    await pipeline.announce(upload);
    await pipeline.drain({ until: () => pipeline.noticeFor(upload) !== undefined, timeoutMs: 110_000 });

    expect(upload.size).toBeGreaterThan(24 * MB);
    expect(growth.length).toBeGreaterThanOrEqual(LINES / CHUNK_LINES); // a sample per chunk (and the manifest)
    const peak = Math.max(...growth);
    expect(peak).toBeLessThan(16 * MB); // the whole upload would be 24+ MB; each chunk is ~0.7 MB
    const firstHalf = Math.max(...growth.slice(0, growth.length / 2));
    const secondHalf = Math.max(...growth.slice(growth.length / 2));
    expect(secondHalf).toBeLessThan(firstHalf + 4 * MB); // no growth with the lines read

    const notice = pipeline.noticeFor(upload)!;
    const summary = JSON.parse((await pipeline.readReport(notice.batchId))['summary.json']) as Summary;
    expect(summary).toMatchObject({
      status: 'complete',
      counts: { lines: LINES, checked: LINES, rejected: 0 },
    });
  } finally {
    await pipeline.stop();
  }
});
