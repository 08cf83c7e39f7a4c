/**
 * The pipeline on this machine: the embedded emulator (or an endpoint you name), the same buckets and
 * queues as the stack, the same split and validate handlers driven by real SQS messages, and S3 event
 * notifications published as S3 would (the emulator does not send them). Bounded: long polls are
 * short, and a global timeout ends a stuck run.
 *
 * A run waits for its own report (awaitReport): the summary.json of the batch id split derives from
 * the upload. The queues may be shared with other runs on one endpoint, or hold messages of a run that
 * was killed; this run's pollers handle whatever arrives, as Lambda would, but how busy or idle the
 * queues are says nothing about this run's batch.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { type Message, SendMessageCommand } from '@aws-sdk/client-sqs';
import { s3ObjectStore } from '../adapters/s3.js';
import { ScrubError } from '../core/errors.js';
import { REPORT_FILES, type ReportContents, type ReportFileName } from '../core/report/files.js';
import { batchIdOf } from '../pipeline/batch-id.js';
import { reportKey } from '../pipeline/keys.js';
import type { ReportReady } from '../pipeline/notice.js';
import type { ListedObject } from '../pipeline/ports.js';
import { objectCreatedEvent, parseIntakeMessage, type Upload } from '../pipeline/s3-event.js';
import { sleep } from '../pipeline/sleep.js';
import { AS_OF_METADATA, PREFIX } from '../pipeline/topology.js';
import { decodeChunkMessage, decodeMergeMessage } from '../pipeline/work-files.js';
import { type Emulator, startEmulator } from './emulator.js';
import type { QueueConsumer } from './event-source.js';
import { deployFunctions, type FunctionOptions } from './functions.js';
import {
  type ImportResult,
  type OpenHistory,
  openHistory,
  readHistoryImport,
  recordImport,
} from './history.js';
import {
  collectNotices,
  deleteMessage,
  describeQueues,
  peekBodies,
  type QueueName,
  queueDepth,
  receiveBriefly,
  requeueMessages,
  stalledReason,
} from './queues.js';
import { countRequests } from './requests.js';
import {
  type AwsClients,
  type ClientSettings,
  configureUploadNotifications,
  createClients,
  type PipelineResources,
  provision,
  removeWatch,
} from './resources.js';
import { type UploadedObject, unquote, uploadBytes, uploadFile } from './upload.js';

export interface LocalHistoryOptions {
  /**
   * The state folder whose embedded store keeps the history between runs (the CLI: ./.scrub62323/).
   * Without one the embedded store lives in memory for this run. With `endpoint`, the history is that
   * endpoint's table instead.
   */
  readonly stateDir?: string;
  /** Start with an empty history: the state folder's is erased, or the endpoint's table re-created. */
  readonly fresh?: boolean;
}

export interface LocalPipelineOptions extends FunctionOptions {
  /** An S3/SQS/SNS-compatible endpoint to use instead of the embedded emulator (its DynamoDB too). */
  readonly endpoint?: string;
  /**
   * The member history table validate reads and records (HISTORY_TABLE), as deployed; `false` runs
   * without one, as a stack without the table would (the bench: dynalite's CPU is no Lambda's).
   */
  readonly historyStore?: LocalHistoryOptions | false;
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
  /** Each invocation's peak heap, in bytes (merge only; see ConsumerStats.peakHeapBytes). */
  readonly peakHeapBytes: readonly number[];
  /** Each invocation's CPU, ms, in the order they ran. */
  readonly invocationCpuMs: readonly number[];
}

/**
 * A run's figures. With function threads (`functionThreads`) the CPU figures are the whole
 * process's over each invocation (the threads' concurrent work included) and the requests leave out
 * those of the threads' own clients: the bench takes both from a run without threads.
 */
