/**
 * At-least-once delivery, crashes and poison chunks on the embedded emulator: every path ends in one
 * correct report (or an incomplete one that says what is missing), never in silence or duplicates.
 */
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import type { ReportContents } from '../../../functions/core/report/files.js';
import type { Summary } from '../../../functions/core/report/summary.js';
import type { LocalPipeline } from '../../../functions/local/runner.js';
import { sleep } from '../../../functions/pipeline/sleep.js';
import {
  AS_OF,
  expectSameReport,
  faultyStore,
  InjectedCrash,
  recordingLogger,
  referenceReport,
  type StoreCall,
  syntheticBatch,
} from '../helpers.js';
import { pipelineStarter } from './pipelines.js';

const start = pipelineStarter({ chunkLines: 40, mergeShardLines: 70 });

const BODY = Buffer.from(syntheticBatch(200)); // 5 chunks of 40 records, 3 merge shards

async function run(pipeline: LocalPipeline, body: Uint8Array = BODY) {
  const upload = await pipeline.uploadBatch('incoming/batch.csv', body, { asOf: AS_OF });
  await pipeline.announce(upload);
  await pipeline.drain({ until: () => pipeline.noticeFor(upload) !== undefined, timeoutMs: 60_000 });
  await pipeline.drain({ timeoutMs: 30_000 }); // and let any retries and DLQ moves settle
  const notice = pipeline.noticeFor(upload)!;
  const files = await pipeline.readReport(notice.batchId);
  return { notice, files, summary: JSON.parse(files['summary.json']) as Summary };
}

async function expectSameAsCheck(files: ReportContents, summary: Summary, body: Uint8Array = BODY) {
  const reference = await referenceReport(body, {
    batchId: summary.batchId,
    sourceName: summary.source.name,
    asOf: summary.asOf,
    generatedAt: summary.generatedAt,
  });
  await expectSameReport(files, reference);
}

/** Throws once per matching (call, key), the first time it is made. */
function crashOnce(match: (call: StoreCall, key: string) => boolean) {
  let crashed = false;
  return (call: StoreCall, key: string) => {
    if (!crashed && match(call, key)) {
      crashed = true;
      throw new InjectedCrash(`${call} ${key}`);
    }
  };
}

