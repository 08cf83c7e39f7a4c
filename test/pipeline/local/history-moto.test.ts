/**
 * Optional: member history on moto_server (`--endpoint`), whose DynamoDB holds the history table beside
 * its S3 and SQS. Skipped where moto_server is not installed; nothing a user needs relies on it.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_HISTORY_TABLE } from '../../../functions/local/history.js';
import { type RunPipelineOptions, runPipeline } from '../../../functions/local/run.js';
import { LocalPipeline } from '../../../functions/local/runner.js';
import { STATE_FOLDER } from '../../../functions/local/state-folder.js';
import { flaggedBy, HISTORY_AS_OF, writeNightlyBatches } from '../../support/history-batches.js';
import { hasMoto, motoForTests } from '../../support/moto.js';
import { processUpload, reprocess } from './reprocess.js';

const moto = motoForTests();
let folder: string;
let batches: string[];
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'scrub62323-history-moto-'));
  batches = await writeNightlyBatches(folder);
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

const NOW = () => new Date(`${HISTORY_AS_OF}T12:00:00Z`);

function run(file: string, options: Partial<RunPipelineOptions> = {}) {
  return runPipeline({
    file,
    asOf: HISTORY_AS_OF,
    endpoint: moto.endpoint,
    chunkLines: 2,
    logLevel: 'SILENT',
    timeoutMs: 60_000,
    now: NOW,
    // Given, but with an endpoint the history is the endpoint's table: the folder is never made.
    historyStore: { stateDir: join(folder, STATE_FOLDER) },
    ...options,
  });
}

async function storedItems(): Promise<number> {
  const documents = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: moto.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
  try {
    const { Count } = await documents.send(
      new ScanCommand({ TableName: LOCAL_HISTORY_TABLE, Select: 'COUNT', ConsistentRead: true }),
    );
    return Count ?? 0;
  } finally {
    documents.destroy();
  }
}

describe.skipIf(!hasMoto)('member history on moto_server', () => {
  it('flags the fifth session in the third run; the same upload processed again writes nothing new', {
    timeout: 120_000,
  }, async () => {
    const first = await run(batches[0]!, { historyStore: { fresh: true } });
    const second = await run(batches[1]!);
    const third = await run(batches[2]!);
    expect(flaggedBy(first.files['findings.csv'], 'FREQUENCY_EXCEEDED')).toEqual([]);
    expect(flaggedBy(second.files['findings.csv'], 'FREQUENCY_EXCEEDED')).toEqual([]);
    expect(flaggedBy(third.files['findings.csv'], 'FREQUENCY_EXCEEDED')).toEqual([2]);
    expect(await storedItems()).toBe(8);
    expect(await readdir(folder)).not.toContain(STATE_FOLDER);

    const pipeline = await LocalPipeline.start({
      endpoint: moto.endpoint,
      logLevel: 'SILENT',
      chunkLines: 2,
      now: NOW,
    });
    try {
      // moto keeps object versions, so uploading the same bytes again is a new batch: its sessions
      // are new records of the same dates, which count once.
      const upload = await pipeline.uploadFile(batches[2]!, { asOf: HISTORY_AS_OF });
      const batchId = await processUpload(pipeline, upload);
      expect(batchId).not.toBe(third.batchId);
      const findings = (await pipeline.readReport(batchId))['findings.csv'];
      expect(flaggedBy(findings, 'FREQUENCY_EXCEEDED')).toEqual([2]);
      expect(await storedItems()).toBe(10);

      // The same upload processed again from scratch is the same batch: the same report, no new item.
      expect(await reprocess(pipeline, upload, batchId)).toBe(batchId);
      expect((await pipeline.readReport(batchId))['findings.csv']).toBe(findings);
      expect(await storedItems()).toBe(10);
    } finally {
      await pipeline.stop();
    }
  });

  it('starts over with a fresh table', { timeout: 60_000 }, async () => {
    await run(batches[0]!, { historyStore: { fresh: true } });
    await run(batches[1]!);
    const fresh = await run(batches[2]!, { historyStore: { fresh: true } });
    expect(flaggedBy(fresh.files['findings.csv'], 'FREQUENCY_EXCEEDED')).toEqual([]);
    expect(await storedItems()).toBe(2);
  });
});