export interface RunStats {
  readonly split: FunctionStats;
  readonly validate: FunctionStats;
  readonly merge: FunctionStats;
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

export interface AwaitReportOptions {
  readonly timeoutMs?: number;
}

/** What awaitReport keeps track of while it waits. */
interface ReportWatch {
  readonly batchIds: readonly string[];
  readonly deadline: number;
  readonly timeoutMs: number;
  lookedInDlqs: number;
  idleSince?: number | undefined;
}

/** How often the runner looks for its summary.json, and for its messages in the dead-letter queues. */
const REPORT_POLL_MS = 200;
const DLQ_POLL_MS = 2_000;
/** The embedded emulator's queues are this run's alone: idle this long with no report, the run is stuck. */
const IDLE_MS = 5_000;
const DAY_MS = 86_400_000;
const DEFAULT_TIMEOUT_MS = 600_000;

const sameObject = (a: UploadedObject, b: UploadedObject): boolean =>
  a.bucket === b.bucket &&
  a.key === b.key &&
  (a.versionId ?? '') === (b.versionId ?? '') &&
  a.eTag === b.eTag;

export class LocalPipeline {
  readonly notices: ReportReady[] = [];
  private readonly requestCounts = new Map<string, number>();
  /** The event times the runner stamped on the events it published, by upload. */
  private readonly announced: { readonly upload: UploadedObject; readonly eventTime: Date }[] = [];
  private sequence = 0;
  private readonly split: QueueConsumer;
  private readonly validate: QueueConsumer;
  private readonly merge: QueueConsumer;
  private readonly closeFunctions: () => Promise<void>;
  private readonly depthOf = (queue: QueueName): Promise<number> => this.queueDepth(queue);

  private constructor(
    readonly endpoint: string,
    readonly resources: PipelineResources,
    readonly admin: AwsClients,
    private readonly functions: AwsClients,
    private readonly emulator: Emulator | undefined,
    private readonly history: OpenHistory | undefined,
    /** Whether the endpoint itself sends S3 event notifications to the intake queue. */
    readonly nativeNotifications: boolean,
    /** Whether the endpoint honours If-None-Match on PutObject (an exclusive merge lock). */
    readonly conditionalWrites: boolean,
    private readonly options: LocalPipelineOptions,
    settings: ClientSettings,
  ) {
    countRequests(functions, this.requestCounts);
    const deployed = deployFunctions(functions, resources, options, settings);
    this.split = deployed.split;
    this.validate = deployed.validate;
    this.merge = deployed.merge;
    this.closeFunctions = deployed.close;
  }

  private get consumers(): readonly QueueConsumer[] {
    return [this.split, this.validate, this.merge];
  }

  private startFunctions(): void {
    for (const consumer of this.consumers) consumer.start();
  }

  private get functionFailure(): unknown {
    return this.consumers.find((consumer) => consumer.error)?.error;
  }

  static async start(options: LocalPipelineOptions = {}): Promise<LocalPipeline> {
    const emulator = options.endpoint
      ? undefined
      : await startEmulator({ isolated: options.isolatedEmulator ?? false });
    let history: OpenHistory | undefined;
    try {
      const endpoint = options.endpoint ?? emulator!.endpoint;
      const region = options.region ?? 'us-east-1';
      // The embedded store starts with the embedded emulator; an endpoint's table is set up after its
      // buckets and queues, so an endpoint that does not answer is reported as such.
      if (!options.endpoint) history = await openLocalHistory(options, region);
      const settings = {
        endpoint,
        region,
        ...(history?.endpoint ? { dynamodbEndpoint: history.endpoint } : {}),
      };
      const admin = createClients(settings);
      const provisioned = await provision(admin).catch((error: unknown) => {
        if (emulator) throw error;
        const reason = (error as { code?: string }).code ?? (error as Error).message;
        throw new PipelineRunError(`cannot set up the buckets and queues at ${endpoint} (${reason})`);
      });
      if (options.endpoint) history = await openLocalHistory(options, region);
      const resources = history ? { ...provisioned, historyTable: history.tableName } : provisioned;
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
        history,
        native,
        conditional,
        options,
        settings,
      );
    } catch (error) {
      await history?.close();
      await emulator?.stop();
      throw error;
    }
  }

  /** The history table of this run, if it has one. */
  get historyTable(): string | undefined {
    return this.resources.historyTable;
  }

  /**
   * Imports a history CSV into the history table (as `scrub62323 history import` does), dated
   * `recordedOn` for its expiry.
   */
  async importHistory(path: string, recordedOn: string): Promise<ImportResult> {
    if (!this.history) throw new PipelineRunError('this run has no history table to import into');
    try {
      return await recordImport(this.history, await readHistoryImport(path), recordedOn);
    } catch (error) {
      if (error instanceof ScrubError) throw new PipelineRunError(`cannot import ${path}: ${error.message}`);
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new PipelineRunError(`cannot import ${path} (${code})`);
    }
  }

  /** Stores a history CSV (earlier sessions) where validate looks for it. */
  uploadHistory(path: string): Promise<void> {
    return this.uploadWorkFile(PREFIX.history, path);
  }

