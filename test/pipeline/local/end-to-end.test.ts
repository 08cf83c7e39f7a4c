/**
 * The pipeline end to end on the embedded emulator: real S3 and SQS wire calls, the same handlers as
 * on Lambda, S3 events published as S3 sends them.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { runCheckCommand } from '../../../functions/cli/commands/check.js';
import { REPORT_FILES, TEXT_REPORT_FILES } from '../../../functions/core/report/files.js';
import type { Summary } from '../../../functions/core/report/summary.js';
import { runPipeline } from '../../../functions/local/run.js';
import type { LocalPipeline } from '../../../functions/local/runner.js';
import { BATCH_ID_PATTERN } from '../../../functions/pipeline/batch-id.js';
import { testEvent } from '../../../functions/pipeline/s3-event.js';
import { workbookContents } from '../../support/xlsx.js';
import {
  AS_OF,
  expectSameAsCheck,
  recordingLogger,
  SAMPLE,
  SAMPLE_HISTORY,
  syntheticBatch,
} from '../helpers.js';
import { pipelineStarter } from './pipelines.js';

const start = pipelineStarter({ chunkLines: 100 });

/** Uploads, announces, runs until the report is in; returns the notice and the report files. */
async function process(
  pipeline: LocalPipeline,
  key: string,
  body: Uint8Array,
  options: { asOf?: string } = {},
) {
  const upload = await pipeline.uploadBatch(key, body, options);
  await pipeline.announce(upload);
  await pipeline.drain({ until: () => pipeline.noticeFor(upload) !== undefined, timeoutMs: 60_000 });
  const notice = pipeline.noticeFor(upload)!;
  const files = await pipeline.readReport(notice.batchId);
  return { upload, notice, files, summary: JSON.parse(files['summary.json']) as Summary };
}

