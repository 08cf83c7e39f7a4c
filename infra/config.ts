import type { Node } from 'constructs';
import { DEFAULT_MAX_UPLOAD_BYTES, MAX_UPLOAD_BYTES_CEILING } from '../functions/core/intake/upload-file.js';
import { DEFAULT_REPORT_RETENTION_DAYS, LOG_LEVELS, type LogLevel } from '../functions/pipeline/topology.js';

/** Default of `expectBatchEveryHours`: a nightly batch, with two hours to spare. */
export const DEFAULT_EXPECT_BATCH_EVERY_HOURS = 26;
/**
 * The longest window the missing-batch alarm can watch: it evaluates hourly periods, and CloudWatch
 * evaluates an alarm over at most 7 days (period × evaluation periods ≤ 604,800 s).
 */
export const MAX_EXPECT_BATCH_EVERY_HOURS = 7 * 24;

/** Values a deployment may choose with `cdk deploy -c name=value` (or the cdk.json `context` block). */
export interface StackConfig {
  /** Deployment stage; part of every bucket, key alias and policy name so stages can share an account. */
  readonly stage: string;
  /** Subscribed by email to the alarm topic. */
  readonly alertEmail?: string;
  /** Subscribed by email to the "report ready" topic. */
  readonly reportEmail?: string;
  /** Days reports (and the uploads they came from) are kept. */
  readonly reportRetentionDays: number;
  /** LOG_LEVEL handed to the functions. */
  readonly logLevel: LogLevel;
  /** CloudFormation termination protection on the data stack (the stateless stack never has it). */
  readonly terminationProtection?: boolean;
  /** MAX_UPLOAD_BYTES of the split function: larger uploads are refused (UNSUPPORTED_FILE) unread. */
  readonly maxUploadBytes: number;
  /** The missing-batch alarm fires when no report was written for this many hours; 0: no such alarm. */
  readonly expectBatchEveryHours: number;
}

// Bucket names are `<stem>-<stage>-<account>-<region>` and must stay within S3's 63 characters.
const STAGE_PATTERN = /^[a-z][a-z0-9-]{0,9}$/;
const EMAIL_PATTERN = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** Reads and validates the context values; fails synthesis early with a message naming the bad value. */
export function readConfig(node: Node): StackConfig {
  const stage = optionalString(node, 'stage') ?? 'dev';
  if (!STAGE_PATTERN.test(stage)) {
    throw new Error(`context "stage" must match ${STAGE_PATTERN} (got "${stage}")`);
  }
  const alertEmail = optionalEmail(node, 'alertEmail');
  const reportEmail = optionalEmail(node, 'reportEmail');

  const reportRetentionDays = wholeNumber(node, 'reportRetentionDays', DEFAULT_REPORT_RETENTION_DAYS, 1);
  const maxUploadBytes = wholeNumber(
    node,
    'maxUploadBytes',
    DEFAULT_MAX_UPLOAD_BYTES,
    1,
    MAX_UPLOAD_BYTES_CEILING,
  );
  const expectBatchEveryHours = wholeNumber(
    node,
    'expectBatchEveryHours',
    DEFAULT_EXPECT_BATCH_EVERY_HOURS,
    0,
    MAX_EXPECT_BATCH_EVERY_HOURS,
  );

  const logLevel = (optionalString(node, 'logLevel') ?? 'INFO').toUpperCase();
  if (!isLogLevel(logLevel)) {
    throw new Error(`context "logLevel" must be one of ${LOG_LEVELS.join(', ')} (got "${logLevel}")`);
  }

  const terminationProtection = optionalBoolean(node, 'terminationProtection');

  return {
    stage,
    reportRetentionDays,
    logLevel,
    maxUploadBytes,
    expectBatchEveryHours,
    ...(terminationProtection !== undefined ? { terminationProtection } : {}),
    ...(alertEmail ? { alertEmail } : {}),
    ...(reportEmail ? { reportEmail } : {}),
  };
}

/** A whole-number context value from `min` (to `max`), or `fallback` when unset. */
function wholeNumber(node: Node, key: string, fallback: number, min: number, max?: number): number {
  const raw = node.tryGetContext(key) as unknown;
  // `-c key=2555` arrives as a string, cdk.json as a number.
  if (raw === undefined || raw === null || raw === '') return fallback;
  const value = Number(String(raw));
  if (!/^\d+$/.test(String(raw).trim()) || value < min || (max !== undefined && value > max)) {
    const range = max === undefined ? `of at least ${min}` : `from ${min} to ${max}`;
    throw new Error(`context "${key}" must be a whole number ${range} (got "${String(raw)}")`);
  }
  return value;
}

function optionalString(node: Node, key: string): string | undefined {
  const value = node.tryGetContext(key) as unknown;
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new Error(`context "${key}" must be a string`);
  return value;
}

function optionalBoolean(node: Node, key: string): boolean | undefined {
  const value = node.tryGetContext(key) as unknown;
  // `-c terminationProtection=true` arrives as a string, cdk.json as a boolean.
  if (value === undefined || value === null || value === '') return undefined;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new Error(`context "${key}" must be true or false (got "${String(value)}")`);
}

function optionalEmail(node: Node, key: string): string | undefined {
  const value = optionalString(node, key);
  if (value !== undefined && !EMAIL_PATTERN.test(value)) {
    throw new Error(`context "${key}" must be an email address (got "${value}")`);
  }
  return value;
}

function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}
