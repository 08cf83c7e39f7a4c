/**
 * S3 event notifications as they arrive on the intake queue: the `s3:TestEvent` S3 sends when a
 * notification is configured, and ObjectCreated records whose keys are URL-encoded (`+` = space).
 * Also builds such events, for the local runner (the embedded emulator does not send them).
 */
import { BATCH_SUFFIXES, PREFIX } from './topology.js';

/** One uploaded object, as the event describes it. */
export interface Upload {
  readonly bucket: string;
  /** Decoded key. */
  readonly key: string;
  readonly eTag?: string;
  readonly versionId?: string;
  readonly sequencer?: string;
  readonly size?: number;
  /** ISO 8601 time of the event. */
  readonly eventTime: string;
}

export type IntakeMessage =
  | { readonly kind: 'test-event' }
  | { readonly kind: 'uploads'; readonly uploads: readonly Upload[]; readonly ignoredRecords: number };

export class UnreadableMessageError extends Error {
  constructor(reason: string) {
    super(`the intake message is not an S3 event notification: ${reason}`);
    this.name = 'UnreadableMessageError';
  }
}

/** S3 event keys are form-encoded: `+` is a space, everything else percent-encoded UTF-8. */
export function decodeEventKey(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    throw new UnreadableMessageError('the object key is not valid URL encoding');
  }
}

/** Encodes a key the way S3 writes it into events (spaces as `+`, slashes kept). */
export const encodeEventKey = (key: string): string =>
  encodeURIComponent(key).replace(/%20/g, '+').replace(/%2F/g, '/');

/** Whether a key names a batch this pipeline takes (the bucket notification filters the same way). */
export const isBatchKey = (key: string): boolean =>
  key.startsWith(PREFIX.incoming) && BATCH_SUFFIXES.some((suffix) => key.endsWith(suffix));

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const optionalString = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

export function parseIntakeMessage(body: string): IntakeMessage {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new UnreadableMessageError('the body is not JSON');
  }
  if (!isRecord(parsed)) throw new UnreadableMessageError('the body is not a JSON object');
  if (parsed.Event === 's3:TestEvent') return { kind: 'test-event' };
  if (!Array.isArray(parsed.Records)) throw new UnreadableMessageError('it has no Records');

  const uploads: Upload[] = [];
  let ignoredRecords = 0;
  for (const record of parsed.Records as unknown[]) {
    if (!isRecord(record) || record.eventSource !== 'aws:s3' || !isRecord(record.s3)) {
      throw new UnreadableMessageError('a record is not an S3 record');
    }
    const eventName = optionalString(record.eventName) ?? '';
    if (!eventName.startsWith('ObjectCreated:')) {
      ignoredRecords += 1;
      continue;
    }
    const { bucket, object } = record.s3;
    const bucketName = isRecord(bucket) ? optionalString(bucket.name) : undefined;
    const rawKey = isRecord(object) ? optionalString(object.key) : undefined;
    const eventTime = optionalString(record.eventTime);
    if (!isRecord(object) || bucketName === undefined || rawKey === undefined || eventTime === undefined) {
      throw new UnreadableMessageError('a record lacks the bucket, key or event time');
    }
    if (!/^\d{4}-\d{2}-\d{2}T/.test(eventTime))
      throw new UnreadableMessageError('a record has no ISO event time');
    const eTag = optionalString(object.eTag)?.replace(/"/g, '');
    const versionId = optionalString(object.versionId);
    const sequencer = optionalString(object.sequencer);
    uploads.push({
      bucket: bucketName,
      key: decodeEventKey(rawKey),
      eventTime,
      ...(eTag !== undefined ? { eTag } : {}),
      ...(versionId !== undefined && versionId !== 'null' ? { versionId } : {}),
      ...(sequencer !== undefined ? { sequencer } : {}),
      ...(typeof object.size === 'number' ? { size: object.size } : {}),
    });
  }
  return { kind: 'uploads', uploads, ignoredRecords };
}

export interface ObjectCreatedFields {
  readonly bucket: string;
  readonly key: string;
  readonly size: number;
  readonly eTag: string;
  readonly sequencer: string;
  readonly eventTime: Date;
  readonly versionId?: string;
  readonly region?: string;
}

/** An `ObjectCreated:Put` notification body, as S3 sends it (notification-content-structure.html). */
export function objectCreatedEvent(fields: ObjectCreatedFields): string {
  return JSON.stringify({
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: fields.region ?? 'us-east-1',
        eventTime: fields.eventTime.toISOString(),
        eventName: 'ObjectCreated:Put',
        userIdentity: { principalId: 'scrub62323-local' },
        requestParameters: { sourceIPAddress: '127.0.0.1' },
        responseElements: { 'x-amz-request-id': 'LOCAL', 'x-amz-id-2': 'LOCAL' },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: 'scrub62323-intake',
          bucket: {
            name: fields.bucket,
            ownerIdentity: { principalId: 'LOCAL' },
            arn: `arn:aws:s3:::${fields.bucket}`,
          },
          object: {
            key: encodeEventKey(fields.key),
            size: fields.size,
            eTag: fields.eTag.replace(/"/g, ''),
            ...(fields.versionId ? { versionId: fields.versionId } : {}),
            sequencer: fields.sequencer,
          },
        },
      },
    ],
  });
}

/** The message S3 sends when a notification configuration is saved. */
export const testEvent = (bucket: string, time: Date): string =>
  JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Time: time.toISOString(), Bucket: bucket });