  /** Stores a rule pack where split reads the packs of every batch (as `name`, by default its file's). */
  uploadPack(path: string, name = basename(path)): Promise<void> {
    return this.uploadWorkFile(PREFIX.packs, path, name);
  }

  /** A local file under `prefix` of the work bucket, by its own name unless given one. */
  private async uploadWorkFile(prefix: string, path: string, name = basename(path)): Promise<void> {
    await uploadBytes(this.admin.s3, this.resources.buckets.work, `${prefix}${name}`, await readFile(path));
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
    this.announced.push({ upload, eventTime });
    await this.publishIntake(body);
    return body;
  }

  /**
   * Waits up to `waitMs` for the endpoint's own event for an upload on the intake queue (other runs'
   * messages are put back at once). 'complete' when it names the upload as S3 would; 'replaced' when
   * it named no version of a versioned upload (moto's do not): it is then swapped for the full event,
   * since split would read it by ETag and lose it to a newer upload of the same name; 'none' when no
   * event came (or another run's split took it first).
   */
  async awaitEndpointEvent(
    upload: UploadedObject,
    waitMs = 3_000,
  ): Promise<'complete' | 'replaced' | 'none'> {
    const { sqs } = this.admin;
    const url = this.resources.queues.intake.url;
    for (const until = Date.now() + waitMs; Date.now() < until; ) {
      const messages = await receiveBriefly(sqs, url);
      let outcome: 'complete' | 'replaced' | undefined;
      const others: Message[] = [];
      for (const message of messages) {
        const event = intakeUploads(message.Body ?? '').find((named) => namesUpload(named, upload));
        if (event && outcome === undefined) {
          outcome = (event.versionId ?? '') === (upload.versionId ?? '') ? 'complete' : 'replaced';
          if (outcome === 'complete') others.push(message);
          else await deleteMessage(sqs, url, message);
        } else {
          others.push(message);
        }
      }
      await requeueMessages(sqs, url, others);
      if (outcome === 'replaced') await this.announce(upload);
      if (outcome) return outcome;
      await sleep(100);
    }
    return 'none';
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
    this.startFunctions();
    try {
      for (;;) {
        await sleep(50);
        const failure = this.functionFailure;
        if (failure) throw failure;
        await this.collectNotices();
        const idle = await this.idle();
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

  /**
   * The batch ids split may give an upload, most likely first: split dates a batch by its event, and
   * the event is either one the runner stamped or the endpoint's own, stamped by the endpoint's clock
   * (some emulators write local time without a zone), so the days around now are tried as well.
   */
  batchIdsOf(upload: UploadedObject, around: Date = new Date()): string[] {
    const times = [
      ...this.announced.filter((entry) => sameObject(entry.upload, upload)).map((entry) => entry.eventTime),
      around,
      new Date(around.getTime() - DAY_MS),
      new Date(around.getTime() + DAY_MS),
    ];
    const byEtag = { bucket: upload.bucket, key: upload.key, eTag: upload.eTag };
    // A versioned upload is always announced with its version (the runner re-sends an endpoint's event
    // that lacks it), so only an unversioned one is named by ETag; trying the ETag for a versioned one
    // could find an earlier upload of the same bytes. Split reads a "null" version as none.
    const versioned = upload.versionId !== undefined && upload.versionId !== 'null';
    const objects = versioned ? [{ ...byEtag, versionId: upload.versionId }] : [byEtag];
    const ids = objects.flatMap((object) =>
      times.map((time) => batchIdOf({ ...object, eventTime: time.toISOString() })),
    );
    return [...new Set(ids)];
  }

  /**
   * Runs the functions until the upload's report is in the reports bucket (its summary.json is written
   * last), and returns its batch id. Fails, in one sentence, when the upload's event or one of its
   * chunk messages is found in a dead-letter queue with no report written, when a poller itself
   * fails, or at the timeout. With the embedded emulator, whose queues no one else uses, queues that
   * stay idle with no report also end the run.
   */
  async awaitReport(upload: UploadedObject, options: AwaitReportOptions = {}): Promise<string> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const watch: ReportWatch = {
      batchIds: this.batchIdsOf(upload),
      deadline: Date.now() + timeoutMs,
      timeoutMs,
      lookedInDlqs: Date.now(),
    };
    this.startFunctions();
    try {
      for (;;) {
        const failure = this.functionFailure;
        if (failure) throw failure;
        await this.collectNotices();
        const found = await this.reportOf(watch.batchIds);
        if (found) return found;
        const reason = await this.whyNoReport(watch);
        if (reason) {
          // The report may have landed just as a message of the batch moved to a dead-letter queue.
          await sleep(REPORT_POLL_MS);
          const late = await this.reportOf(watch.batchIds);
          if (late) return late;
          throw new PipelineRunError(reason);
        }
        await sleep(REPORT_POLL_MS);
      }
    } finally {
      await this.collectNotices();
    }
  }

  /** Why the report cannot come (a dead-letter queue, stuck queues, the timeout), if it cannot. */
  private async whyNoReport(watch: ReportWatch): Promise<string | undefined> {
    if (Date.now() - watch.lookedInDlqs >= DLQ_POLL_MS) {
      watch.lookedInDlqs = Date.now();
      const reason = await this.deadLettered(watch.batchIds);
      if (reason) return reason;
    }
    if (this.emulator) {
      watch.idleSince = (await this.idle()) ? (watch.idleSince ?? Date.now()) : undefined;
      if (watch.idleSince !== undefined && Date.now() - watch.idleSince > IDLE_MS)
        return stalledReason(this.depthOf);
    }
    if (Date.now() > watch.deadline) {
      return `no report for ${watch.batchIds[0]} arrived within ${Math.round(watch.timeoutMs / 1000)} s (${await describeQueues(this.depthOf)})`;
    }
    return undefined;
  }

  /** The first of `batchIds` whose summary.json is in the reports bucket. */
  private async reportOf(batchIds: readonly string[]): Promise<string | undefined> {
    const store = s3ObjectStore(this.admin.s3);
    for (const batchId of batchIds) {
      if (await store.exists(this.resources.buckets.reports, reportKey(batchId, 'summary.json')))
        return batchId;
    }
    return undefined;
  }

  /** Why the upload can have no report, if one of its messages is in a dead-letter queue. */
  private async deadLettered(batchIds: readonly string[]): Promise<string | undefined> {
    const ours = new Set(batchIds);
    const { sqs } = this.admin;
    const { queues } = this.resources;
    if ((await this.queueDepth('intakeDlq')) > 0) {
      for (const body of await peekBodies(sqs, queues.intakeDlq.url)) {
        if (intakeUploads(body).some((event) => ours.has(batchIdOf(event))))
          return 'the upload could not be split: its S3 event is in the intake dead-letter queue (see the split logs)';
      }
    }
    if ((await this.queueDepth('chunkDlq')) > 0) {
      for (const body of await peekBodies(sqs, queues.chunkDlq.url)) {
        if (ours.has(chunkBatchOf(body) ?? ''))
          return 'a message of the batch is in the chunk dead-letter queue and no report was written (see the validate logs)';
      }
    }
    if ((await this.queueDepth('mergeDlq')) > 0) {
      for (const body of await peekBodies(sqs, queues.mergeDlq.url)) {
        if (ours.has(mergeBatchOf(body) ?? ''))
          return 'a merge shard of the batch is in the merge dead-letter queue and no report was written (see the merge logs)';
      }
    }
    return undefined;
  }

  /** No message waiting or being handled. */
  private async idle(): Promise<boolean> {
    if (this.consumers.some((consumer) => consumer.busy)) return false;
    for (const queue of ['intake', 'chunk', 'merge'] as const)
      if ((await this.queueDepth(queue)) > 0) return false;
    return true;
  }

  /**
   * The latest "report ready" notice of a batch, waiting up to `waitMs` for it: validate publishes it
   * just after it writes the summary.json awaitReport waits for.
   */
  async awaitNotice(batchId: string, waitMs = 5_000): Promise<ReportReady | undefined> {
    for (const until = Date.now() + waitMs; ; ) {
      await this.collectNotices();
      const notice = this.notices.findLast((candidate) => candidate.batchId === batchId);
      if (notice || Date.now() > until) return notice;
      await sleep(100);
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

  /** The report's files: the text files as text, findings.xlsx as bytes. */
  async readReport(batchId: string): Promise<ReportContents> {
    const store = s3ObjectStore(this.admin.s3);
    const files: Partial<Record<ReportFileName, string | Uint8Array>> = {};
    for (const name of REPORT_FILES) {
      const bytes = await store.read(this.resources.buckets.reports, reportKey(batchId, name));
      if (!bytes) throw new PipelineRunError(`the report of ${batchId} has no ${name}`);
      files[name] = name === 'findings.xlsx' ? bytes : Buffer.from(bytes).toString('utf8');
    }
    return files as ReportContents;
  }

  /** One object's bytes, or undefined when there is none (tests look at work files). */
  async readObject(bucket: string, key: string): Promise<Uint8Array | undefined> {
    return s3ObjectStore(this.admin.s3).read(bucket, key);
  }

  /** Everything under a prefix of a bucket (tests look at work files). */
  async listKeys(bucket: string, prefix: string): Promise<string[]> {
    return (await this.listObjects(bucket, prefix)).map((item) => item.key);
  }

  /** Keys and sizes under a prefix of a bucket (the bench sizes parts and reports). */
  async listObjects(bucket: string, prefix: string): Promise<ListedObject[]> {
    return s3ObjectStore(this.admin.s3).list(bucket, prefix);
  }

  stats(): RunStats {
    const of = (consumer: QueueConsumer): FunctionStats => ({
      receives: consumer.stats.receives,
      invocations: consumer.stats.invocations,
      messages: consumer.stats.messages,
      failedMessages: consumer.stats.failedMessages,
      cpuMs: consumer.stats.cpuMicros / 1000,
      wallMs: consumer.stats.wallMs,
      peakHeapBytes: [...consumer.stats.peakHeapBytes],
      invocationCpuMs: [...consumer.stats.invocationCpuMs],
    });
    return {
      split: of(this.split),
      validate: of(this.validate),
      merge: of(this.merge),
      requests: Object.fromEntries([...this.requestCounts].sort()),
    };
  }

  async stop(): Promise<void> {
    // The embedded emulator goes away with its queues: no need to wait out the long polls.
    const abortPolls = this.emulator !== undefined;
    await Promise.all(this.consumers.map((consumer) => consumer.stop({ abortPolls })));
    await this.closeFunctions();
    if (!this.emulator) await removeWatch(this.admin, this.resources);
    for (const clients of [this.admin, this.functions])
      for (const client of Object.values(clients)) client.destroy();
    await this.emulator?.stop();
    await this.history?.close();
  }

  private async collectNotices(): Promise<void> {
    await collectNotices(this.admin.sqs, this.resources.queues.watch.url, this.notices);
  }
}

/** The run's history: the endpoint's table, or the embedded store (its state folder or memory). */
async function openLocalHistory(
  options: LocalPipelineOptions,
  region: string,
): Promise<OpenHistory | undefined> {
  const wanted = options.historyStore ?? {};
  if (wanted === false) return undefined;
  try {
    return await openHistory(
      options.endpoint
        ? { kind: 'endpoint', endpoint: options.endpoint, region }
        : { kind: 'embedded', ...(wanted.stateDir !== undefined ? { stateDir: wanted.stateDir } : {}) },
      { fresh: wanted.fresh ?? false },
    );
  } catch (error) {
    if (error instanceof ScrubError) throw new PipelineRunError(error.message);
    throw error;
  }
}

/** Whether the endpoint refuses a second If-None-Match: * write of one key (an exclusive merge lock). */
async function probeConditionalWrites(clients: AwsClients, resources: PipelineResources): Promise<boolean> {
  const store = s3ObjectStore(clients.s3);
  const key = `${PREFIX.work}_probe/${randomBytes(8).toString('hex')}`;
  await store.writeIfAbsent(resources.buckets.work, key, 'probe');
  return !(await store.writeIfAbsent(resources.buckets.work, key, 'probe'));
}

/** Whether an event's upload is this object (an event without a version id names it by ETag). */
const namesUpload = (event: Upload, upload: UploadedObject): boolean =>
  event.bucket === upload.bucket &&
  event.key === upload.key &&
  (event.versionId !== undefined ? event.versionId === upload.versionId : event.eTag === upload.eTag);

/** The uploads an intake message names; none when it is no S3 event. */
function intakeUploads(body: string) {
  try {
    const message = parseIntakeMessage(body);
    return message.kind === 'uploads' ? message.uploads : [];
  } catch {
    return [];
  }
}

/** The batch a merge-queue message is for, when it is one. */
function mergeBatchOf(body: string): string | undefined {
  try {
    return decodeMergeMessage(body).batchId;
  } catch {
    return undefined;
  }
}

/** The batch a chunk-queue message is for, when it is one. */
function chunkBatchOf(body: string): string | undefined {
  try {
    return decodeChunkMessage(body).batchId;
  } catch {
    return undefined;
  }
}
