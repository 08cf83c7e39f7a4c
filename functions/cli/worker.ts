/** Worker thread: checks the chunks the main thread sends and posts back each partial. */
import { parentPort } from 'node:worker_threads';
import { checkChunk } from '../core/engine/check-chunk.js';
import type { ChunkJob, ChunkReply } from './worker-pool.js';

parentPort?.on('message', (job: ChunkJob) => {
  let reply: ChunkReply;
  try {
    reply = { id: job.id, partial: checkChunk(job.chunk, job.layout, { asOfDay: job.asOfDay }) };
  } catch (error) {
    reply = { id: job.id, error: (error as Error).message };
  }
  parentPort?.postMessage(reply);
});
