/**
 * Member history across nightly runs of the local pipeline: each run's embedded DynamoDB emulator
 * keeps its data in the state folder, so later runs count the sessions of earlier ones, as the
 * deployed table does.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHistory } from '../../../functions/local/history.js';
import { type RunPipelineOptions, runPipeline } from '../../../functions/local/run.js';
import { LocalPipeline, PipelineRunError } from '../../../functions/local/runner.js';
import { holdStateFolder, STATE_FOLDER } from '../../../functions/local/state-folder.js';
import {
  FREQUENT_MEMBER,
  findingRows,
  flaggedBy,
  HISTORY_AS_OF,
  writeNightlyBatches,
} from '../../support/history-batches.js';
import { processUpload, reprocess } from './reprocess.js';

let folder: string;
let batches: string[];
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'scrub62323-history-'));
  batches = await writeNightlyBatches(folder);
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

/** A fresh working directory's state folder. */
const newStateDir = async () => join(await mkdtemp(join(folder, 'cwd-')), STATE_FOLDER);

// Noon UTC: the batch id's date is the same however long the test takes.
const NOW = () => new Date(`${HISTORY_AS_OF}T12:00:00Z`);

function run(file: string, stateDir: string, options: Partial<RunPipelineOptions> = {}) {
  return runPipeline({
    file,
    asOf: HISTORY_AS_OF,
    chunkLines: 2, // the sessions of one batch span chunks
    logLevel: 'SILENT',
    timeoutMs: 60_000,
    now: NOW,
    historyStore: { stateDir },
    ...options,
  });
}

/** Items in the state folder's history table (a Scan, as an operator would count them). */
async function storedItems(stateDir: string): Promise<Record<string, unknown>[]> {
  const history = await openHistory({ kind: 'embedded', stateDir });
  try {
    const { Items = [] } = await history.documents.send(
      new ScanCommand({ TableName: history.tableName, ConsistentRead: true }),
    );
    return Items;
  } finally {
    await history.close();
  }
}

/** Items in a running pipeline's history table (the state folder is held by the run). */
async function countItems(pipeline: LocalPipeline): Promise<number> {
  const documents = DynamoDBDocumentClient.from(pipeline.admin.dynamodb);
  const { Count } = await documents.send(
    new ScanCommand({ TableName: pipeline.historyTable, Select: 'COUNT', ConsistentRead: true }),
  );
  return Count ?? 0;
}

