/**
 * Optional: the pipeline against moto_server (`--endpoint`), using moto's own S3 → SQS notifications
 * and conditional writes. Skipped where moto_server is not installed; nothing a user needs relies on it.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runPipeline } from '../../../functions/local/run.js';
import { hasMoto, type Moto, startMoto } from '../../support/moto.js';
import { AS_OF, referenceReport, SAMPLE } from '../helpers.js';

let moto: Moto | undefined;
let endpoint = '';

beforeAll(async () => {
  if (!hasMoto) return;
  moto = await startMoto();
  endpoint = moto.endpoint;
});
afterAll(() => {
  moto?.stop();
});

it.skipIf(!hasMoto)('runs on moto_server with its own bucket notifications, and matches check', async () => {
  const run = await runPipeline({
    file: SAMPLE,
    asOf: AS_OF,
    endpoint,
    chunkLines: 100,
    logLevel: 'SILENT',
    timeoutMs: 60_000,
  });
  expect(run.eventSource).toBe('endpoint');
  const reference = await referenceReport(await readFile(SAMPLE), {
    batchId: run.batchId,
    sourceName: run.summary.source.name,
    asOf: AS_OF,
    generatedAt: run.summary.generatedAt,
  });
  expect(run.files).toEqual(reference);
});
