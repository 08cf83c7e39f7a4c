/**
 * Pipeline figures for `npm run bench`: one batch through the local pipeline on the embedded
 * emulator, measured the way Lambda would bill it, and a cost model per million claim lines.
 *
 * How it measures: the batch goes through twice. The wall time comes from a run as `scrub62323
 * pipeline` runs (validate and merge pollers in parallel on worker threads of their own, as Lambda
 * fans out). CPU and requests come from a second run with one invocation at a time, in this thread, so
 * that process.cpuUsage() around each handler invocation is that invocation's CPU (SDK work
 * included); the emulator runs in a child process, so its own CPU is not counted. Requests are
 * counted per HTTP attempt on the functions' own clients; SQS receives count only those that
 * returned messages (the empty long polls of the event source mapping are a fixed cost per poller,
 * not per batch).
 */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import type { Summary } from '../functions/core/report/summary.js';
import { LocalPipeline } from '../functions/local/runner.js';
import { FUNCTIONS, type FunctionName, PREFIX } from '../functions/pipeline/topology.js';

export const sha256 = (text: string | Uint8Array): string => createHash('sha256').update(text).digest('hex');

/** One figure per function. */
export type PerFunction = Readonly<Record<FunctionName, number>>;
const FUNCTION_NAMES = Object.keys(FUNCTIONS) as FunctionName[];
const perFunction = (of: (fn: FunctionName) => number): PerFunction =>
  Object.fromEntries(FUNCTION_NAMES.map((fn) => [fn, of(fn)])) as PerFunction;

export interface PipelineRequests {
  /** PUT-class: PutObject and the parts of multipart uploads. */
  readonly s3Put: number;
  /** GET-class: GetObject and HeadObject. */
  readonly s3Get: number;
  /** ListObjectsV2 (billed at the PUT-class price). */
  readonly s3List: number;
  /** SendMessage and SendMessageBatch calls. */
  readonly sqsSend: number;
  /** ReceiveMessage calls that returned messages. */
  readonly sqsReceive: number;
  /** DeleteMessage(Batch) and ChangeMessageVisibility(Batch): settling received messages. */
  readonly sqsDelete: number;
  /** SNS Publish ("report ready"). */
  readonly sns: number;
}

export interface PipelineBenchFigures {
  /** From the S3 event to the "report ready" notice. */
  readonly wallMs: number;
  /** Upload bytes (10^6) per second of split handler time. */
  readonly splitMBps: number;
  readonly lambdaCpuMs: PerFunction;
  readonly requests: PipelineRequests;
  /** Also measured, for the cost model and the report. */
  readonly lambdaWallMs: PerFunction;
  readonly invocations: PerFunction;
  /** Each merge invocation's peak heap, bytes (the last one also assembles the report). */
  readonly mergePeakHeapBytes: readonly number[];
  /** Each merge invocation's CPU, ms, in the order they ran. */
  readonly mergeCpuMs: readonly number[];
  readonly lines: number;
  /** Findings in the report (every severity). */
  readonly findings: number;
  readonly bytes: number;
  readonly chunks: number;
  readonly shards: number;
  /** Bytes of every part stored, and of the report folder. */
  readonly partBytes: number;
  readonly reportBytes: number;
  /** SHA-256 of the report's findings.csv and rejected.csv (to compare with `check`'s). */
  readonly findingsSha256: string;
  readonly rejectedSha256: string;
}

export interface BenchOptions {
  /** Records per chunk (default: the deployed 20000). */
  readonly chunkLines?: number;
  /** Lines per merge shard (default: the deployed MERGE_SHARD_LINES). */
  readonly mergeShardLines?: number;
  readonly asOf?: string;
  /** Skip the run at Lambda's concurrency (its wall time is then the one-at-a-time run's). */
  readonly oneRun?: boolean;
  /**
   * The built function thread (dist/function-thread.js): the run at Lambda's concurrency then runs
   * validate and merge on threads of their own, as `scrub62323 pipeline` does.
   */
  readonly functionThreads?: URL;
}

const threadsOf = (options: BenchOptions): { functionThreads?: URL } =>
  options.functionThreads ? { functionThreads: options.functionThreads } : {};

