/**
 * The validate and merge handlers on typed SQS events: partial batch responses, the failure marker on
 * a chunk's last receive, the merge shards sent once, and the metrics of complete, rejected and
 * incomplete batches (published once per invocation: a report is counted by the merge that wrote it).
 */
import { describe, expect, it } from 'vitest';
import type { Summary } from '../../../functions/core/report/summary.js';
import { reportKey, workKeys } from '../../../functions/pipeline/keys.js';
import { lambdaContext, sqsEvent, sqsRecord } from '../../support/events.js';
import { faultyStore, InjectedCrash, referenceReport, syntheticBatch } from '../helpers.js';
import {
  CHUNK_QUEUE_ARN,
  deliver,
  deliverMerges,
  dispatch,
  type Harness,
  harness,
  mergeConfig,
  validateConfig,
} from './handlers.js';

const chunkRecord = (body: string, receiveCount = 1) =>
  sqsRecord(body, { receiveCount, queueArn: CHUNK_QUEUE_ARN });

/** The batch id of a chunk message (any JSON: a test reads what it sent). */
const batchIdOf = (body: string): string => {
  const message: { batchId: string } = JSON.parse(body);
  return message.batchId;
};

async function storedSummary(h: Harness, batchId: string): Promise<Summary> {
  const bytes = await h.store.read(mergeConfig.reportsBucket, reportKey(batchId, 'summary.json'));
  if (!bytes) throw new Error(`no report for ${batchId}`);
  return JSON.parse(Buffer.from(bytes).toString('utf8'));
}

