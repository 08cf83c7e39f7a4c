/**
 * The pipeline at a batch size no emulator run here can reach (100M lines): wall time at the
 * deployed reserved concurrency and dollars, from CPU per line measured on the emulator, request
 * counts from the pipeline's design, and list prices.
 *
 * Requests are counted from the design (one line per step below), not scaled from a measurement:
 * the merge's part reads grow with chunks × shards, which no straight scaling of a 1M-line run
 * shows. `modelAtScale` at the measured run's own size is printed beside the measured counts, so
 * the formulas are checked against real wire calls every time the bench runs.
 */

import { MULTIPART_BYTES } from '../functions/adapters/s3.js';
import { SQS_BATCH_LIMITS } from '../functions/adapters/sqs.js';
import { byteRangesOf } from '../functions/core/intake/byte-range.js';
import { DEFAULT_CHUNK_RECORDS } from '../functions/core/intake/chunk.js';
import { FIRST_READ_BYTES } from '../functions/pipeline/parts.js';
import { chunkLinesFor } from '../functions/pipeline/split.js';
import {
  DEFAULT_MERGE_SHARD_LINES,
  DEFAULT_SPLIT_RANGE_BYTES,
  FUNCTIONS,
  MAX_SPLIT_RANGES,
  mergeShardsFor,
} from '../functions/pipeline/topology.js';
import {
  costBreakdown,
  type PerFunction,
  type PipelineBenchFigures,
  type PipelineRequests,
  stretchOf,
} from './pipeline-bench.js';

/** Lambda's hard limit on one invocation. */
const LAMBDA_MAX_SECONDS = 900;
/**
 * How fast one split reads an upload through to hash it (a ranged upload's `split-hash`): an
 * assumption, not a measurement here: a single S3 GET stream in a Lambda function, which is slower
 * than SHA-256 on its CPU.
 */
export const HASH_BYTES_PER_SECOND = 90e6;

export interface ScaleModel {
  readonly lines: number;
  /** Byte ranges split reads the upload in (1: one split reads it whole). */
  readonly ranges: number;
  readonly chunks: number;
  readonly shards: number;
  readonly requests: PipelineRequests;
  /** Seconds on Lambda, stage by stage (CPU stretched by each function's vCPU share; waits not counted). */
  readonly seconds: {
    readonly split: number;
    readonly validate: number;
    readonly shards: number;
    readonly renders: number;
    readonly assembly: number;
    readonly total: number;
  };
  /**
   * One range's split (or the hash, or the whole split), the last shard's merge with the first line
   * range's render, one line range's render, and the render that also assembles.
   */
  readonly longestInvocationSeconds: {
    readonly split: number;
    readonly shard: number;
    readonly render: number;
    readonly assembly: number;
  };
  readonly dollarsPerMillionLines: number;
  readonly dollars: number;
}

export interface MeasuredRates {
  /** CPU ms per line: split, validate, a shard's merge, a line range's render, and the assembly. */
  readonly splitMsPerLine: number;
  readonly validateMsPerLine: number;
  readonly shardMsPerLine: number;
  readonly renderMsPerLine: number;
  readonly assemblyMsPerLine: number;
  /** Bytes per line of the upload, of a part, and of the report files. */
  readonly uploadBytesPerLine: number;
  readonly partBytesPerLine: number;
  readonly reportBytesPerLine: number;
  /** The assembly's CPU per finding: what bounds a batch's findings (one invocation writes the report). */
  readonly assemblyMsPerFinding: number;
}

const mean = (values: readonly number[]): number =>
  values.length > 0 ? values.reduce((a, b) => a + b, 0) / values.length : 0;

/**
 * Per-line rates from a measured run with one invocation at a time: the shards' merge invocations
 * first, then the renders' of every line range but the first, which the last shard renders itself.
 * The last render also assembled the report. So a shard is a typical one of the first shards, the
 * first range's render is the last shard's CPU beyond that, a render a typical one of the others
 * (or the first's), and the assembly the last render's CPU beyond a typical render's. A one-shard
 * run does all in one invocation: it is counted as the shard's.
 */
export function ratesOf(figures: PipelineBenchFigures): MeasuredRates {
  const merges = figures.mergeCpuMs;
  const { lines, shards } = figures;
  const several = shards > 1;
  const typicalShard = several ? mean(merges.slice(0, shards - 1)) : (merges[0] ?? 0);
  const firstRender = several ? Math.max(0, merges[shards - 1]! - typicalShard) : 0;
  const renders = merges.slice(shards);
  const typicalRender = renders.length > 1 ? mean(renders.slice(0, -1)) : firstRender;
  const assembly = several ? Math.max(0, (renders.at(-1) ?? 0) - typicalRender) : 0;
  return {
    splitMsPerLine: figures.lambdaCpuMs.split / lines,
    validateMsPerLine: figures.lambdaCpuMs.validate / lines,
    shardMsPerLine: (typicalShard * shards) / lines,
    renderMsPerLine: (typicalRender * shards) / lines,
    assemblyMsPerLine: assembly / lines,
    uploadBytesPerLine: figures.bytes / lines,
    partBytesPerLine: figures.partBytes / lines,
    reportBytesPerLine: figures.reportBytes / lines,
    assemblyMsPerFinding: figures.findings > 0 ? assembly / figures.findings : 0,
  };
}

