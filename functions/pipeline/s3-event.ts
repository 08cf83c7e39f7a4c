/**
 * S3 event notifications as they arrive on the intake queue: the `s3:TestEvent` S3 sends when a
 * notification is configured, and ObjectCreated records whose keys are URL-encoded (`+` = space).
 * Also builds such events, for the local runner (the embedded emulator does not send them).
 *
 * Records are checked with Powertools' S3 record schema only where every sender agrees with it:
 * moto writes no userIdentity, requestParameters or ownerIdentity and event times without a zone,
 * and S3 itself may name an IPv6 source, so the whole Powertools record would refuse real events.
 */
import { S3Schema } from '@aws-lambda-powertools/parser/schemas/s3';
import { z } from 'zod';
import { ScrubError } from '../core/errors.js';
import { type Checked, check, checkJson } from './checked.js';
import { PREFIX } from './topology.js';

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

/** An intake message that is no S3 notification (or one this pipeline cannot use). */
export class UnreadableMessageError extends ScrubError {
  constructor(reason: string) {
    super('UNREADABLE_MESSAGE', `the intake message is not an S3 event notification: ${reason}`);
    this.name = 'UnreadableMessageError';
  }
}

/** `+` is a space, everything else percent-encoded UTF-8; undefined when the encoding is broken. */
function decodedKey(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

/** S3 event keys are form-encoded: `+` is a space, everything else percent-encoded UTF-8. */
export function decodeEventKey(raw: string): string {
  const key = decodedKey(raw);
  if (key === undefined) throw new UnreadableMessageError('the object key is not valid URL encoding');
  return key;
}

/** Encodes a key the way S3 writes it into events (spaces as `+`, slashes kept). */
export const encodeEventKey = (key: string): string =>
  encodeURIComponent(key).replace(/%20/g, '+').replace(/%2F/g, '/');

/**
 * Whether a key is an upload split answers: any object under incoming/ (the bucket notifies for the
 * whole prefix) but a folder marker (`incoming/<pack>/`, what the S3 console's "Create folder" writes).
 * Whether its name makes it a batch is the core's to say (upload-file.ts): an upload that is not one
 * gets a rejected report, not silence.
 */
export const isUploadKey = (key: string): boolean =>
  key.startsWith(PREFIX.incoming) && key.length > PREFIX.incoming.length && !key.endsWith('/');

const S3Record = S3Schema.shape.Records.element;
const S3Object = S3Record.shape.s3.shape.object;

/** What S3 sends when a notification configuration is saved. */
const TestEventSchema = z.object({ Event: z.literal('s3:TestEvent') });

const JsonObjectSchema = z.record(z.string(), z.unknown());
const NotificationSchema = z.object({ Records: z.array(z.unknown()) });

/** Enough of any S3 record (created, removed, restored…) to tell which kind it is. */
const AnyS3RecordSchema = z.object({
  eventSource: S3Record.shape.eventSource,
  eventName: z.string().optional(),
  s3: z.object({}),
});

const nonEmpty = z.string().min(1);
const present = (value: string | undefined): value is string => value !== undefined && value !== '';

/** An ObjectCreated record, as the Upload split needs. */
const ObjectCreatedRecordSchema = z
  .object({
    eventTime: z.string().regex(/^\d{4}-\d{2}-\d{2}T/, { error: 'expected an ISO 8601 date-time' }),
    s3: z.object({
      bucket: z.object({ name: nonEmpty }),
      object: S3Object.pick({ size: true, eTag: true, sequencer: true, versionId: true }).extend({
        key: nonEmpty.refine((raw) => decodedKey(raw) !== undefined, {
          error: 'expected URL-encoded UTF-8',
        }),
      }),
    }),
  })
  .transform(({ eventTime, s3: { bucket, object } }): Upload => {
    const eTag = object.eTag?.replace(/"/g, '');
    return {
      bucket: bucket.name,
      key: decodedKey(object.key)!,
      eventTime,
      ...(present(eTag) ? { eTag } : {}),
      // S3 writes "null" for an object of an unversioned bucket.
      ...(present(object.versionId) && object.versionId !== 'null' ? { versionId: object.versionId } : {}),
      ...(present(object.sequencer) ? { sequencer: object.sequencer } : {}),
      ...(object.size !== undefined ? { size: object.size } : {}),
    };
  });

/** The value of a check, or an UnreadableMessageError: `lead`, then the field and the problem. */
function valueOr<T>(checked: Checked<T>, lead: string): T {
  if (!checked.ok) throw new UnreadableMessageError(`${lead} (${checked.problem})`);
  return checked.value;
}

export function parseIntakeMessage(body: string): IntakeMessage {
  const json = checkJson(z.unknown(), body);
  if (!json.ok) throw new UnreadableMessageError('the body is not JSON');
  valueOr(check(JsonObjectSchema, json.value), 'the body is not a JSON object');
  if (check(TestEventSchema, json.value).ok) return { kind: 'test-event' };
  const { Records } = valueOr(check(NotificationSchema, json.value), 'it has no Records');

  const uploads: Upload[] = [];
  let ignoredRecords = 0;
  for (const [index, record] of Records.entries()) {
    const at = ['Records', index];
    const { eventName } = valueOr(check(AnyS3RecordSchema, record, at), 'a record is not an S3 record');
    if (!eventName?.startsWith('ObjectCreated:')) {
      ignoredRecords += 1;
      continue;
    }
    uploads.push(
      valueOr(check(ObjectCreatedRecordSchema, record, at), 'an ObjectCreated record lacks a usable field'),
    );
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
