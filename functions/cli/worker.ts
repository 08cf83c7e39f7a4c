/** Worker thread: checks the chunks the main thread sends and posts back each partial. */
import { parentPort, workerData } from 'node:worker_threads';
import { z } from 'zod';
import type { ChunkPartial } from '../core/engine/check-chunk.js';
import { checkAndCut, isCut } from '../core/engine/partitioned-merge.js';
import { loadRuleBooks, PackChoiceSchema } from '../core/rules/packs/load.js';
import type { ChunkJob, ChunkReply } from './worker-pool.js';

// The main thread validated these packs already: loading them again cannot fail differently.
const books = loadRuleBooks(z.object({ packs: PackChoiceSchema }).parse(workerData).packs);

parentPort?.on('message', (job: ChunkJob) => {
  try {
    const partial = checkAndCut(job.chunk, job.layout, { asOfDay: job.asOfDay, books }, job.partitions);
    const reply: ChunkReply = { id: job.id, partial };
    // The big arrays move, not copy: they are most of the partial's bytes.
    parentPort?.postMessage(
      reply,
      isCut(partial) ? piecesOf(partial.claimPieces, partial.memberPieces) : arraysOf(partial),
    );
  } catch (error) {
    const reply: ChunkReply = { id: job.id, error: (error as Error).message };
    parentPort?.postMessage(reply);
  }
});

const arraysOf = (partial: ChunkPartial): ArrayBuffer[] => [
  partial.keys.bytes.buffer as ArrayBuffer,
  partial.keys.ends.buffer as ArrayBuffer,
  partial.plainLineNos.buffer as ArrayBuffer,
  partial.books.buffer as ArrayBuffer,
  partial.facts.buffer as ArrayBuffer,
];

/** Buffers that own their memory; a small one may share Node's buffer pool and must be copied instead. */
const piecesOf = (...sides: (Uint8Array | null)[][]): ArrayBuffer[] =>
  sides
    .flat()
    .filter((piece): piece is Uint8Array => piece !== null && piece.byteLength === piece.buffer.byteLength)
    .map((piece) => piece.buffer as ArrayBuffer);
