/** The Lambda context the local runner gives each invocation, and what the functions do with it. */
import { describe, expect, it } from 'vitest';
import { lambdaContext } from '../../../functions/local/context.js';
import { FUNCTIONS } from '../../../functions/pipeline/topology.js';
import { type RecordedMetric, recordingLogger, recordingMetrics, syntheticBatch } from '../helpers.js';
import { pipelineStarter } from './pipelines.js';

const start = pipelineStarter({ chunkLines: 100 });

describe('lambdaContext', () => {
  it('describes the function as the stack sizes it, with a clock that runs down from its timeout', () => {
    let now = 1_000_000;
    const context = lambdaContext('validate', { clock: () => now, region: 'eu-west-1' });
    expect(context).toMatchObject({
      functionName: 'scrub62323-validate',
      functionVersion: '$LATEST',
      memoryLimitInMB: String(FUNCTIONS.validate.memoryMb),
      invokedFunctionArn: 'arn:aws:lambda:eu-west-1:000000000000:function:scrub62323-validate',
      logGroupName: '/aws/lambda/scrub62323-validate',
    });
    expect(context.getRemainingTimeInMillis()).toBe(FUNCTIONS.validate.timeoutSeconds * 1000);
    now += 1500;
    expect(context.getRemainingTimeInMillis()).toBe(FUNCTIONS.validate.timeoutSeconds * 1000 - 1500);
    now += FUNCTIONS.validate.timeoutSeconds * 1000;
    expect(context.getRemainingTimeInMillis()).toBe(0);
    expect(context.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(lambdaContext('validate').awsRequestId).not.toBe(context.awsRequestId);
    expect(() => context.succeed('done')).toThrow(/return a promise/);
  });
});

describe('the local runner', () => {
  it('gives every invocation a request id of its own, and counts the report in the metrics', async () => {
    const logs: string[] = [];
    const published: RecordedMetric[][] = [];
    const pipeline = await start({
      logger: recordingLogger(logs),
      metrics: () => recordingMetrics(published),
    });
    const upload = await pipeline.uploadBatch('incoming/context.csv', Buffer.from(syntheticBatch(450)));
    await pipeline.announce(upload);
    await pipeline.drain({ until: () => pipeline.noticeFor(upload) !== undefined, timeoutMs: 60_000 });

    const lines = logs.map((line): Record<string, unknown> => JSON.parse(line));
    expect(lines.every((line) => typeof line.function_request_id === 'string')).toBe(true);
    const validateLines = lines.filter((line) => line.function === 'validate');
    expect(validateLines.every((line) => line.function_name === 'scrub62323-validate')).toBe(true);
    const requestIds = new Set(validateLines.map((line) => line.function_request_id));
    expect(requestIds.size).toBe(pipeline.stats().validate.invocations); // each logs 'chunk checked'
    expect(published.flat().filter((metric) => metric.name === 'BatchesReported')).toEqual([
      { name: 'BatchesReported', value: 1, dimensions: { status: 'complete' } },
    ]);
  });
});
