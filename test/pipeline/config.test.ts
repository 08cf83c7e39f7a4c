import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  loadMergeConfig,
  loadSplitConfig,
  loadValidateConfig,
} from '../../functions/pipeline/config.js';

describe('loadSplitConfig', () => {
  it('reads the variables and applies defaults', () => {
    expect(
      loadSplitConfig({ WORK_BUCKET: 'w', CHUNK_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/1/q' }),
    ).toEqual({
      workBucket: 'w',
      chunkQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/1/q',
      chunkLines: 20_000,
      maxRecords: 100_000_000,
      maxGzipRatio: 50,
      maxUploadBytes: 2 * 1024 ** 3,
      mergeShardLines: 2_000_000,
      splitRangeBytes: 256 * 1024 ** 2,
      logLevel: 'INFO',
    });
  });

  it('reads its own queue (for byte ranges) and the range size, and names a bad one', () => {
    const env = { WORK_BUCKET: 'w', CHUNK_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/1/q' };
    const intake = 'https://sqs.eu-west-1.amazonaws.com/1/intake';
    const read = loadSplitConfig({
      ...env,
      INTAKE_QUEUE_URL: intake,
      INTAKE_MAX_RECEIVE_COUNT: '3',
      SPLIT_RANGE_BYTES: '65536',
    });
    expect(read).toMatchObject({ intakeQueueUrl: intake, intakeMaxReceiveCount: 3, splitRangeBytes: 65_536 });
    expect(() => loadSplitConfig({ ...env, INTAKE_QUEUE_URL: 'intake', SPLIT_RANGE_BYTES: '1000' })).toThrow(
      /INTAKE_QUEUE_URL must be an http\(s\) URL.*SPLIT_RANGE_BYTES must be a whole number from 65536/,
    );
  });

  it('reads the lines per merge shard', () => {
    const env = { WORK_BUCKET: 'w', CHUNK_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/1/q' };
    expect(loadSplitConfig({ ...env, MERGE_SHARD_LINES: '500' }).mergeShardLines).toBe(500);
    expect(() => loadSplitConfig({ ...env, MERGE_SHARD_LINES: '0' })).toThrow(
      /MERGE_SHARD_LINES must be a whole number/,
    );
  });

  it("reads the upload size limit (MAX_UPLOAD_BYTES), up to S3's largest object", () => {
    const env = { WORK_BUCKET: 'w', CHUNK_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/1/q' };
    expect(loadSplitConfig({ ...env, MAX_UPLOAD_BYTES: '1000' }).maxUploadBytes).toBe(1000);
    expect(() => loadSplitConfig({ ...env, MAX_UPLOAD_BYTES: '0' })).toThrow(
      'MAX_UPLOAD_BYTES must be a whole number from 1 to 5497558138880 (got "0")',
    );
    expect(() => loadSplitConfig({ ...env, MAX_UPLOAD_BYTES: '2GB' })).toThrow(/MAX_UPLOAD_BYTES/);
  });

  it('reads the BATCH_TOO_LARGE limits, and names a bad one', () => {
    const env = { WORK_BUCKET: 'w', CHUNK_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/1/q' };
    expect(loadSplitConfig({ ...env, MAX_RECORDS: '10', MAX_GZIP_RATIO: '7.5' })).toMatchObject({
      maxRecords: 10,
      maxGzipRatio: 7.5,
    });
    expect(() => loadSplitConfig({ ...env, MAX_RECORDS: '1e3', MAX_GZIP_RATIO: '0' })).toThrow(
      'MAX_RECORDS must be a whole number of at least 1 (got "1e3"); MAX_GZIP_RATIO must be a number of at least 1 (got "0")',
    );
  });

  it('names every problem in one clear error', () => {
    const attempt = () =>
      loadSplitConfig({ CHUNK_QUEUE_URL: 'queue', CHUNK_LINES: '12.5', LOG_LEVEL: 'loud' });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(expect.objectContaining({ name: 'ConfigError', code: 'CONFIG_INVALID' }));
    expect(attempt).toThrow(
      'scrub62323 split function cannot start: WORK_BUCKET is not set (bucket for chunks, parts and manifests); ' +
        'CHUNK_QUEUE_URL must be an http(s) URL (got "queue"); ' +
        'CHUNK_LINES must be a whole number from 1 to 200000 (got "12.5"); ' +
        'LOG_LEVEL must be one of DEBUG, INFO, WARN, ERROR (got "LOUD")',
    );
  });
});

describe('loadValidateConfig', () => {
  const env = {
    WORK_BUCKET: 'w',
    CHUNK_MAX_RECEIVE_COUNT: '3',
    MERGE_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/1/m',
  };

  it('reads the variables', () => {
    expect(loadValidateConfig({ ...env, LOG_LEVEL: 'debug' })).toEqual({
      workBucket: 'w',
      chunkMaxReceiveCount: 3,
      mergeQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/1/m',
      logLevel: 'DEBUG',
    });
  });

  it('requires the receive count and the merge queue, in one error', () => {
    const attempt = () =>
      loadValidateConfig({ ...env, CHUNK_MAX_RECEIVE_COUNT: '', MERGE_QUEUE_URL: 'queue' });
    expect(attempt).toThrow(
      'scrub62323 validate function cannot start: CHUNK_MAX_RECEIVE_COUNT is not set (maxReceiveCount of the chunk queue',
    );
    expect(attempt).toThrow('MERGE_QUEUE_URL must be an http(s) URL (got "queue")');
  });
});

describe('loadMergeConfig', () => {
  const merges = 'https://sqs.eu-west-1.amazonaws.com/1/m';
  const env = { WORK_BUCKET: 'w', REPORTS_BUCKET: 'r', MERGE_QUEUE_URL: merges };

  it('reads the variables; the topic is optional (limits come from rule packs, not the environment)', () => {
    expect(loadMergeConfig(env)).toEqual({
      workBucket: 'w',
      reportsBucket: 'r',
      mergeQueueUrl: merges,
      logLevel: 'INFO',
    });
    expect(
      loadMergeConfig({
        ...env,
        REPORT_TOPIC_ARN: 'arn:aws:sns:us-east-1:1:t',
        HISTORY_TABLE: 'h',
        LOG_LEVEL: 'debug',
      }),
    ).toMatchObject({ reportTopicArn: 'arn:aws:sns:us-east-1:1:t', historyTable: 'h', logLevel: 'DEBUG' });
  });

  it('reads the stack name and the region (set by Lambda) the notice names, and checks both', () => {
    expect(loadMergeConfig({ ...env, STACK_NAME: 'Scrub62323-prod', AWS_REGION: 'eu-west-1' })).toMatchObject(
      {
        stackName: 'Scrub62323-prod',
        region: 'eu-west-1',
      },
    );
    const attempt = () => loadMergeConfig({ ...env, STACK_NAME: 'my stack', AWS_REGION: 'Europe' });
    expect(attempt).toThrow(/STACK_NAME must be a CloudFormation stack name \(got "my stack"/);
    expect(attempt).toThrow(/AWS_REGION must be an AWS region name \(got "Europe"/);
  });

  it('requires the buckets and checks the topic ARN, in one error', () => {
    const attempt = () => loadMergeConfig({ WORK_BUCKET: 'w', REPORT_TOPIC_ARN: 'topic' });
    expect(attempt).toThrow(
      'scrub62323 merge function cannot start: REPORT_TOPIC_ARN must be an ARN (got "topic")',
    );
    expect(attempt).toThrow('REPORTS_BUCKET is not set (bucket the finished reports are written to)');
    // Its own queue: the last shard sends the render ranges there.
    expect(attempt).toThrow(/MERGE_QUEUE_URL is not set/);
  });
});