const sum = (counts: Readonly<Record<string, number>>, names: readonly string[]): number =>
  names.reduce((total, name) => total + (counts[name] ?? 0), 0);

export async function benchPipeline(file: string, options: BenchOptions = {}): Promise<PipelineBenchFigures> {
  const oneAtATime = await runOnce(file, options, { split: 1, validate: 1, merge: 1 });
  if (options.oneRun) return oneAtATime;
  const asRun = await runOnce(file, options, undefined);
  return { ...oneAtATime, wallMs: asRun.wallMs };
}

async function runOnce(
  file: string,
  options: BenchOptions,
  concurrency: PerFunction | undefined,
): Promise<PipelineBenchFigures> {
  const bytes = (await stat(file)).size;
  const pipeline = await LocalPipeline.start({
    isolatedEmulator: true,
    // No history table: the embedded DynamoDB emulator runs in this process, and its CPU is no Lambda's.
    historyStore: false,
    logLevel: 'SILENT',
    // The wall-time run as `scrub62323 pipeline` runs: validate and merge on threads of their own.
    // The one at a time keeps every function in this thread, where cpuUsage and the request counters
    // see it.
    ...(concurrency ? { concurrency } : threadsOf(options)),
    ...(options.chunkLines !== undefined ? { chunkLines: options.chunkLines } : {}),
    ...(options.mergeShardLines !== undefined ? { mergeShardLines: options.mergeShardLines } : {}),
  });
  try {
    const upload = await pipeline.uploadFile(file, options.asOf ? { asOf: options.asOf } : {});
    const started = performance.now();
    await pipeline.announce(upload);
    await pipeline.drain({ until: () => pipeline.noticeFor(upload) !== undefined, timeoutMs: 30 * 60_000 });
    const wallMs = performance.now() - started;
    const notice = pipeline.noticeFor(upload)!;
    const report = await pipeline.readReport(notice.batchId);
    const summary = JSON.parse(report['summary.json']) as Summary;
    const { work, reports } = pipeline.resources.buckets;
    const sizeOf = async (bucket: string, prefix: string) =>
      (await pipeline.listObjects(bucket, prefix)).reduce((total, item) => total + item.size, 0);
    const stats = pipeline.stats();
    const { split, validate, merge, requests } = stats;
    return {
      wallMs,
      splitMBps: split.wallMs > 0 ? bytes / 1e6 / (split.wallMs / 1000) : 0,
      lambdaCpuMs: perFunction((fn) => stats[fn].cpuMs),
      requests: {
        s3Put: sum(requests, [
          's3:PutObject',
          's3:CreateMultipartUpload',
          's3:UploadPart',
          's3:UploadPartCopy',
          's3:CompleteMultipartUpload',
        ]),
        s3Get: sum(requests, ['s3:GetObject', 's3:HeadObject']),
        s3List: sum(requests, ['s3:ListObjectsV2']),
        sqsSend: sum(requests, ['sqs:SendMessage', 'sqs:SendMessageBatch']),
        sqsReceive: split.receives + validate.receives + merge.receives,
        sqsDelete: sum(requests, [
          'sqs:DeleteMessage',
          'sqs:DeleteMessageBatch',
          'sqs:ChangeMessageVisibility',
          'sqs:ChangeMessageVisibilityBatch',
        ]),
        sns: sum(requests, ['sns:Publish']),
      },
      lambdaWallMs: perFunction((fn) => stats[fn].wallMs),
      invocations: perFunction((fn) => stats[fn].invocations),
      mergePeakHeapBytes: merge.peakHeapBytes,
      mergeCpuMs: merge.invocationCpuMs,
      lines: summary.counts.lines,
      findings:
        summary.counts.findings.error + summary.counts.findings.warning + summary.counts.findings.info,
      bytes,
      chunks: validate.messages,
      shards: (await pipeline.listObjects(work, `work/${notice.batchId}/merge/complete/shards/`)).length,
      partBytes: await sizeOf(work, `${PREFIX.work}${notice.batchId}/parts/`),
      reportBytes: await sizeOf(reports, `${PREFIX.reports}${notice.batchId}/`),
      findingsSha256: sha256(report['findings.csv']),
      rejectedSha256: sha256(report['rejected.csv']),
    };
  } finally {
    await pipeline.stop();
  }
}

