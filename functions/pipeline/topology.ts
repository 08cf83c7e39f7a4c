/**
 * The one definition of the pipeline's moving parts, shared by the CDK stack (infra/) and the local
 * runner (functions/local/). Change a number here and both the cloud and the laptop follow.
 * Pure data: no AWS SDK or CDK import, so the Lambda bundles stay small.
 */

/** S3 key prefixes. */
export const PREFIX = {
  /** Billing uploads batches here (intake bucket). */
  incoming: 'incoming/',
  /** Finished report folders, one per batch (reports bucket). */
  reports: 'reports/',
  /** Chunk payloads, part results and manifests (work bucket; expires). */
  work: 'work/',
  /** Prior sessions for FREQUENCY_EXCEEDED (work bucket; does not expire). */
  history: 'history/',
  /** Rule packs (`*.json`), copied into each batch's manifest when it is split (work bucket; does not expire). */
  packs: 'packs/',
} as const;

export interface FunctionSizing {
  /** Lambda memory, MB. */
  readonly memoryMb: number;
  /** Lambda timeout, seconds. */
  readonly timeoutSeconds: number;
  /** Reserved concurrency (caps the fan-out and the bill). */
  readonly reservedConcurrency: number;
  /** SQS event source batch size. */
  readonly batchSize: number;
  /** Lambda ephemeral storage (/tmp), MB; 512 when not given. */
  readonly ephemeralStorageMb?: number;
}

export interface QueueDefinition {
  /** Logical name; the local runner uses it as the queue name, CDK as the construct id stem. */
  readonly name: string;
  /** Receives before a message moves to the dead-letter queue. */
  readonly maxReceiveCount: number;
  /** Visibility timeout = this many times the consumer's timeout (AWS advises at least 6). */
  readonly visibilityTimeoutFactor: number;
  /** Dead-letter retention, days. */
  readonly dlqRetentionDays: number;
}

/**
 * The functions: split reads an upload and fans out chunks; validate checks a chunk and, for the
 * last one, fans out the batch's merge shards; merge merges one shard, and the last shard to finish
 * assembles the report. Merge has the most memory and time: a shard holds the tables of up to
 * MERGE_SHARD_LINES lines, and its assembly streams every finding of the batch into the report.
 */
export const FUNCTIONS = {
  split: { memoryMb: 1024, timeoutSeconds: 300, reservedConcurrency: 5, batchSize: 1 },
  validate: { memoryMb: 1024, timeoutSeconds: 120, reservedConcurrency: 20, batchSize: 5 },
  // /tmp holds the batch's findings while the report is written (~250 bytes each).
  merge: {
    memoryMb: 2048,
    timeoutSeconds: 900,
    reservedConcurrency: 10,
    batchSize: 1,
    ephemeralStorageMb: 4096,
  },
} as const satisfies Record<string, FunctionSizing>;

/**
 * Lines per merge shard (MERGE_SHARD_LINES' default): a shard's tables take about 50 bytes a line,
 * so 2M lines is ~100 MB, well inside merge's memory, and a 100M-line batch is 50 shards.
 */
export const DEFAULT_MERGE_SHARD_LINES = 2_000_000;
/**
 * Bytes per split range (SPLIT_RANGE_BYTES' default): an upload this big is read, framed and stored
 * by one split in well under its timeout; a bigger one is cut into ranges that split at once.
 */
export const DEFAULT_SPLIT_RANGE_BYTES = 256 * 1024 * 1024;
/** The smallest range: the header line must fit in the first one. */
export const MIN_SPLIT_RANGE_BYTES = 64 * 1024;
/** Most ranges an upload is cut into: a bigger upload gets bigger ranges. */
export const MAX_SPLIT_RANGES = 1_000;

/** Most shards a batch is cut into (each chunk's part holds two sections per shard). */
export const MAX_MERGE_SHARDS = 512;

