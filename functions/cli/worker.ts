/** Worker thread: checks the chunks the main thread sends and posts back each partial. */
import { parentPort } from 'node:worker_threads';
import { checkChunk } from '../core/engine/check-chunk.js';
import type { ChunkJob, ChunkReply } from './worker-pool.js';

parentPort?.on('message', (job: ChunkJob) => {
  try {
    const partial = checkChunk(job.chunk, job.layout, { asOfDay: job.asOfDay });
    const reply: ChunkReply = { id: job.id, partial };
    // The packed keys, line numbers and facts move, not copy: they are most of the partial's bytes.
    parentPort?.postMessage(reply, [
      partial.keys.bytes.buffer as ArrayBuffer,
      partial.keys.ends.buffer as ArrayBuffer,
      partial.plainLineNos.buffer as ArrayBuffer,
      partial.facts.buffer as ArrayBuffer,
    ]);
  } catch (error) {
    const reply: ChunkReply = { id: job.id, error: (error as Error).message };
    parentPort?.postMessage(reply);
  }
});