describe('exactly-once results from at-least-once delivery', () => {
  it('retries a validate function that throws on its first attempt', async () => {
    let calls = 0;
    const pipeline = await start({
      wrapHandler: (handler, fn) =>
        fn === 'validate'
          ? async (event) => {
              calls += 1;
              if (calls === 1) throw new InjectedCrash('validate, first attempt');
              return handler(event);
            }
          : handler,
    });
    const { summary, files } = await run(pipeline);
    expect(summary.status).toBe('complete');
    expect(pipeline.stats().validate.failedMessages).toBeGreaterThan(0);
    expect(pipeline.notices).toHaveLength(1);
    await expectSameAsCheck(files, summary);
  });

  it('finishes the report when the assembling merge crashes half-way through writing it', async () => {
    const logs: string[] = [];
    const fault = crashOnce((call, key) => call === 'write' && key.endsWith('/rejected.csv'));
    const pipeline = await start({
      logger: recordingLogger(logs),
      wrapStore: (store, fn) => (fn === 'merge' ? faultyStore(store, fault) : store),
    });
    const { summary, files } = await run(pipeline);
    expect(logs.some((line) => line.includes('finishing what was interrupted'))).toBe(true);
    expect(pipeline.notices).toHaveLength(1);
    await expectSameAsCheck(files, summary);
  });

  // Three shards, then two line ranges (the last shard renders the first); each crash costs its message one more receive.
  it.each([
    { what: 'a shard crashes reading a part', read: '/parts/000003', after: '/shards/' },
    { what: 'a render crashes reading a shard result', read: '/shards/000001', after: '/render/' },
  ])('recovers when $what, and when one crashes after storing its result', async ({ read, after }) => {
    const readFault = crashOnce((call, key) => call === 'readRange' && key.endsWith(read));
    const listFault = crashOnce((call, key) => call === 'list' && key.endsWith(after));
    const pipeline = await start({
      wrapStore: (store, fn) =>
        fn === 'merge'
          ? faultyStore(store, (call, key) => {
              readFault(call, key);
              listFault(call, key);
            })
          : store,
    });
    const { summary, files } = await run(pipeline);
    expect(pipeline.stats().merge).toMatchObject({ failedMessages: 2, messages: 7 });
    expect(pipeline.notices).toHaveLength(1);
    await expectSameAsCheck(files, summary);
  });

  it('sends the ranges once and assembles once when the last shards and ranges finish together', async () => {
    const logs: string[] = [];
    const pipeline = await start({
      concurrency: { merge: 3 },
      logger: recordingLogger(logs),
      // Every shard and every render looks for the others only after a pause: all three see all results.
      wrapStore: (store, fn) =>
        fn === 'merge'
          ? {
              ...store,
              list: async (bucket, prefix) => {
                if (prefix.endsWith('/shards/') || prefix.endsWith('/render/')) await sleep(300);
                return store.list(bucket, prefix);
              },
            }
          : store,
    });
    const { summary, files } = await run(pipeline);
    expect(logs.filter((line) => line.includes('"report written"'))).toHaveLength(1);
    expect(logs.filter((line) => line.includes('"shard merged"'))).toHaveLength(3);
    expect(logs.filter((line) => line.includes('"render ranges sent"'))).toHaveLength(1);
    // Each shard that saw all three renders the first range: at most three renders of it, one of each other.
    const rendered = logs.filter((line) => line.includes('"range rendered"'));
    expect(rendered.length).toBeGreaterThanOrEqual(3);
    expect(pipeline.notices).toHaveLength(1);
    await expectSameAsCheck(files, summary);
  });

  it('recovers when validate crashes after storing its part, before it looks for the others', async () => {
    const fault = crashOnce((call, key) => call === 'list' && key.endsWith('/parts/'));
    const pipeline = await start({
      wrapStore: (store, fn) => (fn === 'validate' ? faultyStore(store, fault) : store),
    });
    const { summary, files } = await run(pipeline);
    expect(pipeline.notices).toHaveLength(1);
    await expectSameAsCheck(files, summary);
  });

  it('recovers when split crashes after storing some chunks', async () => {
    const fault = crashOnce((call, key) => call === 'write' && key.endsWith('/chunks/000002'));
    const pipeline = await start({
      wrapStore: (store, fn) => (fn === 'split' ? faultyStore(store, fault) : store),
    });
    const { summary, files } = await run(pipeline);
    expect(pipeline.stats().split).toMatchObject({ invocations: 2, failedMessages: 1 });
    expect(pipeline.stats().validate.messages).toBe(5); // no chunk sent twice
    expect(pipeline.notices).toHaveLength(1);
    await expectSameAsCheck(files, summary);
  });

  it('recovers when split crashes after sending the chunk messages (they are sent again)', async () => {
    const fault = crashOnce((call, key) => call === 'write' && key.endsWith('/dispatched'));
    const pipeline = await start({
      wrapStore: (store, fn) => (fn === 'split' ? faultyStore(store, fault) : store),
    });
    const { summary, files } = await run(pipeline);
    expect(pipeline.stats().validate.messages).toBe(10); // every chunk twice
    expect(pipeline.notices).toHaveLength(1);
    await expectSameAsCheck(files, summary);
  });

  it('sends the shards once when two validates complete the batch at the same moment', async () => {
    const logs: string[] = [];
    let waiting: (() => void)[] = [];
    const pipeline = await start({
      chunkLines: 100, // 2 chunks
      logger: recordingLogger(logs),
      // Each message in its own concurrent invocation, as two Lambda instances would run them...
      wrapHandler: (handler, fn) =>
        fn === 'validate'
          ? async (event) => {
              const results = await Promise.all(
                event.Records.map((record) => handler({ Records: [record] })),
              );
              return { batchItemFailures: results.flatMap((result) => result?.batchItemFailures ?? []) };
            }
          : handler,
      // ...and both look for the other parts only once both parts are stored.
      wrapStore: (store, fn) =>
        fn === 'validate'
          ? {
              ...store,
              list: async (bucket, prefix) => {
                if (prefix.endsWith('/parts/')) {
                  await new Promise<void>((resolve) => {
                    waiting.push(resolve);
                    if (waiting.length === 2) for (const release of waiting.splice(0)) release();
                    setTimeout(resolve, 2000); // never deadlock
                  });
                }
                return store.list(bucket, prefix);
              },
            }
          : store,
    });
    const { summary, files } = await run(pipeline);
    expect(logs.filter((line) => line.includes('"another function holds this lock"'))).toHaveLength(1);
    expect(logs.filter((line) => line.includes('"merge shards sent"'))).toHaveLength(1);
    expect(logs.filter((line) => line.includes('"report written"'))).toHaveLength(1);
    expect(pipeline.notices).toHaveLength(1);
    await expectSameAsCheck(files, summary);
    waiting = [];
  });

  it('sends the shards once when several validates finish together', async () => {
    const logs: string[] = [];
    const pipeline = await start({
      chunkLines: 10, // 20 chunks, 4 validates at a time, slowed down around the completion check
      concurrency: { validate: 4 },
      logger: recordingLogger(logs),
      wrapStore: (store, fn) =>
        fn === 'validate'
          ? {
              ...store,
              list: async (bucket, prefix) => {
                await sleep(20);
                return store.list(bucket, prefix);
              },
            }
          : store,
    });
    const { summary, files } = await run(pipeline);
    expect(logs.filter((line) => line.includes('"report written"'))).toHaveLength(1);
    expect(pipeline.notices).toHaveLength(1);
    await expectSameAsCheck(files, summary);
  });
});