/**
 * List prices, us-east-1, as published on the AWS pricing pages for Lambda, SQS, S3 and SNS
 * (recorded 2025-06-01; all unchanged since at least 2023). Free tiers are ignored.
 */
export const PRICES = {
  date: '2025-06-01',
  region: 'us-east-1',
  /** Lambda, arm64, first 7.5 billion GB-seconds a month. */
  lambdaArmPerGbSecond: 0.0000133334,
  lambdaPerRequest: 0.2 / 1e6,
  /** SQS standard queue, per request (each 64 KB of payload is one request). */
  sqsPerRequest: 0.4 / 1e6,
  /** S3 Standard: PUT, COPY, POST, LIST. */
  s3PerPutOrList: 0.005 / 1000,
  /** S3 Standard: GET, SELECT and all other requests (HEAD). */
  s3PerGet: 0.0004 / 1000,
  snsPerPublish: 0.5 / 1e6,
} as const;

/** Memory at which a Lambda function has one full vCPU; below it, CPU time stretches. */
const FULL_VCPU_MB = 1769;
/** How much longer CPU work takes at `mb` than on a full vCPU. */
export const stretchOf = (mb: number): number => Math.max(1, FULL_VCPU_MB / mb);

export interface CostOptions {
  /** Function memory, MB (default: topology.ts). */
  readonly memoryMb?: PerFunction;
  /**
   * Billed duration per function, ms, for the whole batch. Default: the measured CPU time stretched
   * by the vCPU share of the memory size — a floor, since on Lambda the waits for S3 and SQS are
   * billed too (pass the durations CloudWatch reports to price a real run).
   */
  readonly billedMs?: PerFunction;
}

export interface CostBreakdown {
  /** Dollars per million claim lines, by service and in total. */
  readonly lambdaCompute: number;
  readonly lambdaRequests: number;
  readonly sqs: number;
  readonly s3: number;
  readonly sns: number;
  readonly total: number;
  readonly pricesAsOf: string;
}

type Priced = Pick<PipelineBenchFigures, 'lambdaCpuMs' | 'requests' | 'invocations'>;

/** Dollars per million claim lines, by service, for a batch of `lines` lines measured as `figures`. */
export function costBreakdown(figures: Priced, lines: number, options: CostOptions = {}): CostBreakdown {
  if (!(lines > 0)) throw new Error('the batch has no lines to price');
  const memory = options.memoryMb ?? perFunction((fn) => FUNCTIONS[fn].memoryMb);
  const billed = options.billedMs ?? perFunction((fn) => figures.lambdaCpuMs[fn] * stretchOf(memory[fn]));
  const gbSeconds = FUNCTION_NAMES.reduce(
    (total, fn) => total + (billed[fn] / 1000) * (memory[fn] / 1024),
    0,
  );
  const invocations = FUNCTION_NAMES.reduce((total, fn) => total + figures.invocations[fn], 0);
  const { requests } = figures;
  const scale = 1e6 / lines;
  const parts = {
    lambdaCompute: gbSeconds * PRICES.lambdaArmPerGbSecond * scale,
    lambdaRequests: invocations * PRICES.lambdaPerRequest * scale,
    sqs: (requests.sqsSend + requests.sqsReceive + requests.sqsDelete) * PRICES.sqsPerRequest * scale,
    s3:
      ((requests.s3Put + requests.s3List) * PRICES.s3PerPutOrList + requests.s3Get * PRICES.s3PerGet) * scale,
    sns: requests.sns * PRICES.snsPerPublish * scale,
  };
  const total = parts.lambdaCompute + parts.lambdaRequests + parts.sqs + parts.s3 + parts.sns;
  return { ...parts, total, pricesAsOf: PRICES.date };
}

/** Dollars per million claim lines (AWS list prices of PRICES.date), for a batch of `lines` lines. */
export function costPerMillionLines(
  figures: Priced & { readonly lines?: number },
  lines: number = figures.lines ?? 0,
  options: CostOptions = {},
): number {
  return costBreakdown(figures, lines, options).total;
}