/** The requests of one batch of `lines` lines, step by step as the functions make them. */
export function requestsAt(
  lines: number,
  rates: MeasuredRates,
  options: ModelOptions = {},
): PipelineRequests {
  const chunkLines = chunkLinesAt(lines, rates, options);
  const chunks = Math.ceil(lines / chunkLines);
  const shards = mergeShardsFor(lines, options.mergeShardLines ?? DEFAULT_MERGE_SHARD_LINES);
  const validateInvocations = Math.ceil(chunks / FUNCTIONS.validate.batchSize);
  const partGets = rates.partBytesPerLine * chunkLines > FIRST_READ_BYTES ? 2 : 1;
  // Five report files, one PUT each; the big ones go up in 8 MiB parts instead (a close upper bound).
  const reportPuts = 5 + Math.ceil((rates.reportBytesPerLine * lines) / MULTIPART_BYTES);
  const ranges = rangesAt(lines, rates, options);
  const ranged = ranges > 1 ? rangeRequests(ranges) : NO_REQUESTS;
  // As many line ranges as shards (render-ranges.ts); the last shard renders the first itself.
  const renders = shards;
  const sent = shards - 1;
  return {
    // split: chunks, rejected records, manifest, dispatched; validate: parts, plan, lock, done;
    // merge: shard results, render lock, rendering, rendered ranges, assembly lock, reported, the
    // report's files (multipart above 8 MiB; findings.csv's copied parts fewer than that).
    s3Put: chunks + 3 + chunks + 3 + shards + 2 + renders + 2 + reportPuts + ranged.s3Put,
    // split: the upload, its duplicate checks; validate: each chunk, its part's HEAD, the manifest
    // per invocation, the last one's done marker; merge, per shard: manifest, plan, its result's
    // HEAD, its pieces of every part, and the last one's rendering HEAD; per render: manifest, plan
    // (not for the first: its shard read them), its range's HEAD, its chunks' part roots, two reads
    // of every shard result (header, section);
    // the assembly: reported's HEAD, every part's root, every shard's sections (as the renders read
    // them), the seams of findings.csv.
    s3Get:
      3 +
      2 * chunks +
      validateInvocations +
      1 +
      shards * (3 + partGets * chunks) +
      1 +
      renders * (3 + 2 * shards) -
      2 +
      partGets * chunks +
      (partGets * chunks + 2 * shards * renders + 2 + 2 * renders) +
      ranged.s3Get,
    // validate: parts and failures, per chunk; merge: the shard results and the history CSVs, per
    // shard; the rendered ranges, per render.
    s3List: 2 * chunks + 2 * shards + renders + 1 + ranged.s3List,
    sqsSend:
      Math.ceil(chunks / SQS_BATCH_LIMITS.entries) +
      Math.ceil(shards / SQS_BATCH_LIMITS.entries) +
      Math.ceil(sent / SQS_BATCH_LIMITS.entries) +
      ranged.sqsSend,
    sqsReceive: 1 + validateInvocations + shards + sent + ranged.sqsReceive,
    sqsDelete: 1 + validateInvocations + shards + sent + ranged.sqsReceive,
    sns: 1,
  };
}

type RangeRequests = Pick<PipelineRequests, 's3Put' | 's3Get' | 's3List' | 'sqsSend' | 'sqsReceive'>;
const NO_REQUESTS: RangeRequests = { s3Put: 0, s3Get: 0, s3List: 0, sqsSend: 0, sqsReceive: 0 };

/**
 * What splitting by `ranges` byte ranges adds (split-ranges.ts): the plan and `planned`; per range
 * (and once for the hash) a result, its HEAD, the plan, the upload's bytes, the list of results, the
 * hash's and `dispatched`'s HEADs; the join's lock, manifest check, every result and the hash.
 */
function rangeRequests(ranges: number): RangeRequests {
  const workers = ranges + 1;
  return {
    s3Put: 2 + workers + 1,
    s3Get: 2 + 5 * workers + 2 + ranges + 1,
    s3List: workers,
    sqsSend: Math.ceil(workers / SQS_BATCH_LIMITS.entries),
    sqsReceive: workers,
  };
}

/** Byte ranges split cuts an upload of this many lines into (see planRanges). */
const rangesAt = (lines: number, rates: MeasuredRates, options: ModelOptions): number => {
  const bytes = lines * rates.uploadBytesPerLine;
  const rangeBytes = options.splitRangeBytes ?? DEFAULT_SPLIT_RANGE_BYTES;
  return bytes > rangeBytes ? byteRangesOf(bytes, rangeBytes, MAX_SPLIT_RANGES).length : 1;
};

