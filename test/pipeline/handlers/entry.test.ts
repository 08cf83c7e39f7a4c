/** The Lambda entry files: configuration is checked when the module loads (cold start). */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ENV } from '../../../functions/pipeline/topology.js';
import { lambdaContext, s3TestEventBody, sqsEvent, sqsRecord } from '../../support/events.js';

const saved = { ...process.env };
beforeEach(() => {
  vi.resetModules();
  for (const name of Object.keys(ENV)) delete process.env[name];
  process.env.AWS_REGION = 'us-east-1';
});
afterEach(() => {
  process.env = { ...saved };
});

describe('handler entry files', () => {
  it('split fails to load with a clear error when its variables are missing', async () => {
    await expect(import('../../../functions/handlers/split.js')).rejects.toThrow(
      'scrub62323 split function cannot start: WORK_BUCKET is not set',
    );
  });

  it('validate fails to load with a clear error when its variables are missing', async () => {
    process.env.WORK_BUCKET = 'work';
    await expect(import('../../../functions/handlers/validate.js')).rejects.toThrow(
      /validate function cannot start: CHUNK_MAX_RECEIVE_COUNT is not set .*; MERGE_QUEUE_URL is not set/,
    );
  });

  it('merge fails to load with a clear error when its variables are missing', async () => {
    process.env.REPORT_TOPIC_ARN = 'ready';
    await expect(import('../../../functions/handlers/merge.js')).rejects.toThrow(
      /merge function cannot start: REPORT_TOPIC_ARN must be an ARN .*; WORK_BUCKET is not set .*; REPORTS_BUCKET is not set/,
    );
  });

  it('all three export a handler once configured', async () => {
    Object.assign(process.env, {
      WORK_BUCKET: 'work',
      REPORTS_BUCKET: 'reports',
      CHUNK_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/scrub62323-chunks',
      CHUNK_MAX_RECEIVE_COUNT: '3',
      MERGE_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/scrub62323-merges',
      REPORT_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:ready',
      LOG_LEVEL: 'ERROR',
    });
    const split = await import('../../../functions/handlers/split.js');
    const validate = await import('../../../functions/handlers/validate.js');
    const merge = await import('../../../functions/handlers/merge.js');
    expect(typeof split.handler).toBe('function');
    expect(typeof validate.handler).toBe('function');
    expect(typeof merge.handler).toBe('function');
    // An s3:TestEvent needs no AWS call: the handler says all went well.
    const event = sqsEvent(sqsRecord(s3TestEventBody('b'), { messageId: 'm1' }));
    await expect(split.handler(event, lambdaContext('split'))).resolves.toEqual({ batchItemFailures: [] });
  });
});
