/**
 * The split, validate and merge handlers on an in-memory store, fed typed SQS events, for handler
 * tests. Validate's merge-queue sends are delivered to merge as soon as its invocation returns.
 */
import type { SQSBatchResponse } from 'aws-lambda';
import { DEFAULT_MAX_GZIP_RATIO, DEFAULT_MAX_RECORDS } from '../../../functions/core/intake/reader.js';
import { DEFAULT_MAX_UPLOAD_BYTES } from '../../../functions/core/intake/upload-file.js';
import type { MergeConfig, SplitConfig, ValidateConfig } from '../../../functions/pipeline/config.js';
import type { MessageSender, ObjectStore } from '../../../functions/pipeline/ports.js';
import { createMergeHandler } from '../../../functions/pipeline/shard-merge.js';
import { createSplitHandler } from '../../../functions/pipeline/split.js';
import { DEFAULT_SPLIT_RANGE_BYTES, FUNCTIONS } from '../../../functions/pipeline/topology.js';
import { createValidateHandler } from '../../../functions/pipeline/validate.js';
import { lambdaContext, s3EventBody, s3EventRecord, sqsEvent, sqsRecord } from '../../support/events.js';
import {
  closableMemorySpill,
  memoryStore,
  type RecordedMetric,
  recordingLogger,
  recordingMetrics,
} from '../helpers.js';

export const INTAKE_BUCKET = 'intake';
export const CHUNK_QUEUE_ARN = 'arn:aws:sqs:us-east-1:123456789012:scrub62323-chunks';
export const MERGE_QUEUE_ARN = 'arn:aws:sqs:us-east-1:123456789012:scrub62323-merges';

export const splitConfig: SplitConfig = {
  workBucket: 'work',
  chunkQueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/scrub62323-chunks',
  chunkLines: 10,
  maxRecords: DEFAULT_MAX_RECORDS,
  maxGzipRatio: DEFAULT_MAX_GZIP_RATIO,
  maxUploadBytes: DEFAULT_MAX_UPLOAD_BYTES,
  // Two shards for 30 lines: the handler tests run the sharded merge.
  mergeShardLines: 15,
  splitRangeBytes: DEFAULT_SPLIT_RANGE_BYTES,
  logLevel: 'INFO',
};

export const validateConfig: ValidateConfig = {
  workBucket: 'work',
  chunkMaxReceiveCount: 3,
  mergeQueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/scrub62323-merges',
  logLevel: 'INFO',
};

export const mergeConfig: MergeConfig = {
  workBucket: 'work',
  reportsBucket: 'reports',
  mergeQueueUrl: validateConfig.mergeQueueUrl,
  logLevel: 'INFO',
};

/** A message sender that keeps what it is given. */
export function keepingSender(): MessageSender & { readonly sent: string[] } {
  const sent: string[] = [];
  return {
    sent,
    async sendAll(_queueUrl, bodies) {
      sent.push(...bodies);
    },
  };
}

export interface Harness {
  readonly store: ReturnType<typeof memoryStore>;
  readonly sender: ReturnType<typeof keepingSender>;
  /** What validate and merge sent to the merge queue and deliver has not yet handed to merge. */
  readonly mergeSender: ReturnType<typeof keepingSender>;
  readonly logs: string[];
  /** What each validate invocation published. */
  readonly published: RecordedMetric[][];
  /** What each merge invocation published. */
  readonly mergePublished: RecordedMetric[][];
  readonly split: ReturnType<typeof createSplitHandler>;
  readonly validate: ReturnType<typeof createValidateHandler>;
  readonly merge: ReturnType<typeof createMergeHandler>;
}

/** The handlers on one in-memory store; `wrapStore` changes what validate and merge see (e.g. to fail reads). */
export function harness(wrapStore: (store: ObjectStore) => ObjectStore = (store) => store): Harness {
  const store = memoryStore();
  const sender = keepingSender();
  const mergeSender = keepingSender();
  const logs: string[] = [];
  const published: RecordedMetric[][] = [];
  const mergePublished: RecordedMetric[][] = [];
  const loggerOf = recordingLogger(logs);
  return {
    store,
    sender,
    mergeSender,
    logs,
    published,
    mergePublished,
    split: createSplitHandler({ config: splitConfig, store, sender, logger: loggerOf('split') }),
    validate: createValidateHandler({
      config: validateConfig,
      store: wrapStore(store),
      sender: mergeSender,
      logger: loggerOf('validate'),
      metrics: recordingMetrics(published),
    }),
    merge: createMergeHandler({
      config: mergeConfig,
      store: wrapStore(store),
      sender: mergeSender,
      logger: loggerOf('merge'),
      metrics: recordingMetrics(mergePublished),
      openSpill: () => closableMemorySpill(),
    }),
  };
}

/**
 * Hands every merge message sent so far to merge, one per invocation (its batch size), and then
 * those the merges sent (the render ranges), until none is left.
 */
export async function deliverMerges(h: Harness): Promise<SQSBatchResponse[]> {
  const responses: SQSBatchResponse[] = [];
  while (h.mergeSender.sent.length > 0) {
    for (const body of h.mergeSender.sent.splice(0)) {
      const record = sqsRecord(body, { queueArn: MERGE_QUEUE_ARN });
      responses.push(await h.merge(sqsEvent(record), lambdaContext('merge')));
    }
  }
  return responses;
}

/** Uploads `csv` under incoming/, runs split on its S3 event, returns the chunk messages it sent. */
export async function dispatch(h: Harness, csv: string, key = 'incoming/nightly.csv'): Promise<string[]> {
  await h.store.write(INTAKE_BUCKET, key, csv);
  const event = sqsEvent(sqsRecord(s3EventBody(s3EventRecord({ bucket: INTAKE_BUCKET, key }))));
  const response = await h.split(event, lambdaContext('split'));
  if (response.batchItemFailures.length > 0) throw new Error('split failed in a test that needs it to work');
  return h.sender.sent.splice(0);
}

/** Delivers chunk messages to validate in invocations of the deployed batch size. */
export async function deliver(
  h: Harness,
  bodies: readonly string[],
  receiveCount = 1,
): Promise<SQSBatchResponse[]> {
  const responses: SQSBatchResponse[] = [];
  const size = FUNCTIONS.validate.batchSize;
  for (let start = 0; start < bodies.length; start += size) {
    const records = bodies
      .slice(start, start + size)
      .map((body) => sqsRecord(body, { receiveCount, queueArn: CHUNK_QUEUE_ARN }));
    responses.push(await h.validate(sqsEvent(...records), lambdaContext('validate')));
    await deliverMerges(h);
  }
  return responses;
}
