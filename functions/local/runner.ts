/**
 * The pipeline on this machine: the embedded emulator (or an endpoint you name), the same buckets and
 * queues as the stack, the same split and validate handlers driven by real SQS messages, and S3 event
 * notifications published as S3 would (the emulator does not send them). Bounded: long polls are
 * short, a run stops by itself once the queues are idle, and a global timeout ends a stuck run.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { writeReportFolder } from '../adapters/report-folder.js';
import { s3ObjectStore } from '../adapters/s3.js';
import { snsNotifier } from '../adapters/sns.js';
import { sqsMessageSender } from '../adapters/sqs.js';
import { ScrubError } from '../core/errors.js';
import { REPORT_FILES, type ReportFileName } from '../core/report/files.js';
import type { Summary } from '../core/report/summary.js';
import { type LogLevel, loadSplitConfig, loadValidateConfig } from '../pipeline/config.js';
import { reportKey } from '../pipeline/keys.js';
import { createLogger, type PipelineLogger } from '../pipeline/log.js';
import type { ObjectStore } from '../pipeline/ports.js';
import { objectCreatedEvent } from '../pipeline/s3-event.js';
import { createSplitHandler } from '../pipeline/split.js';
import {
  AS_OF_METADATA,
  type EnvName,
  FUNCTIONS,
  type FunctionName,
  PREFIX,
  QUEUES,
} from '../pipeline/topology.js';
import { createValidateHandler } from '../pipeline/validate.js';
import type { ReportReady } from '../pipeline/work-files.js';
import { type Emulator, startEmulator } from './emulator.js';
import { QueueConsumer, type SqsHandler } from './event-source.js';
import {
  type AwsClients,
  configureUploadNotifications,
  createClients,
  type PipelineResources,
  provision,
} from './resources.js';
import { type UploadedObject, uploadBytes, uploadFile } from './upload.js';

export interface LocalPipelineOptions {
  /** An S3/SQS/SNS-compatible endpoint to use instead of the embedded emulator. */
  readonly endpoint?: string;
  /** Run the embedded emulator in a child process (its CPU then is not counted as the functions'). */
  readonly isolatedEmulator?: boolean;
  readonly region?: string;
  /** CHUNK_LINES for split (default: the Lambda default, 20000). */
  readonly chunkLines?: number;
  /** FREQUENCY_LIMIT for validate (default: the rule pack's). */
  readonly frequencyLimit?: number;
  /** Concurrent pollers per function (Lambda: up to its reserved concurrency). */
  readonly concurrency?: { readonly split?: number; readonly validate?: number };
  /** Seconds before a failed message is visible again (Lambda: the visibility timeout). */
  readonly retryDelaySeconds?: number;
  readonly logLevel?: LogLevel | 'SILENT';
  readonly logger?: (fn: FunctionName) => PipelineLogger;
  /** Test seams: wrap a function's object store or its handler, e.g. to inject a crash. */
  readonly wrapStore?: (store: ObjectStore, fn: FunctionName) => ObjectStore;
  readonly wrapHandler?: (handler: SqsHandler, fn: FunctionName) => SqsHandler;
  readonly now?: () => Date;
}

export interface FunctionStats {
  /** Receives by the function's event source mapping that returned messages. */
  readonly receives: number;
  readonly invocations: number;
  readonly messages: number;
  readonly failedMessages: number;
  readonly cpuMs: number;
  readonly wallMs: number;
}

export interface RunStats {
  readonly split: FunctionStats;
  readonly validate: FunctionStats;
  /** Requests made by the functions and their event source mappings, by `service:Command`. */
  readonly requests: Readonly<Record<string, number>>;
}

/** A run that could not finish: the message says why, in one sentence. */
export class PipelineRunError extends ScrubError {
  constructor(message: string) {
    super('PIPELINE_RUN', message);
    this.name = 'PipelineRunError';
  }
}

type Countable = {
  middlewareStack: {
    add(
      middleware: (
        next: (args: unknown) => Promise<unknown>,
        context: { commandName?: string },
      ) => (args: unknown) => Promise<unknown>,
      options: { step: 'deserialize'; name: string },
    ): void;
  };
};

