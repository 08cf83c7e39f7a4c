/**
 * The pipeline on this machine: the embedded emulator (or an endpoint you name), the same buckets and
 * queues as the stack, the same split and validate handlers driven by real SQS messages, and S3 event
 * notifications published as S3 would (the emulator does not send them). Bounded: long polls are
 * short, a run stops by itself once the queues are idle, and a global timeout ends a stuck run.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { s3ObjectStore } from '../adapters/s3.js';
import { ScrubError } from '../core/errors.js';
import { REPORT_FILES, type ReportFileName } from '../core/report/files.js';
import { reportKey } from '../pipeline/keys.js';
import { objectCreatedEvent } from '../pipeline/s3-event.js';
import { sleep } from '../pipeline/sleep.js';
import { AS_OF_METADATA, PREFIX } from '../pipeline/topology.js';
import type { ReportReady } from '../pipeline/work-files.js';
import { type Emulator, startEmulator } from './emulator.js';
import type { QueueConsumer } from './event-source.js';
import { deployFunctions, type FunctionOptions } from './functions.js';
import { collectNotices, describeQueues, type QueueName, queueDepth, stalledReason } from './queues.js';
import { countRequests } from './requests.js';
import {
  type AwsClients,
  configureUploadNotifications,
  createClients,
  type PipelineResources,
  provision,
} from './resources.js';
import { type UploadedObject, unquote, uploadBytes, uploadFile } from './upload.js';

export interface LocalPipelineOptions extends FunctionOptions {
  /** An S3/SQS/SNS-compatible endpoint to use instead of the embedded emulator. */
  readonly endpoint?: string;
  /** Run the embedded emulator in a child process (its CPU then is not counted as the functions'). */
  readonly isolatedEmulator?: boolean;
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
  private readonly depthOf = (queue: QueueName): Promise<number> => this.queueDepth(queue);

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
    const deployed = deployFunctions(functions, resources, options);
    this.split = deployed.split;
    this.validate = deployed.validate;
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
  async queueDepth(queue: QueueName): Promise<number> {
    return queueDepth(this.admin.sqs, this.resources.queues[queue].url);
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
          if (Date.now() - idleSince > stallMs) throw new PipelineRunError(await stalledReason(this.depthOf));
        } else {
          idleSince = undefined;
        }
        if (Date.now() > deadline) {
          throw new PipelineRunError(
            `the pipeline did not finish within ${Math.round((options.timeoutMs ?? 600_000) / 1000)} s (${await describeQueues(this.depthOf)})`,
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
    await collectNotices(this.admin.sqs, this.resources.queues.watch.url, this.notices);
  }
}

/** Whether the endpoint refuses a second If-None-Match: * write of one key (an exclusive merge lock). */
async function probeConditionalWrites(clients: AwsClients, resources: PipelineResources): Promise<boolean> {
  const store = s3ObjectStore(clients.s3);
  const key = `${PREFIX.work}_probe/${randomBytes(8).toString('hex')}`;
  await store.writeIfAbsent(resources.buckets.work, key, 'probe');
  return !(await store.writeIfAbsent(resources.buckets.work, key, 'probe'));
}
