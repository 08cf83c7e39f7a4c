/**
 * findings.csv composed from rendered line ranges on the embedded emulator: a dense batch whose
 * ranges each hold more than 5 MiB of rows, so S3 copies them into the report (UploadPartCopy) and
 * only the seams pass through the assembly; the report is the one `check` writes of the file.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { DENSE_PROFILE, writeSyntheticBatch } from '../../../bench/generate-batch.js';
import type { Summary } from '../../../functions/core/report/summary.js';
import { AS_OF, expectSameAsCheck } from '../helpers.js';
import { pipelineStarter } from './pipelines.js';

const start = pipelineStarter({ chunkLines: 20_000, mergeShardLines: 100_000, historyStore: false });

it('copies each big rendered range into findings.csv and reports the batch as check does', {
  timeout: 240_000,
}, async () => {
  const folder = await mkdtemp(join(tmpdir(), 'scrub62323-compose-'));
  try {
    const file = join(folder, 'dense.csv');
    await writeSyntheticBatch(file, 200_000, 62323, DENSE_PROFILE);
    const body = await readFile(file);
    const pipeline = await start();
    const upload = await pipeline.uploadFile(file, { asOf: AS_OF });
    await pipeline.announce(upload);
    await pipeline.drain({ until: () => pipeline.noticeFor(upload) !== undefined, timeoutMs: 200_000 });
    const { batchId } = pipeline.noticeFor(upload)!;
    const files = await pipeline.readReport(batchId);
    const summary = JSON.parse(files['summary.json']) as Summary;
    const rendered = await pipeline.listObjects(
      pipeline.resources.buckets.work,
      `work/${batchId}/merge/complete/render/`,
    );
    // Two shards, so two line ranges, each over 5 MiB: copied, not read.
    expect(rendered.map((item) => item.size > 5 * 1024 * 1024)).toEqual([true, true]);
    expect(pipeline.stats().requests['s3:UploadPartCopy']).toBeGreaterThanOrEqual(2);
    await expectSameAsCheck(files, body, summary);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
});
