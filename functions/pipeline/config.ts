/**
 * Function configuration from environment variables (names and meanings in topology.ts ENV), checked
 * once at cold start. Every problem is reported in one error so a misconfigured deployment is fixed
 * in one go, not one variable per failed invocation.
 */
import { ScrubError } from '../core/errors.js';
import { DEFAULT_CHUNK_RECORDS } from '../core/intake/chunk.js';
import { DEFAULT_MAX_GZIP_RATIO, DEFAULT_MAX_RECORDS, parseLimit } from '../core/intake/reader.js';
import { DEFAULT_MAX_UPLOAD_BYTES, MAX_UPLOAD_BYTES_CEILING } from '../core/intake/upload-file.js';
import {
  DEFAULT_MERGE_SHARD_LINES,
  DEFAULT_SPLIT_RANGE_BYTES,
  ENV,
  type EnvName,
  type FunctionName,
  LOG_LEVELS,
  type LogLevel,
  MIN_SPLIT_RANGE_BYTES,
  RUNTIME_ENV,
  type RuntimeEnvName,
} from './topology.js';

export type { LogLevel };

export type Environment = Readonly<Record<string, string | undefined>>;

export interface SplitConfig {
  readonly workBucket: string;
  readonly chunkQueueUrl: string;
  readonly chunkLines: number;
  /** BATCH_TOO_LARGE limits handed to the reader. */
  readonly maxRecords: number;
  readonly maxGzipRatio: number;
  /** Larger uploads are refused (UNSUPPORTED_FILE) without being read. */
  readonly maxUploadBytes: number;
  /** Lines per merge shard: the manifest's shard count is the batch's lines over this. */
  readonly mergeShardLines: number;
  /** Split's own queue: a large upload's byte ranges are sent there (none: every upload is split whole). */
  readonly intakeQueueUrl?: string;
  /** Uploads of more bytes are split by byte ranges of about this size. */
  readonly splitRangeBytes: number;
  /** The intake queue's maxReceiveCount: a range failing on its last receive has the upload split whole. */
  readonly intakeMaxReceiveCount?: number;
  readonly logLevel: LogLevel;
}

export interface ValidateConfig {
  readonly workBucket: string;
  readonly chunkMaxReceiveCount: number;
  /** Where the batch's merge shards are sent once every chunk is done. */
  readonly mergeQueueUrl: string;
  readonly logLevel: LogLevel;
}

export interface MergeConfig {
  readonly workBucket: string;
  readonly reportsBucket: string;
  /** Its own queue: the last shard sends the report's line ranges there, one render each. */
  readonly mergeQueueUrl: string;
  readonly reportTopicArn?: string;
  /** The member history table; without one, only `history/*.csv` of the work bucket is read and nothing is recorded. */
  readonly historyTable?: string;
  /** The stack `scrub62323 reports get --stack` reads (the notice names it); none locally. */
  readonly stackName?: string;
  /** The function's region (AWS_REGION, set by Lambda): the notice links the S3 console there. */
  readonly region?: string;
  readonly logLevel: LogLevel;
}

/** Largest chunk a validate function is sized for (records); bigger chunks risk its memory and timeout. */
export const MAX_CHUNK_LINES = 200_000;

/** Every problem with a function's environment, in one sentence. */
export class ConfigError extends ScrubError {
  constructor(fn: FunctionName, problems: readonly string[]) {
    super('CONFIG_INVALID', `scrub62323 ${fn} function cannot start: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

class Reader {
  readonly problems: string[] = [];
  constructor(private readonly env: Environment) {}

  private raw(name: EnvName | RuntimeEnvName): string | undefined {
    const value = this.env[name]?.trim();
    return value === '' ? undefined : value;
  }

  required(name: EnvName): string {
    const value = this.raw(name);
    if (value === undefined) this.problems.push(`${name} is not set (${ENV[name]})`);
    return value ?? '';
  }

  optional(name: EnvName | RuntimeEnvName): string | undefined {
    return this.raw(name);
  }

  /** An optional value that must match `pattern` (`what` says what it should be). */
  matching(name: EnvName | RuntimeEnvName, pattern: RegExp, what: string): string | undefined {
    const value = this.raw(name);
    if (value !== undefined && !pattern.test(value)) {
      const meaning = name in ENV ? ENV[name as EnvName] : RUNTIME_ENV[name as RuntimeEnvName];
      this.problems.push(`${name} must be ${what} (got "${value}"; ${meaning})`);
    }
    return value;
  }

  wholeNumber(name: EnvName, fallback: number | undefined, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) {
      if (fallback === undefined) this.problems.push(`${name} is not set (${ENV[name]})`);
      return fallback ?? 0;
    }
    const parsed = Number(value);
    if (!/^\d+$/.test(value) || parsed < min || parsed > max) {
      this.problems.push(`${name} must be a whole number from ${min} to ${max} (got "${value}")`);
    }
    return parsed;
  }

  /** A BATCH_TOO_LARGE limit (see parseLimit). */
  limit(name: EnvName, fallback: number, kind: 'records' | 'ratio'): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const parsed = parseLimit(value, kind);
    if (typeof parsed === 'string') this.problems.push(`${name} ${parsed}`);
    return typeof parsed === 'number' ? parsed : fallback;
  }

  url(name: EnvName): string {
    const value = this.required(name);
    this.checkUrl(name, value);
    return value;
  }

  optionalUrl(name: EnvName): string | undefined {
    const value = this.raw(name);
    if (value !== undefined) this.checkUrl(name, value);
    return value;
  }

  private checkUrl(name: EnvName, value: string): void {
    if (value !== '' && !/^https?:\/\/\S+$/.test(value))
      this.problems.push(`${name} must be an http(s) URL (got "${value}")`);
  }

  logLevel(): LogLevel {
    const value = (this.raw('LOG_LEVEL') ?? 'INFO').toUpperCase();
    if ((LOG_LEVELS as readonly string[]).includes(value)) return value as LogLevel;
    this.problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${value}")`);
    return 'INFO';
  }