/** Shards for a batch of `lines` records. */
export const mergeShardsFor = (lines: number, shardLines: number): number =>
  Math.min(MAX_MERGE_SHARDS, Math.max(1, Math.ceil(lines / shardLines)));

export const QUEUES = {
  intake: { name: 'scrub62323-intake', maxReceiveCount: 3, visibilityTimeoutFactor: 6, dlqRetentionDays: 14 },
  chunk: { name: 'scrub62323-chunks', maxReceiveCount: 3, visibilityTimeoutFactor: 6, dlqRetentionDays: 14 },
  merge: { name: 'scrub62323-merges', maxReceiveCount: 3, visibilityTimeoutFactor: 6, dlqRetentionDays: 14 },
} as const satisfies Record<string, QueueDefinition>;

/** Dead-letter queue name for a queue. */
export const dlqName = (queue: QueueDefinition): string => `${queue.name}-dlq`;

/** Visibility timeout for a queue consumed by a function of the given timeout. */
export const visibilityTimeoutSeconds = (queue: QueueDefinition, consumer: FunctionSizing): number =>
  queue.visibilityTimeoutFactor * consumer.timeoutSeconds;

/** Bucket name stems (the stack adds account/region/stage; the local runner uses them as they are). */
export const BUCKETS = {
  intake: 'scrub62323-intake',
  reports: 'scrub62323-reports',
  work: 'scrub62323-work',
} as const;

/**
 * The "report ready" topic. The stack lets CloudFormation name its topic; the local runner creates one
 * with this name.
 */
export const TOPICS = { reportReady: 'scrub62323-report-ready' } as const;

/**
 * User metadata an upload may carry (`x-amz-meta-as-of: YYYY-MM-DD`) to fix the date the batch is
 * judged on; without it the as-of date is the S3 event's eventTime date (UTC).
 */
export const AS_OF_METADATA = 'as-of';

/** Work files (chunks, parts, manifests) expire after this many days. */
export const WORK_EXPIRY_DAYS = 3;

/** Default report retention: six years (HIPAA documentation retention). */
export const DEFAULT_REPORT_RETENTION_DAYS = 6 * 365;

/** Log levels a function accepts (LOG_LEVEL, and the stack's `logLevel` context). */
export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Environment variables the handlers read (validated once at cold start) and the stack sets.
 * Keys are the variable names; values say what they hold.
 */
export const ENV = {
  WORK_BUCKET: 'bucket for chunks, parts and manifests',
  REPORTS_BUCKET: 'bucket the finished reports are written to',
  CHUNK_QUEUE_URL: 'URL of the chunk queue the split function sends to',
  INTAKE_QUEUE_URL:
    "optional: URL of split's own queue, where it sends the byte ranges of a large upload (without it, every upload is split whole)",
  INTAKE_MAX_RECEIVE_COUNT:
    'optional: maxReceiveCount of the intake queue (a byte range that fails on its last receive has the upload split whole)',
  SPLIT_RANGE_BYTES: `optional: an upload of more bytes is split by several functions, one byte range each of about this size (default ${DEFAULT_SPLIT_RANGE_BYTES})`,
  CHUNK_MAX_RECEIVE_COUNT:
    'maxReceiveCount of the chunk queue (the validate function gives up on the last receive)',
  MERGE_QUEUE_URL:
    "URL of the merge queue: validate sends a finished batch's shards to it, the last shard the report's line ranges to render",
  MERGE_SHARD_LINES: `optional: lines per merge shard (default ${DEFAULT_MERGE_SHARD_LINES})`,
  REPORT_TOPIC_ARN: 'optional: SNS topic told when a report is ready',
  HISTORY_TABLE:
    'optional: DynamoDB table of member history (read for each batch, written with its sessions)',
  CHUNK_LINES: 'optional: records per chunk (default 20000)',
  MAX_RECORDS: 'optional: a batch with more records is rejected as BATCH_TOO_LARGE (default 100000000)',
  MAX_GZIP_RATIO:
    'optional: a gzip upload that unpacks to more than this many times its size is rejected as BATCH_TOO_LARGE (default 50)',
  MAX_UPLOAD_BYTES:
    'optional: an upload of more bytes is rejected as UNSUPPORTED_FILE without being read (default 2147483648, 2 GiB)',
  STACK_NAME:
    'optional: the stack whose outputs `scrub62323 reports get --stack` reads; the "report ready" notice names it',
  LOG_LEVEL: `optional: ${LOG_LEVELS.join(', ')}`,
} as const;