describe('the validate handler', () => {
  it('reports only the messages that failed, and checks the others', async () => {
    const h = harness();
    const [first, ...others] = await dispatch(h, syntheticBatch(30));
    const good = chunkRecord(first!);
    const unreadable = chunkRecord('{"kind":"chunk"}');
    const unknownBatch = chunkRecord(
      JSON.stringify({ version: 1, kind: 'finalize', batchId: 'no-such-batch' }),
    );
    const response = await h.validate(sqsEvent(good, unreadable, unknownBatch), lambdaContext('validate'));
    expect(response).toEqual({
      batchItemFailures: [
        { itemIdentifier: unreadable.messageId },
        { itemIdentifier: unknownBatch.messageId },
      ],
    });
    expect(await h.store.exists('work', workKeys(batchIdOf(first!)).part(0))).toBe(true);
    expect(others).toHaveLength(2);
  });

  it('reports a batch whose every message failed instead of throwing', async () => {
    const h = harness();
    const records = [chunkRecord('{'), chunkRecord('null')];
    await expect(h.validate(sqsEvent(...records), lambdaContext('validate'))).resolves.toEqual({
      batchItemFailures: records.map((record) => ({ itemIdentifier: record.messageId })),
    });
    expect(h.published).toEqual([[]]); // published once, with nothing counted
  });

  it('tags every log line with the request id of its invocation', async () => {
    const h = harness();
    const messages = await dispatch(h, syntheticBatch(30));
    await h.validate(
      sqsEvent(...messages.map((body) => chunkRecord(body))),
      lambdaContext('validate', { awsRequestId: 'r-42' }),
    );
    const lines = h.logs
      .map((line): Record<string, unknown> => JSON.parse(line))
      .filter((line) => line.function === 'validate');
    expect(lines.map((line) => line.message)).toContain('merge shards sent');
    expect(lines.every((line) => line.function_request_id === 'r-42')).toBe(true);
  });

  it('counts a complete batch: one report, its lines checked and its findings by severity', async () => {
    const h = harness();
    const csv = syntheticBatch(30);
    const messages = await dispatch(h, csv);
    await deliver(h, messages);
    const reference: Summary = JSON.parse(
      (
        await referenceReport(Buffer.from(csv), {
          batchId: 'b',
          sourceName: 'nightly.csv',
          asOf: '2026-11-28',
          generatedAt: '2026-11-28T06:00:00Z',
        })
      )['summary.json'],
    );
    expect(reference.counts.findings.error + reference.counts.findings.warning).toBeGreaterThan(0);
    expect(h.published).toEqual([[]]); // three messages, one invocation, one publish, no report
    // Two shards (15 lines each; the last renders the first line range), then the second range,
    // which writes and counts the report.
    expect(h.mergePublished).toHaveLength(3);
    expect(h.mergePublished.flat()).toEqual([
      { name: 'BatchesReported', value: 1, dimensions: { status: 'complete' } },
      { name: 'LinesChecked', value: reference.counts.checked },
      { name: 'FindingsError', value: reference.counts.findings.error },
      { name: 'FindingsWarning', value: reference.counts.findings.warning },
      { name: 'FindingsInfo', value: reference.counts.findings.info },
    ]);
  });

  it('counts a rejected batch: one report, nothing checked', async () => {
    const h = harness();
    const messages = await dispatch(h, 'claim,amount\nC1,5\n');
    expect(messages.map((body): unknown => JSON.parse(body))).toMatchObject([{ kind: 'finalize' }]);
    await deliver(h, messages);
    expect((await storedSummary(h, batchIdOf(messages[0]!))).status).toBe('rejected');
    expect(h.mergePublished.flat()).toEqual([
      { name: 'BatchesReported', value: 1, dimensions: { status: 'rejected' } },
      { name: 'LinesChecked', value: 0 },
      { name: 'FindingsError', value: 0 },
      { name: 'FindingsWarning', value: 0 },
      { name: 'FindingsInfo', value: 0 },
    ]);
  });

  it('counts an incomplete batch: the chunk failed for good, and the report without it', async () => {
    const h = harness((store) =>
      faultyStore(store, (call, key) => {
        if (call === 'read' && key.endsWith('/chunks/000001')) throw new InjectedCrash(`${call} ${key}`);
      }),
    );
    const [zero, one, two] = await dispatch(h, syntheticBatch(30));
    await deliver(h, [zero!, two!]);
    expect(h.published).toEqual([[]]); // parts stored, batch still waiting on chunk 1

    // Before its last receive a failing chunk is only retried: no marker, nothing counted.
    const early = chunkRecord(one!, validateConfig.chunkMaxReceiveCount - 1);
    expect(await h.validate(sqsEvent(early), lambdaContext('validate'))).toEqual({
      batchItemFailures: [{ itemIdentifier: early.messageId }],
    });
    const batchId = batchIdOf(one!);
    expect(await h.store.exists('work', workKeys(batchId).failed(1))).toBe(false);
    expect(h.published.at(-1)).toEqual([]);

    // On its last receive it is marked as failed, the batch is reported without it, and the message
    // still fails (to the DLQ, from where a redrive can complete the report).
    const last = chunkRecord(one!, validateConfig.chunkMaxReceiveCount);
    expect(await h.validate(sqsEvent(last), lambdaContext('validate'))).toEqual({
      batchItemFailures: [{ itemIdentifier: last.messageId }],
    });
    expect(await h.store.exists('work', workKeys(batchId).failed(1))).toBe(true);
    await deliverMerges(h);
    const summary = await storedSummary(h, batchId);
    expect(summary.status).toBe('incomplete');
    expect(summary.counts.checked).toBe(20);
    expect(h.published.at(-1)).toEqual([{ name: 'ChunksFailed', value: 1 }]);
    expect(h.mergePublished.flat()).toEqual([
      { name: 'BatchesReported', value: 1, dimensions: { status: 'incomplete' } },
      { name: 'LinesChecked', value: 20 },
      { name: 'FindingsError', value: summary.counts.findings.error },
      { name: 'FindingsWarning', value: summary.counts.findings.warning },
      { name: 'FindingsInfo', value: summary.counts.findings.info },
    ]);
  });
});