  done<T>(fn: FunctionName, config: T): T {
    if (this.problems.length > 0) throw new ConfigError(fn, this.problems);
    return config;
  }
}

export function loadSplitConfig(env: Environment): SplitConfig {
  const read = new Reader(env);
  const intakeQueueUrl = read.optionalUrl('INTAKE_QUEUE_URL');
  return read.done('split', {
    workBucket: read.required('WORK_BUCKET'),
    chunkQueueUrl: read.url('CHUNK_QUEUE_URL'),
    chunkLines: read.wholeNumber('CHUNK_LINES', DEFAULT_CHUNK_RECORDS, 1, MAX_CHUNK_LINES),
    maxRecords: read.limit('MAX_RECORDS', DEFAULT_MAX_RECORDS, 'records'),
    maxGzipRatio: read.limit('MAX_GZIP_RATIO', DEFAULT_MAX_GZIP_RATIO, 'ratio'),
    maxUploadBytes: read.wholeNumber(
      'MAX_UPLOAD_BYTES',
      DEFAULT_MAX_UPLOAD_BYTES,
      1,
      MAX_UPLOAD_BYTES_CEILING,
    ),
    mergeShardLines: read.wholeNumber('MERGE_SHARD_LINES', DEFAULT_MERGE_SHARD_LINES, 1, 100_000_000),
    ...(intakeQueueUrl !== undefined ? { intakeQueueUrl } : {}),
    ...(env.INTAKE_MAX_RECEIVE_COUNT?.trim()
      ? { intakeMaxReceiveCount: read.wholeNumber('INTAKE_MAX_RECEIVE_COUNT', undefined, 1, 1000) }
      : {}),
    splitRangeBytes: read.wholeNumber(
      'SPLIT_RANGE_BYTES',
      DEFAULT_SPLIT_RANGE_BYTES,
      MIN_SPLIT_RANGE_BYTES,
      MAX_UPLOAD_BYTES_CEILING,
    ),
    logLevel: read.logLevel(),
  });
}

export function loadValidateConfig(env: Environment): ValidateConfig {
  const read = new Reader(env);
  return read.done('validate', {
    workBucket: read.required('WORK_BUCKET'),
    chunkMaxReceiveCount: read.wholeNumber('CHUNK_MAX_RECEIVE_COUNT', undefined, 1, 1000),
    mergeQueueUrl: read.url('MERGE_QUEUE_URL'),
    logLevel: read.logLevel(),
  });
}

export function loadMergeConfig(env: Environment): MergeConfig {
  const read = new Reader(env);
  const topic = read.optional('REPORT_TOPIC_ARN');
  if (topic !== undefined && !topic.startsWith('arn:'))
    read.problems.push(`REPORT_TOPIC_ARN must be an ARN (got "${topic}")`);
  const historyTable = read.optional('HISTORY_TABLE');
  // CloudFormation's stack name rule; AWS region names such as us-east-1 or ap-southeast-2.
  const stackName = read.matching(
    'STACK_NAME',
    /^[A-Za-z][A-Za-z0-9-]{0,127}$/,
    'a CloudFormation stack name',
  );
  const region = read.matching('AWS_REGION', /^[a-z]{2}(-[a-z]+)+-\d+$/, 'an AWS region name');
  return read.done('merge', {
    workBucket: read.required('WORK_BUCKET'),
    reportsBucket: read.required('REPORTS_BUCKET'),
    mergeQueueUrl: read.url('MERGE_QUEUE_URL'),
    ...(topic !== undefined ? { reportTopicArn: topic } : {}),
    ...(historyTable !== undefined ? { historyTable } : {}),
    ...(stackName !== undefined ? { stackName } : {}),
    ...(region !== undefined ? { region } : {}),
    logLevel: read.logLevel(),
  });
}