export interface ModelOptions {
  readonly chunkLines?: number;
  readonly mergeShardLines?: number;
  readonly splitRangeBytes?: number;
}

/** Records per chunk split chooses for an upload of this many lines (see chunkLinesFor). */
const chunkLinesAt = (lines: number, rates: MeasuredRates, options: ModelOptions): number =>
  chunkLinesFor(lines * rates.uploadBytesPerLine, 'batch.csv', options.chunkLines ?? DEFAULT_CHUNK_RECORDS);

export function modelAtScale(lines: number, rates: MeasuredRates, options: ModelOptions = {}): ScaleModel {
  const chunkLines = chunkLinesAt(lines, rates, options);
  const chunks = Math.ceil(lines / chunkLines);
  const shards = mergeShardsFor(lines, options.mergeShardLines ?? DEFAULT_MERGE_SHARD_LINES);
  const stretch = (fn: keyof typeof FUNCTIONS) => stretchOf(FUNCTIONS[fn].memoryMb);
  const cpuMs: PerFunction = {
    split: rates.splitMsPerLine * lines,
    validate: rates.validateMsPerLine * lines,
    merge: (rates.shardMsPerLine + rates.renderMsPerLine + rates.assemblyMsPerLine) * lines,
  };
  const waves = (count: number, concurrency: number) => Math.ceil(count / concurrency);
  const perChunk = (rates.validateMsPerLine * chunkLines * stretch('validate')) / 1000;
  const perShard = (rates.shardMsPerLine * (lines / shards) * stretch('merge')) / 1000;
  const perRender = (rates.renderMsPerLine * (lines / shards) * stretch('merge')) / 1000;
  // Ranges split at once, up to split's reserved concurrency, beside one split hashing the upload.
  const ranges = rangesAt(lines, rates, options);
  const perRange = (cpuMs.split * stretch('split')) / ranges / 1000;
  const hash = ranges > 1 ? (lines * rates.uploadBytesPerLine) / HASH_BYTES_PER_SECOND : 0;
  const split = Math.max(waves(ranges, FUNCTIONS.split.reservedConcurrency) * perRange, hash);
  // Validate takes a batch of chunks per invocation; the reserved concurrency caps the fan-out.
  const validate = waves(chunks, FUNCTIONS.validate.reservedConcurrency) * perChunk;
  const shardSeconds = waves(shards, FUNCTIONS.merge.reservedConcurrency) * perShard;
  const renderSeconds = waves(shards, FUNCTIONS.merge.reservedConcurrency) * perRender;
  const assembly = (rates.assemblyMsPerLine * lines * stretch('merge')) / 1000;
  const requests = requestsAt(lines, rates, options);
  const invocations: PerFunction = {
    split: ranges > 1 ? ranges + 2 : 1,
    validate: Math.ceil(chunks / FUNCTIONS.validate.batchSize),
    merge: 2 * shards - 1,
  };
  const cost = costBreakdown({ lambdaCpuMs: cpuMs, requests, invocations }, lines);
  return {
    lines,
    ranges,
    chunks,
    shards,
    requests,
    seconds: {
      split,
      validate,
      shards: shardSeconds,
      renders: renderSeconds,
      assembly,
      total: split + validate + shardSeconds + renderSeconds + assembly,
    },
    // The last shard renders the first range too; the last render assembles (for one shard, both).
    longestInvocationSeconds: {
      split: Math.max(perRange, hash),
      shard: perShard + perRender,
      render: perRender,
      assembly: assembly + perRender + (shards === 1 ? perShard : 0),
    },
    dollarsPerMillionLines: cost.total,
    dollars: (cost.total * lines) / 1e6,
  };
}

/** Findings one assembly can write within the merge timeout, at the measured CPU per finding. */
export const assemblyCeilingFindings = (rates: MeasuredRates): number =>
  rates.assemblyMsPerFinding > 0
    ? Math.floor((FUNCTIONS.merge.timeoutSeconds * 1000) / rates.assemblyMsPerFinding)
    : Infinity;

/** The stages of a model that would not fit one Lambda invocation. */
export function overLimits(model: ScaleModel): string[] {
  const over: string[] = [];
  const { split, shard, render, assembly } = model.longestInvocationSeconds;
  if (split > FUNCTIONS.split.timeoutSeconds)
    over.push(`split (${split.toFixed(0)} s > its ${FUNCTIONS.split.timeoutSeconds} s timeout)`);
  if (shard > LAMBDA_MAX_SECONDS)
    over.push(`the last shard with the first line range (${shard.toFixed(0)} s)`);
  if (render > FUNCTIONS.merge.timeoutSeconds)
    over.push(`a line range's render (${render.toFixed(0)} s > ${FUNCTIONS.merge.timeoutSeconds} s)`);
  if (assembly > FUNCTIONS.merge.timeoutSeconds)
    over.push(
      `the assembly with its line range (${assembly.toFixed(0)} s > ${FUNCTIONS.merge.timeoutSeconds} s)`,
    );
  return over;
}