describe('the local pipeline', () => {
  it('checks chunks on validate threads of their own (dist/function-thread.js) and reports the same as `check`', async () => {
    const run = await runPipeline({
      file: SAMPLE,
      asOf: AS_OF,
      history: [SAMPLE_HISTORY],
      chunkLines: 50,
      mergeShardLines: 100,
      logLevel: 'SILENT',
      functionThreads: new URL('../../../dist/function-thread.js', import.meta.url),
      timeoutMs: 60_000,
    });
    expect(run.summary).toMatchObject({ status: 'complete', counts: { lines: 724, checked: 722 } });
    expect(run.stats.validate.messages).toBe(15);
    await expectSameAsCheck(run.files, await readFile(SAMPLE), run.summary, SAMPLE_HISTORY);
  });

  it('reports the sample batch exactly as `scrub62323 check` does, merged in shards, with structured logs free of claim data', async () => {
    const logs: string[] = [];
    const run = await runPipeline({
      file: SAMPLE,
      asOf: AS_OF,
      history: [SAMPLE_HISTORY],
      chunkLines: 50, // 15 chunks: duplicates, encounters and sessions span chunks
      mergeShardLines: 100, // 8 shards: claims and members are cut across shards
      logger: recordingLogger(logs),
      timeoutMs: 60_000,
    });
    expect(run.batchId).toMatch(/^\d{4}-\d{2}-\d{2}-nightly-batch-[0-9a-f]{10}$/);
    expect(run.summary).toMatchObject({
      status: 'complete',
      asOf: AS_OF,
      counts: { lines: 724, checked: 722, rejected: 2 },
    });
    expect(run.files['findings.csv']).toMatch(/\n471,.*FREQUENCY_EXCEEDED/); // needs the history file
    await expectSameAsCheck(run.files, await readFile(SAMPLE), run.summary, SAMPLE_HISTORY);

    // And the real command: the same files but for the batch id (check names a batch after its file).
    const folder = await mkdtemp(join(tmpdir(), 'scrub62323-check-'));
    try {
      const code = await runCheckCommand(
        [SAMPLE, '--as-of', AS_OF, '--history', SAMPLE_HISTORY, '--workers', '0', '--out', folder],
        { stdout: () => undefined, stderr: () => undefined },
        { workerUrl: new URL('file:///unused'), now: () => new Date(run.summary.generatedAt) },
      );
      expect(code).toBe(0);
      const renamed = (text: string) => text.replace(/nightly-batch(?!\.csv)/g, run.batchId);
      for (const name of TEXT_REPORT_FILES) {
        expect(run.files[name], name).toBe(renamed(await readFile(join(folder, name), 'utf8')));
      }
      const workbook = await workbookContents(await readFile(join(folder, 'findings.xlsx')));
      expect(await workbookContents(run.files['findings.xlsx'])).toEqual(
        JSON.parse(renamed(JSON.stringify(workbook))),
      );
    } finally {
      await rm(folder, { recursive: true, force: true });
    }

    expect(run.stats.validate.messages).toBe(15);
    // Eight shards, then the line ranges but the first (the last shard renders that one).
    expect(run.stats.merge.messages).toBe(15);
    expect(run.stats.merge.peakHeapBytes).toHaveLength(15);
    const entries = logs.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(
      entries.some(
        (entry) => entry.message === 'chunk checked' && entry.batchId === run.batchId && entry.chunk === 11,
      ),
    ).toBe(true);
    expect(entries.filter((entry) => entry.message === 'report written')).toEqual([
      expect.objectContaining({ batchId: run.batchId, status: 'complete', lines: 724, shards: 8 }),
    ]);
    const shards = entries.filter(
      (entry) => entry.message === 'shard merged' && entry.batchId === run.batchId,
    );
    expect(shards.map((entry) => entry.shard).sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    // Every shard found something of its own: the cross-line findings are spread over the shards.
    expect(shards.filter((entry) => Number(entry.findings) > 0).length).toBeGreaterThan(4);
    const text = logs.join('\n');
    expect(text).not.toMatch(/M\d{8}/); // member ids
    expect(text).not.toMatch(/CLM\d{7}/); // claim ids
    expect(text).not.toMatch(/19\d\d-\d\d-\d\d/); // dates of birth
    expect(text).not.toMatch(/Acme|Contoso|PA\d{8}/); // payers, prior auths: raw record content
  });

  it('decodes keys with spaces, +, & and unicode and derives a safe batch id', async () => {
    const pipeline = await start();
    const body = Buffer.from(syntheticBatch(250));
    const key = 'incoming/Night batch+1 & é 💉.csv';
    const { summary, files, notice } = await process(pipeline, key, body, { asOf: AS_OF });
    expect(notice.batchId).toMatch(BATCH_ID_PATTERN);
    expect(notice.batchId).toMatch(/-Night-batch-1-e-[0-9a-f]{10}$/);
    expect(notice.source.key).toBe(key);
    expect(summary.source.name).toBe('Night batch+1 & é 💉.csv');
    await expectSameAsCheck(files, body, summary);
  });

  it('ignores the s3:TestEvent', async () => {
    const pipeline = await start();
    await pipeline.publishIntake(testEvent(pipeline.resources.buckets.intake, new Date()));
    await pipeline.drain({ timeoutMs: 30_000 });
    expect(pipeline.stats().split).toMatchObject({ messages: 1, failedMessages: 0 });
    expect(await pipeline.queueDepth('intakeDlq')).toBe(0);
    expect(await pipeline.listKeys(pipeline.resources.buckets.work, 'work/')).toEqual([]);
    expect(pipeline.notices).toEqual([]);
  });

  it('moves an unreadable intake message to the intake DLQ after maxReceiveCount receives', async () => {
    const pipeline = await start();
    await pipeline.publishIntake('{"not":"an S3 event"}');
    await pipeline.drain({ timeoutMs: 30_000 });
    expect(pipeline.stats().split).toMatchObject({ invocations: 3, failedMessages: 3 });
    expect(await pipeline.queueDepth('intakeDlq')).toBe(1);
    expect(await pipeline.queueDepth('intake')).toBe(0);
  });

  it('makes one batch and one report of a duplicated S3 event', async () => {
    const logs: string[] = [];
    const pipeline = await start({ logger: recordingLogger(logs), concurrency: { split: 2 } });
    const body = Buffer.from(syntheticBatch(400));
    const upload = await pipeline.uploadBatch('incoming/dup.csv', body, { asOf: AS_OF });
    const event = await pipeline.announce(upload);
    await pipeline.publishIntake(event); // S3 may deliver an event twice
    await pipeline.drain({ until: () => pipeline.noticeFor(upload) !== undefined, timeoutMs: 60_000 });
    await pipeline.publishIntake(event); // ...even much later
    await pipeline.drain({ timeoutMs: 30_000 });

    expect(pipeline.notices).toHaveLength(1);
    const batchIds = new Set(
      (await pipeline.listKeys(pipeline.resources.buckets.work, 'work/')).map((key) => key.split('/')[1]),
    );
    expect([...batchIds]).toEqual([pipeline.notices[0]!.batchId]);
    const files = await pipeline.readReport(pipeline.notices[0]!.batchId);
    const summary = JSON.parse(files['summary.json']) as Summary;
    await expectSameAsCheck(files, body, summary);
    expect(logs.filter((line) => line.includes('"report written"'))).toHaveLength(1);
  });

  it('makes one batch and one report of two events for one upload with different sequencers', async () => {
    const pipeline = await start({ concurrency: { split: 2 } });
    const body = Buffer.from(syntheticBatch(300));
    const upload = await pipeline.uploadBatch('incoming/twice.csv', body, { asOf: AS_OF });
    const first = await pipeline.announce(upload);
    const second = await pipeline.announce(upload); // a new sequencer, as a second sender would write
    const sequencerOf = (event: string) => /"sequencer":"([0-9A-F]+)"/.exec(event)?.[1];
    expect(sequencerOf(second)).not.toBe(sequencerOf(first));
    const batchId = await pipeline.awaitReport(upload, { timeoutMs: 60_000 });
    await pipeline.drain({ timeoutMs: 30_000 });

    expect(pipeline.batchIdsOf(upload)[0]).toBe(batchId);
    expect(pipeline.notices.map((notice) => notice.batchId)).toEqual([batchId]);
    const batchIds = new Set(
      (await pipeline.listKeys(pipeline.resources.buckets.work, 'work/')).map((key) => key.split('/')[1]),
    );
    expect([...batchIds]).toEqual([batchId]);
    expect(await pipeline.listKeys(pipeline.resources.buckets.reports, 'reports/')).toHaveLength(
      REPORT_FILES.length,
    );
    const files = await pipeline.readReport(batchId);
    await expectSameAsCheck(files, body, JSON.parse(files['summary.json']) as Summary);
  });

  it('makes a new batch of a corrected file re-uploaded under the same name', async () => {
    const pipeline = await start();
    const first = await process(pipeline, 'incoming/nightly.csv', Buffer.from(syntheticBatch(120)), {
      asOf: AS_OF,
    });
    const corrected = Buffer.from(syntheticBatch(90));
    const second = await process(pipeline, 'incoming/nightly.csv', corrected, { asOf: AS_OF });
    expect(second.notice.batchId).not.toBe(first.notice.batchId);
    expect(first.summary.counts.lines).toBe(120);
    expect(second.summary.counts.lines).toBe(90);
    await expectSameAsCheck(second.files, corrected, second.summary);
    expect(JSON.parse((await pipeline.readReport(first.notice.batchId))['summary.json']).counts.lines).toBe(
      120,
    );
  });

  it('reports a rejected batch at once, as check does', async () => {
    const pipeline = await start();
    const body = Buffer.from('claim;line;member\nC1;1;M1\n');
    const { summary, files, notice } = await process(pipeline, 'incoming/semicolons.csv', body, {
      asOf: AS_OF,
    });
    expect(summary).toMatchObject({ status: 'rejected', error: { code: 'NOT_COMMA_SEPARATED' } });
    expect(notice.status).toBe('rejected');
    expect(pipeline.stats().validate.messages).toBe(1); // one "finalize" message, no chunks
    await expectSameAsCheck(files, body, summary);
  });

  it('gunzips a .csv.gz upload', async () => {
    const pipeline = await start();
    const body = gzipSync(await readFile(SAMPLE));
    const { summary, files } = await process(pipeline, 'incoming/nightly-batch.csv.gz', body, {
      asOf: AS_OF,
    });
    expect(summary).toMatchObject({
      status: 'complete',
      counts: { lines: 724 },
      source: { bytes: body.byteLength },
    });
    await expectSameAsCheck(files, body, summary);
  });

  it('takes the as-of date from x-amz-meta-as-of, else from the event date, and rejects a bad one', async () => {
    const pipeline = await start();
    const body = Buffer.from(syntheticBatch(30));
    expect((await process(pipeline, 'incoming/a.csv', body, { asOf: '2026-03-01' })).summary.asOf).toBe(
      '2026-03-01',
    );
    const dated = await process(pipeline, 'incoming/b.csv', body);
    expect(dated.summary.asOf).toBe(dated.notice.batchId.slice(0, 10));
    const bad = await process(pipeline, 'incoming/c.csv', body, { asOf: '2026-02-30' });
    expect(bad.summary).toMatchObject({ status: 'rejected', error: { code: 'BAD_AS_OF' } });
    expect(bad.summary.error?.message).toContain('"2026-02-30"');
  });
});