/** Counts requests per attempt (the deserialize step runs once per HTTP request, retries included). */
function countRequests(clients: AwsClients, counts: Map<string, number>): void {
  for (const [service, client] of Object.entries(clients)) {
    (client as unknown as Countable).middlewareStack.add(
      (next, context) => async (args) => {
        const key = `${service}:${context.commandName?.replace(/Command$/, '') ?? 'unknown'}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
        return next(args);
      },
      { step: 'deserialize', name: 'scrub62323RequestCounter' },
    );
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const unquote = (etag: string | undefined): string => (etag ?? '').replace(/"/g, '');

export interface DrainOptions {
  /** Keep going until this holds (and the queues are idle). */
  readonly until?: () => boolean;
  readonly timeoutMs?: number;
  /** Give up this long after the queues went idle with `until` still false. */
  readonly stallMs?: number;
}

export class LocalPipeline {
  readonly notices: ReportReady[] = [];
  private readonly requestCounts = new Map<string, number>();
  private sequence = 0;
  private readonly split: QueueConsumer;
  private readonly validate: QueueConsumer;

  private constructor(
    readonly endpoint: string,
    readonly resources: PipelineResources,
    readonly admin: AwsClients,
    private readonly functions: AwsClients,
    private readonly emulator: Emulator | undefined,
    /** Whether the endpoint itself sends S3 event notifications to the intake queue. */
    readonly nativeNotifications: boolean,
    /** Whether the endpoint honours If-None-Match on PutObject (an exclusive merge lock). */
    readonly conditionalWrites: boolean,
    private readonly options: LocalPipelineOptions,
  ) {
    countRequests(functions, this.requestCounts);
    const region = options.region ?? 'us-east-1';
    const level = options.logLevel ?? 'WARN';
    const loggerOf = options.logger ?? ((fn: FunctionName) => createLogger(fn, level));
    const storeOf = (fn: FunctionName) => {
      const store = s3ObjectStore(functions.s3);
      return options.wrapStore ? options.wrapStore(store, fn) : store;
    };
    const wrap = (handler: SqsHandler, fn: FunctionName) =>
      options.wrapHandler ? options.wrapHandler(handler, fn) : handler;
    // The functions read the same environment variables as on Lambda, checked by the same code.
    const env: Partial<Record<EnvName, string>> = {
      WORK_BUCKET: resources.buckets.work,
      REPORTS_BUCKET: resources.buckets.reports,
      CHUNK_QUEUE_URL: resources.queues.chunk.url,
      CHUNK_MAX_RECEIVE_COUNT: String(QUEUES.chunk.maxReceiveCount),
      REPORT_TOPIC_ARN: resources.reportTopicArn,
      ...(options.chunkLines !== undefined ? { CHUNK_LINES: String(options.chunkLines) } : {}),
      ...(options.frequencyLimit !== undefined ? { FREQUENCY_LIMIT: String(options.frequencyLimit) } : {}),
    };
    const now = options.now;
    const splitHandler = createSplitHandler({
      config: loadSplitConfig(env),
      store: storeOf('split'),
      sender: sqsMessageSender(functions.sqs),
      logger: loggerOf('split'),
      ...(now ? { now } : {}),
    });
    const validateHandler = createValidateHandler({
      config: loadValidateConfig(env),
      store: storeOf('validate'),
      notifier: snsNotifier(functions.sns),
      logger: loggerOf('validate'),
      ...(now ? { now } : {}),
    });
    const consumer = (
      fn: FunctionName,
      queue: { url: string; arn: string },
      handler: SqsHandler,
      concurrency: number,
    ) =>
      new QueueConsumer({
        sqs: functions.sqs,
        queueUrl: queue.url,
        queueArn: queue.arn,
        region,
        handler: wrap(handler, fn),
        batchSize: FUNCTIONS[fn].batchSize,
        concurrency: Math.max(1, Math.min(concurrency, FUNCTIONS[fn].reservedConcurrency)),
        retryDelaySeconds: options.retryDelaySeconds ?? 0,
        waitSeconds: 1,
      });
    this.split = consumer('split', resources.queues.intake, splitHandler, options.concurrency?.split ?? 1);
    this.validate = consumer(
      'validate',
      resources.queues.chunk,
      validateHandler,
      options.concurrency?.validate ?? 2,
    );
  }

  static async start(options: LocalPipelineOptions = {}): Promise<LocalPipeline> {
    const emulator = options.endpoint
      ? undefined
      : await startEmulator({ isolated: options.isolatedEmulator ?? false });
    try {
      const endpoint = options.endpoint ?? emulator!.endpoint;
      const settings = { endpoint, region: options.region ?? 'us-east-1' };
      const admin = createClients(settings);
      const resources = await provision(admin).catch((error: unknown) => {
        if (emulator) throw error;
        const reason = (error as { code?: string }).code ?? (error as Error).message;
        throw new PipelineRunError(`cannot set up the buckets and queues at ${endpoint} (${reason})`);
      });
      // The embedded emulator cannot send notifications; an endpoint may (moto does).
      const native = emulator ? false : await configureUploadNotifications(admin, resources);
      const conditional = emulator
        ? emulator.conditionalWrites
        : await probeConditionalWrites(admin, resources);
      return new LocalPipeline(
        endpoint,
        resources,
        admin,
        createClients(settings),
        emulator,
        native,
        conditional,
        options,
      );
    } catch (error) {
      await emulator?.stop();
      throw error;
    }
  }

  /** Stores a history CSV (earlier sessions) where validate looks for it. */
  async uploadHistory(path: string): Promise<void> {
    await uploadBytes(
      this.admin.s3,
      this.resources.buckets.work,
      `${PREFIX.history}${basename(path)}`,
      await readFile(path),
    );
  }

  /** Uploads a batch under incoming/ (by default with the file's own name). */
  async uploadFile(path: string, options: { key?: string; asOf?: string } = {}): Promise<UploadedObject> {
    return uploadFile(
      this.admin.s3,
      this.resources.buckets.intake,
      options.key ?? `${PREFIX.incoming}${basename(path)}`,
      path,
      {
        ...(options.asOf ? { metadata: { [AS_OF_METADATA]: options.asOf } } : {}),
      },
    );
  }

  async uploadBatch(key: string, body: Uint8Array, options: { asOf?: string } = {}): Promise<UploadedObject> {
    return uploadBytes(this.admin.s3, this.resources.buckets.intake, key, body, {
      ...(options.asOf ? { metadata: { [AS_OF_METADATA]: options.asOf } } : {}),
    });
  }

  /** Publishes the ObjectCreated notification S3 would send for an upload; returns the message body. */
  async announce(
    upload: UploadedObject,
    eventTime: Date = this.options.now?.() ?? new Date(),
  ): Promise<string> {
    this.sequence += 1;
    const sequencer = `${Date.now().toString(16)}${randomBytes(4).toString('hex')}${this.sequence.toString(16).padStart(4, '0')}`;
    const body = objectCreatedEvent({
      bucket: upload.bucket,
      key: upload.key,
      size: upload.size,
      eTag: upload.eTag,
      sequencer: sequencer.toUpperCase(),
      eventTime,
      ...(upload.versionId ? { versionId: upload.versionId } : {}),
      ...(this.options.region ? { region: this.options.region } : {}),
    });
    await this.publishIntake(body);
    return body;
  }

  /** Sends any body to the intake queue (as S3 would, or as a broken sender would). */
  async publishIntake(body: string): Promise<void> {
    await this.admin.sqs.send(
      new SendMessageCommand({ QueueUrl: this.resources.queues.intake.url, MessageBody: body }),
    );
  }

  /** Messages in a queue: visible, in flight and delayed. */
  async queueDepth(queue: keyof PipelineResources['queues']): Promise<number> {
    const { Attributes = {} } = await this.admin.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: this.resources.queues[queue].url,
        AttributeNames: [
          'ApproximateNumberOfMessages',
          'ApproximateNumberOfMessagesNotVisible',
          'ApproximateNumberOfMessagesDelayed',
        ],
      }),
    );
    return (
      Number(Attributes.ApproximateNumberOfMessages ?? 0) +
      Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0) +
      Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0)
    );
  }

  /**
   * Runs the functions on the queues until `until` holds and nothing is left to do. The functions keep
   * polling afterwards, as Lambda does, until stop().
   */
  async drain(options: DrainOptions = {}): Promise<void> {
    const deadline = Date.now() + (options.timeoutMs ?? 600_000);
    const stallMs = options.stallMs ?? 5_000;
    let idleSince: number | undefined;
    this.split.start();
    this.validate.start();
    try {
      for (;;) {
        await sleep(50);
        const failure = this.split.error ?? this.validate.error;
        if (failure) throw failure;
        await this.collectNotices();
        const idle =
          !this.split.busy &&
          !this.validate.busy &&
          (await this.queueDepth('intake')) === 0 &&
          (await this.queueDepth('chunk')) === 0;
        const satisfied = options.until?.() ?? true;
        if (idle && satisfied) return;
        if (idle) {
          idleSince ??= Date.now();
          if (Date.now() - idleSince > stallMs) throw new PipelineRunError(await this.stalledReason());
        } else {
          idleSince = undefined;
        }
        if (Date.now() > deadline) {
          throw new PipelineRunError(
            `the pipeline did not finish within ${Math.round((options.timeoutMs ?? 600_000) / 1000)} s (${await this.describeQueues()})`,
          );
        }
      }
    } finally {
      await this.collectNotices();
    }
  }

  /** The "report ready" notice for an upload, once validate has published it. */
  noticeFor(upload: UploadedObject): ReportReady | undefined {
    return this.notices.find(
      (notice) =>
        notice.source.bucket === upload.bucket &&
        notice.source.key === upload.key &&
        (notice.source.eTag === undefined || unquote(notice.source.eTag) === upload.eTag),
    );
  }

  async readReport(batchId: string): Promise<Record<ReportFileName, string>> {
    const store = s3ObjectStore(this.admin.s3);
    const files = {} as Record<ReportFileName, string>;
    for (const name of REPORT_FILES) {
      const bytes = await store.read(this.resources.buckets.reports, reportKey(batchId, name));
      if (!bytes) throw new PipelineRunError(`the report of ${batchId} has no ${name}`);
      files[name] = Buffer.from(bytes).toString('utf8');
    }
    return files;
  }

  /** Everything under a prefix of a bucket (tests look at work files). */
  async listKeys(bucket: string, prefix: string): Promise<string[]> {
    return (await s3ObjectStore(this.admin.s3).list(bucket, prefix)).map((item) => item.key);
  }

  stats(): RunStats {
    const of = (consumer: QueueConsumer): FunctionStats => ({
      receives: consumer.stats.receives,
      invocations: consumer.stats.invocations,
      messages: consumer.stats.messages,
      failedMessages: consumer.stats.failedMessages,
      cpuMs: consumer.stats.cpuMicros / 1000,
      wallMs: consumer.stats.wallMs,
    });
    return {
      split: of(this.split),
      validate: of(this.validate),
      requests: Object.fromEntries([...this.requestCounts].sort()),
    };
  }

  async stop(): Promise<void> {
    // The embedded emulator goes away with its queues: no need to wait out the long polls.
    const abortPolls = this.emulator !== undefined;
    await Promise.all([this.split.stop({ abortPolls }), this.validate.stop({ abortPolls })]);
    for (const clients of [this.admin, this.functions])
      for (const client of Object.values(clients)) client.destroy();
    await this.emulator?.stop();
  }

  private async collectNotices(): Promise<void> {
    const { url } = this.resources.queues.watch;
    for (;;) {
      const { Messages = [] } = await this.admin.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      if (Messages.length === 0) return;
      for (const message of Messages) {
        try {
          this.notices.push(JSON.parse(message.Body ?? '') as ReportReady);
        } catch {
          // not ours: the watch queue only hears the report-ready topic
        }
      }
      await this.admin.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: url,
          Entries: Messages.map((message, index) => ({
            Id: `w${index}`,
            ReceiptHandle: message.ReceiptHandle!,
          })),
        }),
      );
    }
  }

  private async describeQueues(): Promise<string> {
    const depths = await Promise.all(
      (['intake', 'intakeDlq', 'chunk', 'chunkDlq'] as const).map(
        async (queue) => `${queue} ${await this.queueDepth(queue)}`,
      ),
    );
    return `messages: ${depths.join(', ')}`;
  }

  private async stalledReason(): Promise<string> {
    if ((await this.queueDepth('intakeDlq')) > 0) {
      return 'the upload could not be split: its event is in the intake dead-letter queue (see the split logs)';
    }
    if ((await this.queueDepth('chunkDlq')) > 0) {
      return 'chunks failed and no report was written: see the chunk dead-letter queue and the validate logs';
    }
    return `the queues are idle but no report arrived (${await this.describeQueues()})`;
  }
}

/** Whether the endpoint refuses a second If-None-Match: * write of one key (an exclusive merge lock). */
async function probeConditionalWrites(clients: AwsClients, resources: PipelineResources): Promise<boolean> {
  const store = s3ObjectStore(clients.s3);
  const key = `${PREFIX.work}_probe/${randomBytes(8).toString('hex')}`;
  await store.writeIfAbsent(resources.buckets.work, key, 'probe');
  return !(await store.writeIfAbsent(resources.buckets.work, key, 'probe'));
}

export interface RunPipelineOptions extends LocalPipelineOptions {
  readonly file: string;
  /** Sets the upload's as-of metadata (default: the event date). */
  readonly asOf?: string;
  /** History CSVs to place under history/ in the work bucket first. */
  readonly history?: readonly string[];
  /** Folder to download the report into; a function of the batch id, or omitted for no download. */
  readonly outDir?: string | ((batchId: string) => string);
  readonly timeoutMs?: number;
  /** Told about things the user should know (e.g. an endpoint without conditional writes). */
  readonly onNotice?: (text: string) => void;
}

export interface PipelineRun {
  readonly batchId: string;
  readonly summary: Summary;
  readonly files: Record<ReportFileName, string>;
  readonly folder?: string;
  readonly upload: UploadedObject;
  /** Who sent the S3 event: the endpoint's own bucket notification, or the runner. */
  readonly eventSource: 'endpoint' | 'runner';
  readonly stats: RunStats;
  readonly wallMs: number;
}

/** Uploads one file, runs the pipeline until its report is in S3, downloads the report. */
export async function runPipeline(options: RunPipelineOptions): Promise<PipelineRun> {
  const started = performance.now();
  const pipeline = await LocalPipeline.start(options);
  try {
    if (!pipeline.conditionalWrites) {
      options.onNotice?.(
        'this endpoint ignores If-None-Match on PutObject: two validates finishing together could both merge (same report) and notify twice',
      );
    }
    for (const path of options.history ?? []) await pipeline.uploadHistory(path);
    const before = pipeline.nativeNotifications ? await pipeline.queueDepth('intake') : 0;
    const upload = await pipeline.uploadFile(options.file, options.asOf ? { asOf: options.asOf } : {});
    const eventSource =
      pipeline.nativeNotifications && (await eventArrived(pipeline, before)) ? 'endpoint' : 'runner';
    if (eventSource === 'runner') await pipeline.announce(upload);
    await pipeline.drain({
      until: () => pipeline.noticeFor(upload) !== undefined,
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    });
    const notice = pipeline.noticeFor(upload)!;
    const files = await pipeline.readReport(notice.batchId);
    const summary = JSON.parse(files['summary.json']) as Summary;
    let folder: string | undefined;
    if (options.outDir !== undefined) {
      folder = typeof options.outDir === 'function' ? options.outDir(notice.batchId) : options.outDir;
      await writeReportFolder(folder, files);
    }
    return {
      batchId: notice.batchId,
      summary,
      files,
      ...(folder !== undefined ? { folder } : {}),
      upload,
      eventSource,
      stats: pipeline.stats(),
      wallMs: performance.now() - started,
    };
  } finally {
    await pipeline.stop();
  }
}

/** An endpoint that sends notifications does so at once (moto) or within seconds (S3). */
async function eventArrived(pipeline: LocalPipeline, before: number): Promise<boolean> {
  for (let waited = 0; waited < 3000; waited += 100) {
    if ((await pipeline.queueDepth('intake')) > before) return true;
    await sleep(100);
  }
  return false;
}