export type EnvName = keyof typeof ENV;

/** Variables the Lambda runtime sets by itself (the stack may not set them; the local runner does not). */
export const RUNTIME_ENV = {
  AWS_REGION: 'the region the function runs in: the "report ready" notice links the S3 console there',
} as const;

export type RuntimeEnvName = keyof typeof RUNTIME_ENV;

export type FunctionName = keyof typeof FUNCTIONS;

/**
 * The environment variables each function reads. The stack sets exactly these on each function and
 * the local runner hands each handler only these, so the two cannot drift apart. (Locally the log
 * level is the runner's own choice, SILENT included, so it sets the loggers instead of LOG_LEVEL.)
 */
export const FUNCTION_ENV = {
  split: [
    'WORK_BUCKET',
    'CHUNK_QUEUE_URL',
    'INTAKE_QUEUE_URL',
    'INTAKE_MAX_RECEIVE_COUNT',
    'SPLIT_RANGE_BYTES',
    'CHUNK_LINES',
    'MAX_RECORDS',
    'MAX_GZIP_RATIO',
    'MAX_UPLOAD_BYTES',
    'MERGE_SHARD_LINES',
    'LOG_LEVEL',
  ],
  validate: ['WORK_BUCKET', 'CHUNK_MAX_RECEIVE_COUNT', 'MERGE_QUEUE_URL', 'LOG_LEVEL'],
  merge: [
    'WORK_BUCKET',
    'REPORTS_BUCKET',
    'MERGE_QUEUE_URL',
    'REPORT_TOPIC_ARN',
    'HISTORY_TABLE',
    'STACK_NAME',
    'LOG_LEVEL',
  ],
} as const satisfies Record<FunctionName, readonly EnvName[]>;

/** The variables of `values` that function `fn` reads (unset ones left out). */
export function environmentOf(
  fn: FunctionName,
  values: Partial<Record<EnvName, string>>,
): Partial<Record<EnvName, string>> {
  const picked: Partial<Record<EnvName, string>> = {};
  for (const name of FUNCTION_ENV[fn]) {
    const value = values[name];
    if (value !== undefined) picked[name] = value;
  }
  return picked;
}

/**
 * The CloudWatch metrics the functions emit (embedded metric format), by name, so alarms and
 * dashboards refer to the same strings the code writes. Every metric carries the `service` dimension;
 * BatchesReported also carries `status`, one of `batchStatuses` (the alarm on "no batch reported" sums
 * the three).
 */
export const METRICS = {
  namespace: 'scrub62323',
  /** The `service` dimension (Powertools writes it on every metric) and its value. */
  serviceDimension: 'service',
  service: 'scrub62323',
  /** Dimension of BatchesReported: the status of the report written. */
  statusDimension: 'status',
  batchStatuses: ['complete', 'rejected', 'incomplete'],
  names: {
    /** A report folder written (merge, when it assembles a batch): 1 per report. */
    batchesReported: 'BatchesReported',
    /** Lines of that report that were checked (not rejected by the reader). */
    linesChecked: 'LinesChecked',
    /** Findings of that report, by severity. */
    findingsError: 'FindingsError',
    findingsWarning: 'FindingsWarning',
    findingsInfo: 'FindingsInfo',
    /** A chunk given up on after its last receive (the report lists it as missing). */
    chunksFailed: 'ChunksFailed',
  },
} as const;

export type MetricName = (typeof METRICS.names)[keyof typeof METRICS.names];
