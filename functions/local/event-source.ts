/**
 * What the Lambda SQS event source mapping does, for the local runner: long-poll the queue, hand a
 * batch of real messages to the handler as an SQSEvent, delete the ones that succeeded, and leave
 * the failed ones (batchItemFailures, or all of them when the handler throws) on the queue, where
 * their receive count grows until the redrive policy moves them to the dead-letter queue.
 *
 * One deliberate difference: Lambda lets a failed message wait out the visibility timeout (720 s for
 * the chunk queue) before it is retried; here it is made visible again after `retryDelaySeconds`, so
 * a local run with failures ends in seconds.
 */
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

/** An invocation as the event source mapping makes it: the Lambda context is the function's business. */
export type SqsHandler = (event: SQSEvent) => Promise<SQSBatchResponse | undefined>;

export interface ConsumerOptions {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly region: string;
  /**
   * Called once per poller: each poller is one execution environment (one Lambda instance), which
   * runs one invocation at a time with its own handler, logger and metrics.
   */
  readonly createHandler: () => SqsHandler;
  readonly batchSize: number;
  readonly concurrency: number;
  readonly retryDelaySeconds: number;
  /** Long-poll wait; short, so the runner stops promptly. */
  readonly waitSeconds: number;
  /** Sample the heap during each invocation and keep its peak (stats.peakHeapBytes). */
  readonly sampleHeap?: boolean;
}

export interface ConsumerStats {
  /** Receives that returned messages (empty long polls are a fixed cost per poller, not per batch). */
  receives: number;
  emptyReceives: number;
  invocations: number;
  messages: number;
  failedMessages: number;
  /** process.cpuUsage (user + system) around handler invocations. */
  cpuMicros: number;
  wallMs: number;
  /**
   * With sampleHeap: each invocation's peak heapUsed, sampled every few milliseconds. The heap is the
   * process's, so the figure is an invocation's own only while nothing else runs (a merge shard does
   * run alone once every chunk is checked, with one merge poller).
   */
  peakHeapBytes: number[];
  /** Each invocation's CPU (user + system), ms, in the order they ran. */
  invocationCpuMs: number[];
}

function toRecord(message: Message, options: ConsumerOptions): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId!,
    receiptHandle: message.ReceiptHandle!,
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: options.queueArn,
    awsRegion: options.region,
  };
}

/** Message ids Lambda would leave on the queue, given what the handler returned or threw. */
export function failedIds(
  records: readonly SQSRecord[],
  outcome: SQSBatchResponse | undefined | Error,
): Set<string> {
  const all = new Set(records.map((record) => record.messageId));
  if (outcome instanceof Error) return all;
  const failures = outcome?.batchItemFailures ?? [];
  const ids = new Set<string>();
  for (const failure of failures) {
    // Lambda fails the whole batch when a reported identifier is empty or not in it.
    if (!failure.itemIdentifier || !all.has(failure.itemIdentifier)) return all;
    ids.add(failure.itemIdentifier);
  }
  return ids;
}

export class QueueConsumer {
  readonly stats: ConsumerStats = {
    receives: 0,
    emptyReceives: 0,
    invocations: 0,
    messages: 0,
    failedMessages: 0,
    cpuMicros: 0,
    wallMs: 0,
    peakHeapBytes: [],
    invocationCpuMs: [],
  };
  private running = false;
  private inFlight = 0;
  private handlers: SqsHandler[] | undefined;
  private loops: Promise<void>[] = [];
  private failure: unknown;
  private abort = new AbortController();

  constructor(private readonly options: ConsumerOptions) {}

  /** True while a received batch is being handled or settled (deleted / returned to the queue). */
  get busy(): boolean {
    return this.inFlight > 0;
  }

  /** An error of the consumer itself (not of the handler), which stops the run. */
  get error(): unknown {
    return this.failure;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.abort = new AbortController();
    this.handlers ??= Array.from({ length: this.options.concurrency }, () => this.options.createHandler());
    this.loops = this.handlers.map((handler) => this.loop(handler));
  }

  /**
   * Stops polling; batches being handled finish first. `abortPolls` also cuts waiting long polls short:
   * only for a queue about to be thrown away, since a message the server hands to an aborted poll
   * stays invisible for the visibility timeout.
   */
  async stop(options: { readonly abortPolls?: boolean } = {}): Promise<void> {
    this.running = false;
    if (options.abortPolls) this.abort.abort();
    await Promise.all(this.loops);
    this.loops = [];
  }

  private async loop(handler: SqsHandler): Promise<void> {
    while (this.running) {
      try {
        await this.pollOnce(handler);
      } catch (error) {
        if (!this.running) break; // the long poll was aborted by stop()
        this.failure ??= error;
        this.running = false;
      }
    }
  }

  private async pollOnce(handler: SqsHandler): Promise<void> {
    const { sqs, queueUrl, batchSize, waitSeconds } = this.options;
    const received = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: batchSize,
        WaitTimeSeconds: waitSeconds,
        MessageSystemAttributeNames: ['All'],
      }),
      { abortSignal: this.abort.signal },
    );
    const messages = received.Messages ?? [];
    if (messages.length === 0) {
      this.stats.emptyReceives += 1;
      return;
    }
    this.stats.receives += 1;
    // Until the receive returns, SQS counts the messages as not visible; from here on, this does.
    this.inFlight += 1;
    try {
      await this.invoke(handler, messages);
    } finally {
      this.inFlight -= 1;
    }
  }

  private async invoke(handler: SqsHandler, messages: Message[]): Promise<void> {
    const { sqs, queueUrl, retryDelaySeconds } = this.options;
    const records = messages.map((message) => toRecord(message, this.options));
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const heap = this.options.sampleHeap ? heapPeakSampler() : undefined;
    let outcome: SQSBatchResponse | undefined | Error;
    try {
      outcome = await handler({ Records: records });
    } catch (error) {
      outcome = error instanceof Error ? error : new Error(String(error));
    }
    if (heap) this.stats.peakHeapBytes.push(heap.stop());
    const cpu = process.cpuUsage(cpuBefore);
    this.stats.cpuMicros += cpu.user + cpu.system;
    this.stats.invocationCpuMs.push((cpu.user + cpu.system) / 1000);
    this.stats.wallMs += performance.now() - started;
    this.stats.invocations += 1;
    this.stats.messages += records.length;

    const failed = failedIds(records, outcome);
    this.stats.failedMessages += failed.size;
    const succeeded = records.filter((record) => !failed.has(record.messageId));
    if (succeeded.length > 0) {
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: succeeded.map((record, index) => ({
            Id: `d${index}`,
            ReceiptHandle: record.receiptHandle,
          })),
        }),
      );
    }
    const retry = records.filter((record) => failed.has(record.messageId));
    if (retry.length > 0) {
      await sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: queueUrl,
          Entries: retry.map((record, index) => ({
            Id: `v${index}`,
            ReceiptHandle: record.receiptHandle,
            VisibilityTimeout: retryDelaySeconds,
          })),
        }),
      );
    }
  }
}

/** Samples heapUsed every 5 ms (the merge yields to timers between pieces) until stopped; gives the peak. */
function heapPeakSampler(): { stop(): number } {
  let peak = process.memoryUsage().heapUsed;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  }, 5);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage().heapUsed);
    },
  };
}
