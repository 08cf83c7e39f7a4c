/**
 * What the pipeline needs of the outside world, declared here by the code that uses it and
 * implemented in functions/adapters/ (S3, SQS, SNS). Split and validate receive these, so the Lambda
 * handlers, the local runner and the tests choose the clients (AWS, the embedded emulator, moto, an
 * in-memory store) and inject faults without module mocking.
 *
 * The history store (earlier batches' sessions) is declared in the core, whose rules read its
 * records, and re-exported here with the other ports.
 */
import type { MetricName } from './topology.js';

export type {
  HistoryStore,
  RecordOptions,
  SessionRecord,
  SessionRecordInput,
} from '../core/history-port.js';

export interface ListedObject {
  readonly key: string;
  readonly size: number;
}

export interface OpenedObject {
  readonly body: AsyncIterable<Uint8Array>;
  /** User metadata (x-amz-meta-*), keys in lower case. */
  readonly metadata: Readonly<Record<string, string>>;
  /** The object's size in bytes, when the store says (S3: Content-Length). */
  readonly size?: number;
  /** Stops the download without reading the body (an upload refused for its size). */
  discard(): void;
}

export interface OpenOptions {
  readonly versionId?: string;
  /** ETag the object must still have (quoted or not). */
  readonly ifMatch?: string;
  /**
   * Only bytes [start, end) (end left out: to the object's end), in one ranged GET; the opened
   * object's `size` is still the whole object's.
   */
  readonly range?: { readonly start: number; readonly end?: number };
}

/** A piece of an object to compose: bytes in hand, or the whole of another object. */
export type ComposePiece =
  | { readonly bytes: Uint8Array }
  | { readonly bucket: string; readonly key: string; readonly size: number };

export interface WriteOptions {
  readonly contentType?: string;
}

/** Object storage: uploads, work files and reports. */
export interface ObjectStore {
  /** The whole object, or undefined when there is no such key. */
  read(bucket: string, key: string): Promise<Uint8Array | undefined>;
  /**
   * Bytes [start, end) of an object (fewer when it ends sooner, none when it ends before `start`),
   * or undefined when there is no such key: one ranged GET.
   */
  readRange(bucket: string, key: string, start: number, end: number): Promise<Uint8Array | undefined>;
  /** Streams an object: 'missing' when there is none, 'changed' when `ifMatch` no longer holds. */
  open(bucket: string, key: string, options?: OpenOptions): Promise<OpenedObject | 'missing' | 'changed'>;
  write(bucket: string, key: string, body: string | Uint8Array, options?: WriteOptions): Promise<void>;
  /**
   * Writes an object from a stream of pieces, read as they are sent: the whole body is never held
   * (a report of any size). The object appears only once the stream has ended without error.
   */
  writeStream(
    bucket: string,
    key: string,
    body: AsyncIterable<Uint8Array>,
    options?: WriteOptions,
  ): Promise<void>;
  /**
   * Writes an object made of pieces in order: bytes in hand and whole other objects (their sizes as
   * listed). S3 copies the big ones server-side (UploadPartCopy): they never pass through here.
   */
  compose(
    bucket: string,
    key: string,
    pieces: readonly ComposePiece[],
    options?: WriteOptions,
  ): Promise<void>;
  /** Creates the object only if the key is free (If-None-Match: *); false when it already exists. */
  writeIfAbsent(bucket: string, key: string, body: string): Promise<boolean>;
  exists(bucket: string, key: string): Promise<boolean>;
  /** Every key under a prefix, in key order. */
  list(bucket: string, prefix: string): Promise<ListedObject[]>;
}

/** Sending messages to a queue (split → the chunk queue). */
export interface MessageSender {
  /** Sends every body to the queue; resolves once the queue has accepted all of them. */
  sendAll(queueUrl: string, bodies: readonly string[]): Promise<void>;
}

/** SNS delivery protocols a notice may word its own message for. */
export type NoticeProtocol =
  | 'email'
  | 'email-json'
  | 'sqs'
  | 'lambda'
  | 'http'
  | 'https'
  | 'sms'
  | 'application'
  | 'firehose';

/** One notice for every subscriber: a subject, a message per protocol, attributes to filter on. */
export interface Notice {
  /** The email subject (and `Subject` of the JSON envelope other protocols get). */
  readonly subject: string;
  /** `default` goes to every protocol not named. */
  readonly byProtocol: { readonly default: string } & Readonly<Partial<Record<NoticeProtocol, string>>>;
  /** String message attributes (subscription filter policies match on them). */
  readonly attributes: Readonly<Record<string, string>>;
}

/** Telling subscribers something happened (the "report ready" notice). */
export interface Notifier {
  publish(topicArn: string, notice: Notice): Promise<void>;
}

export type MetricDimensions = Readonly<Record<string, string>>;

/** Counting for CloudWatch (names in topology.ts METRICS): EMF on Lambda, a recorder in tests. */
export interface PipelineMetrics {
  /** Adds to a count; `dimensions` (beyond the service) split it, e.g. by report status. */
  count(name: MetricName, value: number, dimensions?: MetricDimensions): void;
  /** Writes out what was counted since the last publish: once, at the end of each invocation. */
  publish(): void;
}