describe('member history in the local pipeline', () => {
  it('flags the fifth session, in the third nightly run, from the history the first two left in the state folder', async () => {
    const stateDir = await newStateDir();
    const first = await run(batches[0]!, stateDir);
    const second = await run(batches[1]!, stateDir);
    const third = await run(batches[2]!, stateDir);
    expect(flaggedBy(first.files['findings.csv'], 'FREQUENCY_EXCEEDED')).toEqual([]);
    expect(flaggedBy(second.files['findings.csv'], 'FREQUENCY_EXCEEDED')).toEqual([]);
    expect(flaggedBy(third.files['findings.csv'], 'FREQUENCY_EXCEEDED')).toEqual([2]);
    const [finding] = findingRows(third.files['findings.csv']).filter(
      (row) => row.ruleId === 'FREQUENCY_EXCEEDED',
    );
    // The message names the earlier batches the sessions came from: they were read from the table.
    expect(finding!.message).toContain(first.batchId);
    expect(finding!.message).toContain(second.batchId);
    expect(third.summary.counts.findings.error).toBe(1);

    // Every session line of the three batches, once: 3 + 3 + 2.
    const items = await storedItems(stateDir);
    expect(items).toHaveLength(8);
    expect(items.filter((item) => item.memberKey === FREQUENT_MEMBER)).toHaveLength(5);
  });

  it('keeps the state folder private and git-ignored, and leaves no lock behind', async () => {
    const stateDir = await newStateDir();
    await run(batches[0]!, stateDir);
    expect((await stat(stateDir)).mode & 0o777).toBe(0o700);
    expect(await readFile(join(stateDir, '.gitignore'), 'utf8')).toMatch(/^\*$/m);
    expect((await readdir(stateDir)).sort()).toEqual(['.gitignore', 'history']);
  });

  it('reprocessing the same upload flags nothing new and writes no new item', async () => {
    const stateDir = await newStateDir();
    for (const file of batches) await run(file, stateDir);
    const before = await storedItems(stateDir);
    const first = await run(batches[2]!, stateDir);
    // The same bytes on the same day are the same batch: its own sessions never count twice.
    const again = await run(batches[2]!, stateDir);
    expect(again.batchId).toBe(first.batchId);
    expect(again.files['findings.csv']).toBe(first.files['findings.csv']);
    expect(flaggedBy(again.files['findings.csv'], 'FREQUENCY_EXCEEDED')).toEqual([2]);
    expect(flaggedBy(again.files['findings.csv'], 'PRIOR_BATCH_DUPLICATE')).toEqual([]);
    const after = await storedItems(stateDir);
    expect(after).toHaveLength(before.length);
    expect(new Set(after.map((item) => JSON.stringify(item)))).toEqual(
      new Set(before.map((item) => JSON.stringify(item))),
    );
  });

  it('a duplicate event, or the upload processed again from scratch, writes no new item', {
    timeout: 60_000,
  }, async () => {
    const stateDir = await newStateDir();
    await run(batches[0]!, stateDir);
    await run(batches[1]!, stateDir);
    const pipeline = await LocalPipeline.start({
      logLevel: 'SILENT',
      chunkLines: 2,
      now: NOW,
      historyStore: { stateDir },
    });
    try {
      const upload = await pipeline.uploadFile(batches[2]!, { asOf: HISTORY_AS_OF });
      const batchId = await processUpload(pipeline, upload);
      const findings = (await pipeline.readReport(batchId))['findings.csv'];
      expect(flaggedBy(findings, 'FREQUENCY_EXCEEDED')).toEqual([2]);
      const items = await countItems(pipeline);
      expect(items).toBe(8);

      await pipeline.announce(upload); // a duplicate S3 event: split finds the batch dispatched
      await pipeline.drain({ timeoutMs: 30_000 });
      expect(pipeline.notices).toHaveLength(1);

      expect(await reprocess(pipeline, upload, batchId)).toBe(batchId);
      expect((await pipeline.readReport(batchId))['findings.csv']).toBe(findings);
      expect(await countItems(pipeline)).toBe(items);
      expect(pipeline.stats().validate.failedMessages).toBe(0);
    } finally {
      await pipeline.stop();
    }
  });

  it('starts over with a fresh history: the third run no longer counts the first two', async () => {
    const stateDir = await newStateDir();
    await run(batches[0]!, stateDir);
    await run(batches[1]!, stateDir);
    const fresh = await run(batches[2]!, stateDir, { historyStore: { stateDir, fresh: true } });
    expect(flaggedBy(fresh.files['findings.csv'], 'FREQUENCY_EXCEEDED')).toEqual([]);
    // The fresh history holds this run's sessions only, and the next run counts them.
    expect(await storedItems(stateDir)).toHaveLength(2);
  });

  it('imports --history files into the table, and without a table still reads them from history/', async () => {
    const prior = join(folder, 'prior.csv');
    await writeFile(
      prior,
      [
        'member_id,date_of_service,procedure_code',
        `${FREQUENT_MEMBER.toLowerCase()},01/12/2026,62323`,
        `${FREQUENT_MEMBER},2026-03-09,62323`,
        `${FREQUENT_MEMBER},2026-05-11,64483`,
        `${FREQUENT_MEMBER},2026-07-13,62323`,
        ',2026-07-13,62323',
        `${FREQUENT_MEMBER},"2026-08-03,62323`,
        `${FREQUENT_MEMBER},2026-09-14,64484`,
      ].join('\n'),
    );
    const notices: string[] = [];
    const stateDir = await newStateDir();
    const imported = await run(batches[2]!, stateDir, {
      history: [prior],
      onNotice: (text) => notices.push(text),
    });
    expect(flaggedBy(imported.files['findings.csv'], 'FREQUENCY_EXCEEDED')).toEqual([2]);
    expect(notices).toEqual([
      'history: 2 row(s) of prior.csv ignored (missing or invalid values, or no CSV)',
    ]);
    expect(await storedItems(stateDir)).toHaveLength(5 + 2);
    // The table holds only what the import accepted: this batch read no bad row.
    expect(imported.summary.history).toEqual({ ignoredRows: 0 });

    const withoutTable = await run(batches[2]!, stateDir, { history: [prior], historyStore: false });
    expect(flaggedBy(withoutTable.files['findings.csv'], 'FREQUENCY_EXCEEDED')).toEqual([2]);
    expect(withoutTable.summary.history).toEqual({ ignoredRows: 2 });
  });

  it('refuses, in one sentence, a state folder another run is using', async () => {
    const stateDir = await newStateDir();
    const held = await holdStateFolder(stateDir);
    try {
      const attempt = run(batches[0]!, stateDir);
      await expect(attempt).rejects.toBeInstanceOf(PipelineRunError);
      await expect(attempt).rejects.toThrow(
        `the history in ${stateDir} is in use by another scrub62323 run (process ${process.pid}); run again when it has finished`,
      );
    } finally {
      await held.release();
    }
  });

  it('takes over the lock of a run that was killed', async () => {
    const stateDir = await newStateDir();
    await (await holdStateFolder(stateDir)).release();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    await writeFile(join(stateDir, 'lock'), `${dead.stdout.toString()}\n`); // that process has ended
    const done = await run(batches[0]!, stateDir);
    expect(done.summary.status).toBe('complete');
    expect(await readdir(stateDir)).not.toContain('lock');
  });
});
