/** A ChunkChecker on worker threads: both cores parse and check while the main thread frames and merges. */
import { Worker } from 'node:worker_threads';
import type { ChunkPartial } from '../core/engine/check-chunk.js';
import type { RawChunk } from '../core/intake/chunk.js';
import type { ColumnLayout } from '../core/intake/columns.js';
import type { ChunkChecker } from '../core/scrub.js';

export interface ChunkJob {
  readonly id: number;
  readonly chunk: RawChunk;
  readonly layout: ColumnLayout;
  readonly asOfDay: number;
}

export type ChunkReply =
  | { readonly id: number; readonly partial: ChunkPartial }
  | { readonly id: number; readonly error: string };

export interface WorkerPool extends ChunkChecker {
  close(): Promise<void>;
}

export function startWorkerPool(workerUrl: URL, workers: number): WorkerPool {
  // Small heaps: a worker holds one chunk at a time, and capped heaps collect sooner (lower peak RSS).
  const threads = Array.from(
    { length: workers },
    () =>
      new Worker(workerUrl, { resourceLimits: { maxOldGenerationSizeMb: 96, maxYoungGenerationSizeMb: 16 } }),
  );
  const idle = [...threads];
  const waiting: (() => void)[] = [];
  const pending = new Map<
    number,
    { resolve: (partial: ChunkPartial) => void; reject: (error: Error) => void; thread: Worker }
  >();
  let nextId = 0;

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
    thread.on('error', (error) => {
      for (const [id, job] of pending) {
        if (job.thread !== thread) continue;
        pending.delete(id);
        job.reject(error);
      }
    });
  }

  const acquire = async (): Promise<Worker> => {
    while (idle.length === 0) await new Promise<void>((resolve) => waiting.push(resolve));
    return idle.pop()!;
  };

  return {
    // One chunk per worker in flight, one more queued per worker, so framing never waits on a slow merge.
    parallelism: workers * 2,
    async check(chunk: RawChunk, layout: ColumnLayout, asOfDay: number): Promise<ChunkPartial> {
      const thread = await acquire();
      const id = nextId++;
      return new Promise<ChunkPartial>((resolve, reject) => {
        pending.set(id, { resolve, reject, thread });
        const job: ChunkJob = { id, chunk, layout, asOfDay };
        thread.postMessage(job, [chunk.text.buffer as ArrayBuffer]);
      });
    },
    async close() {
      await Promise.all(threads.map((thread) => thread.terminate()));
    },
  };
}
