/**
 * Optional: the pipeline against moto_server (`--endpoint`), using moto's own S3 → SQS notifications
 * and conditional writes. Skipped where moto_server is not installed; nothing a user needs relies on it.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runPipeline } from '../../../functions/local/run.js';
import { sleep } from '../../../functions/pipeline/sleep.js';
import { AS_OF, referenceReport, SAMPLE } from '../helpers.js';

const hasMoto = spawnSync('moto_server', ['--help'], { stdio: 'ignore' }).status === 0;
let moto: ChildProcess | undefined;
let endpoint = '';

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

beforeAll(async () => {
  if (!hasMoto) return;
  const port = await freePort();
  endpoint = `http://127.0.0.1:${port}`;
  moto = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  for (let attempt = 0; attempt < 100; attempt += 1) {
    if (
      await fetch(`${endpoint}/moto-api/`).then(
        () => true,
        () => false,
      )
    )
      return;
    await sleep(100);
  }
  throw new Error('moto_server did not start');
});
afterAll(() => {
  moto?.kill();
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
