/** A ChunkChecker on worker threads: both cores parse and check while the main thread frames and merges. */
import { Worker } from 'node:worker_threads';
import type { CheckOptions, ChunkPartial } from '../core/engine/check-chunk.js';
import type { CutPartial } from '../core/engine/partitioned-merge.js';
import type { RawChunk } from '../core/intake/chunk.js';
import type { ColumnLayout } from '../core/intake/columns.js';
import type { PackChoice } from '../core/rules/packs/load.js';
import type { ChunkChecker } from '../core/scrub.js';

export interface ChunkJob {
  readonly id: number;
  readonly chunk: RawChunk;
  readonly layout: ColumnLayout;
  readonly asOfDay: number;
  readonly partitions?: number;
}

export type ChunkReply =
  | { readonly id: number; readonly partial: ChunkPartial | CutPartial }
  | { readonly id: number; readonly error: string };

export interface WorkerPool extends ChunkChecker {
  close(): Promise<void>;
}

export interface PoolOptions {
  /**
   * Workers cut partials for a partitioned merge (default true). With fewer workers than cores the
   * main thread has time to spare while it waits on them, so it cuts instead.
   */
  readonly cutPartials?: boolean;
  /** The batch's packs: each worker loads its rule books from them once. */
  readonly packs?: PackChoice;
}

export function startWorkerPool(workerUrl: URL, workers: number, options: PoolOptions = {}): WorkerPool {
  const cutPartials = options.cutPartials ?? true;
  // Small heaps: a worker holds one chunk at a time, and capped heaps collect sooner (lower peak RSS).
  const threads = Array.from(
    { length: workers },
    () =>
      new Worker(workerUrl, {
        // Not the parent's flags: `--input-type` or `--eval` there would stop the worker from starting.
        execArgv: [],
        workerData: { packs: options.packs ?? { packs: [] } },
        resourceLimits: { maxOldGenerationSizeMb: 48, maxYoungGenerationSizeMb: 8 },
      }),
  );
  const idle = [...threads];
  const waiting: (() => void)[] = [];
  const pending = new Map<
    number,
    { resolve: (partial: ChunkPartial | CutPartial) => void; reject: (error: Error) => void }
  >();
  let nextId = 0;
  let failure: Error | undefined;
  let closing = false;

  for (const thread of threads) {
    thread.on('message', (reply: ChunkReply) => {
      const job = pending.get(reply.id);
      if (!job) return;
      pending.delete(reply.id);
      idle.push(thread);
      waiting.shift()?.();
      if ('error' in reply) job.reject(new Error(reply.error));
      else job.resolve(reply.partial);
    });
    // A worker that dies fails the whole run: its chunk is lost, so no report may be written.
    const fail = (error: Error) => {
      failure ??= error;
      for (const [id, job] of pending) {
        pending.delete(id);
        job.reject(failure);
      }
      for (const wake of waiting.splice(0)) wake();
    };
    thread.on('error', fail);
    thread.on('exit', (code) => {
      if (!closing) fail(new Error(`a worker thread stopped unexpectedly (exit code ${code})`));
    });
  }

  const acquire = async (): Promise<Worker> => {
    while (idle.length === 0 && failure === undefined)
      await new Promise<void>((resolve) => waiting.push(resolve));
    if (failure !== undefined) throw failure;
    return idle.pop()!;
  };

  const close = async (): Promise<void> => {
    closing = true;
    await Promise.all(threads.map((thread) => thread.terminate()));
  };

  return {
    // One chunk per worker in flight, one more queued per worker, so framing never waits on a slow merge.
    parallelism: workers * 2,
    async check(
      chunk: RawChunk,
      layout: ColumnLayout,
      { asOfDay }: CheckOptions,
      partitions?: number,
    ): Promise<ChunkPartial | CutPartial> {
      const thread = await acquire();
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        const job: ChunkJob = {
          id,
          chunk,
          layout,
          asOfDay,
          ...(partitions === undefined || !cutPartials ? {} : { partitions }),
        };
        thread.postMessage(job, [chunk.text.buffer as ArrayBuffer]);
      });
    },
    close,
    // Idle threads still hold their heaps, and the end of the merge is the memory peak.
    release: close,
  };
}