describe('failure is visible', () => {
  it('reports a chunk that always fails as missing, leaves it in the chunk DLQ, and heals on redrive', async () => {
    let poisoned = true;
    const pipeline = await start({
      wrapStore: (store, fn) =>
        fn === 'validate'
          ? faultyStore(store, (call, key) => {
              if (poisoned && call === 'read' && key.endsWith('/chunks/000002'))
                throw new InjectedCrash('chunk 2');
            })
          : store,
    });
    const { summary, notice } = await run(pipeline);
    expect(summary.status).toBe('incomplete');
    expect(summary.missing).toEqual(['chunk 2 (lines 82-121, 40 records)']);
    expect(notice).toMatchObject({ status: 'incomplete', missing: summary.missing });
    expect(summary.counts.lines).toBe(160);
    expect(summary.counts.lines).toBe(summary.counts.checked + summary.counts.rejected);
    expect(await pipeline.queueDepth('chunkDlq')).toBe(1);
    expect(await pipeline.queueDepth('chunk')).toBe(0);
    expect(
      await pipeline.listKeys(pipeline.resources.buckets.work, `work/${notice.batchId}/failed/`),
    ).toHaveLength(1);

    // The operator fixes the cause and redrives the DLQ: the complete report replaces the incomplete one.
    poisoned = false;
    const { sqs } = pipeline.admin;
    const { queues } = pipeline.resources;
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queues.chunkDlq.url, MaxNumberOfMessages: 10 }),
    );
    expect(Messages).toHaveLength(1);
    await sqs.send(new SendMessageCommand({ QueueUrl: queues.chunk.url, MessageBody: Messages[0]!.Body! }));
    await pipeline.drain({ until: () => pipeline.notices.length === 2, timeoutMs: 30_000 });
    expect(pipeline.notices[1]).toMatchObject({ batchId: notice.batchId, status: 'complete' });
    const files = await pipeline.readReport(notice.batchId);
    const healed = JSON.parse(files['summary.json']) as Summary;
    expect(healed.status).toBe('complete');
    await expectSameAsCheck(files, healed);
  });

  it('reports a batch whose every chunk fails as incomplete, with nothing checked', async () => {
    const pipeline = await start({
      wrapStore: (store, fn) =>
        fn === 'validate'
          ? faultyStore(store, (call, key) => {
              if (call === 'read' && key.includes('/chunks/')) throw new InjectedCrash('every chunk');
            })
          : store,
    });
    const { summary } = await run(pipeline);
    expect(summary).toMatchObject({ status: 'incomplete', counts: { lines: 0, checked: 0 } });
    expect(summary.missing).toHaveLength(5);
    expect(await pipeline.queueDepth('chunkDlq')).toBe(5);
  });
});
