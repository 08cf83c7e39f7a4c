/**
 * The split, validate and merge functions as Lambda runs them: each gets exactly the environment variables
 * topology.ts gives it (FUNCTION_ENV, as the stack sets them), checked by the same config code; each
 * poller of its queue is one execution environment with its own handler, logger and metrics; each
 * invocation gets a Lambda context of its own.
 */
import type { LogLevel } from '../pipeline/config.js';
import { createLogger, type PipelineLogger } from '../pipeline/log.js';
import { quietMetrics } from '../pipeline/metrics.js';
import type { ObjectStore, PipelineMetrics } from '../pipeline/ports.js';
import { type EnvName, FUNCTIONS, type FunctionName, QUEUES } from '../pipeline/topology.js';
import { lambdaContext, newLogStreamName } from './context.js';
import { QueueConsumer, type SqsHandler } from './event-source.js';
import { THREADED, type ThreadedEnvironments, threadedFunctions } from './function-threads.js';
import { type FunctionWiring, handlerOf, loadFunctionConfigs, plainStore } from './function-wiring.js';
import type { AwsClients, ClientSettings, PipelineResources, QueueRef } from './resources.js';

export interface FunctionOptions {
  readonly region?: string;
  /** CHUNK_LINES for split (default: the Lambda default, 20000). */
  readonly chunkLines?: number;
  /** MAX_UPLOAD_BYTES for split (default: this process's MAX_UPLOAD_BYTES, else the Lambda default). */
  readonly maxUploadBytes?: number;
  /** Concurrent pollers per function (Lambda: up to its reserved concurrency). */
  readonly concurrency?: { readonly split?: number; readonly validate?: number; readonly merge?: number };
  /** MERGE_SHARD_LINES for split (default: this process's MERGE_SHARD_LINES, else the Lambda default). */
  readonly mergeShardLines?: number;
  /** SPLIT_RANGE_BYTES for split (default: this process's SPLIT_RANGE_BYTES, else the Lambda default). */
  readonly splitRangeBytes?: number;
  /** Seconds before a failed message is visible again (Lambda: the visibility timeout). */
  readonly retryDelaySeconds?: number;
  readonly logLevel?: LogLevel | 'SILENT';
  /** A logger for each execution environment (default: the Powertools logger at `logLevel`). */
  readonly logger?: (fn: FunctionName) => PipelineLogger;
  /** Metrics for each execution environment (default: none written). */
  readonly metrics?: (fn: FunctionName) => PipelineMetrics;
  /** Test seams: wrap a function's object store or its handler, e.g. to inject a crash. */
  readonly wrapStore?: (store: ObjectStore, fn: FunctionName) => ObjectStore;
  readonly wrapHandler?: (handler: SqsHandler, fn: FunctionName) => SqsHandler;
  readonly now?: () => Date;
  /**
   * The built function thread (dist/function-thread.js): each validate and merge poller then runs its
   * handler on a worker thread of its own, so chunks and shards are worked on every core, as Lambda
   * fans out. Not with the seams above (a thread cannot take the caller's functions): the functions
   * then run in this thread.
   */
  readonly functionThreads?: URL;
}

/** The functions on their queues, and what ends them. */
export interface LocalFunctions extends Readonly<Record<FunctionName, QueueConsumer>> {
  /** Ends the function threads, if any (once the pollers have stopped). */
  readonly close: () => Promise<void>;
}

/** The values the functions' environment variables take on this endpoint. */
function environmentValues(
  resources: PipelineResources,
  options: FunctionOptions,
): Partial<Record<EnvName, string>> {
  return {
    WORK_BUCKET: resources.buckets.work,
    REPORTS_BUCKET: resources.buckets.reports,
    CHUNK_QUEUE_URL: resources.queues.chunk.url,
    INTAKE_QUEUE_URL: resources.queues.intake.url,
    INTAKE_MAX_RECEIVE_COUNT: String(QUEUES.intake.maxReceiveCount),
    CHUNK_MAX_RECEIVE_COUNT: String(QUEUES.chunk.maxReceiveCount),
    MERGE_QUEUE_URL: resources.queues.merge.url,
    REPORT_TOPIC_ARN: resources.reportTopicArn,
    ...(resources.historyTable !== undefined ? { HISTORY_TABLE: resources.historyTable } : {}),
    ...(options.chunkLines !== undefined ? { CHUNK_LINES: String(options.chunkLines) } : {}),
    // The batch limits are the user's settings, as for `check`: taken from this process's environment.
    ...passThrough([
      'MAX_RECORDS',
      'MAX_GZIP_RATIO',
      'MAX_UPLOAD_BYTES',
      'MERGE_SHARD_LINES',
      'SPLIT_RANGE_BYTES',
    ]),
    ...(options.maxUploadBytes !== undefined ? { MAX_UPLOAD_BYTES: String(options.maxUploadBytes) } : {}),
    ...(options.mergeShardLines !== undefined ? { MERGE_SHARD_LINES: String(options.mergeShardLines) } : {}),
    ...(options.splitRangeBytes !== undefined ? { SPLIT_RANGE_BYTES: String(options.splitRangeBytes) } : {}),
  };
}

