/**
 * Optional: the pipeline against moto_server (`--endpoint`), using moto's own S3 → SQS notifications
 * and conditional writes. Skipped where moto_server is not installed; nothing a user needs relies on it.
 */
import { readFile } from 'node:fs/promises';
import { expect, it } from 'vitest';
import { runPipeline } from '../../../functions/local/run.js';
import { MIN_SPLIT_RANGE_BYTES } from '../../../functions/pipeline/topology.js';
import { hasMoto, motoForTests } from '../../support/moto.js';
import { AS_OF, expectSameAsCheck, SAMPLE } from '../helpers.js';

const moto = motoForTests();

it.skipIf(!hasMoto)(
  'runs on moto_server with its own bucket notifications, merged in shards, and matches check',
  async () => {
    const run = await runPipeline({
      file: SAMPLE,
      asOf: AS_OF,
      endpoint: moto.endpoint,
      chunkLines: 100,
      mergeShardLines: 200, // 4 shards: moto answers every shard's ranged GETs of the parts
      logLevel: 'SILENT',
      timeoutMs: 60_000,
    });
    expect(run.eventSource).toBe('endpoint');
    expect(run.stats.merge.messages).toBe(7); // four shards, three more line ranges
    await expectSameAsCheck(run.files, await readFile(SAMPLE), run.summary);
  },
);

it.skipIf(!hasMoto)(
  'splits by byte ranges on moto_server (its ranged and conditional GETs), and matches check',
  async () => {
    const run = await runPipeline({
      file: SAMPLE,
      asOf: AS_OF,
      endpoint: moto.endpoint,
      chunkLines: 100,
      splitRangeBytes: MIN_SPLIT_RANGE_BYTES, // the sample is two ranges
      logLevel: 'SILENT',
      timeoutMs: 60_000,
    });
    // moto's s3:TestEvent, the upload's event, two ranges and the hash
    expect(run.stats.split.messages).toBe(5);
    await expectSameAsCheck(run.files, await readFile(SAMPLE), run.summary);
  },
);