function passThrough(names: readonly EnvName[]): Partial<Record<EnvName, string>> {
  const values: Partial<Record<EnvName, string>> = {};
  for (const name of names) {
    const value = process.env[name];
    if (value !== undefined) values[name] = value;
  }
  return values;
}

/** Sets up both functions on their queues (configuration checked now, as at a cold start). */
export function deployFunctions(
  clients: AwsClients,
  resources: PipelineResources,
  options: FunctionOptions,
  settings?: ClientSettings,
): LocalFunctions {
  const values = environmentValues(resources, options);
  const configs = loadFunctionConfigs(values);
  const region = options.region ?? 'us-east-1';
  const level = options.logLevel ?? 'WARN';
  const store = plainStore(clients);
  const wiring: FunctionWiring = {
    configs,
    clients,
    logger: options.logger ?? ((fn: FunctionName) => createLogger(fn, level)),
    metrics: options.metrics ?? (() => quietMetrics),
    store: (fn) => (options.wrapStore ? options.wrapStore(store(), fn) : store()),
    ...(options.now ? { now: options.now } : {}),
  };

  const threads = threadsOf(options, settings, values);
  /** One execution environment: a handler of its own, and a fresh context for every invocation. */
  const environmentOfFunction = (fn: FunctionName): SqsHandler => {
    if (threads && THREADED.has(fn)) return threads.create(fn);
    const handler = handlerOf(fn, wiring);
    const logStreamName = newLogStreamName();
    const invoke: SqsHandler = (event) => handler(event, lambdaContext(fn, { region, logStreamName }));
    return options.wrapHandler ? options.wrapHandler(invoke, fn) : invoke;
  };
  const consumer = (fn: FunctionName, queue: QueueRef, concurrency: number) =>
    new QueueConsumer({
      sqs: clients.sqs,
      queueUrl: queue.url,
      queueArn: queue.arn,
      region,
      createHandler: () => environmentOfFunction(fn),
      batchSize: FUNCTIONS[fn].batchSize,
      concurrency: Math.max(1, Math.min(concurrency, FUNCTIONS[fn].reservedConcurrency)),
      retryDelaySeconds: options.retryDelaySeconds ?? 0,
      waitSeconds: 1,
      // A thread's heap is not this one's: the bench samples merge heaps in a run without threads.
      sampleHeap: fn === 'merge' && !threads,
    });
  return {
    split: consumer('split', resources.queues.intake, options.concurrency?.split ?? 1),
    validate: consumer('validate', resources.queues.chunk, options.concurrency?.validate ?? 2),
    merge: consumer('merge', resources.queues.merge, options.concurrency?.merge ?? 2),
    close: async () => {
      await threads?.close();
    },
  };
}

/** Function threads, when the options ask for them and set no seam a thread cannot take. */
function threadsOf(
  options: FunctionOptions,
  settings: ClientSettings | undefined,
  values: Partial<Record<EnvName, string>>,
): ThreadedEnvironments | undefined {
  const seams = [options.logger, options.metrics, options.wrapStore, options.wrapHandler, options.now];
  if (!options.functionThreads || !settings || seams.some((seam) => seam !== undefined)) return undefined;
  const picked: Record<string, string> = {};
  for (const [name, value] of Object.entries(values)) if (value !== undefined) picked[name] = value;
  const level = options.logLevel ?? 'WARN';
  return threadedFunctions(
    options.functionThreads,
    { values: picked, clients: settings, logLevel: level },
    (fn, problem) =>
      createLogger(fn, level).error('function thread stopped: its batch is retried', { problem }),
  );
}
