/**
 * Typed events for handler tests: SQS records and events as the event source mapping delivers them,
 * the S3 notification bodies the intake queue carries (ObjectCreated and s3:TestEvent), and the Lambda
 * context (the same builder the local runner uses). Written from the AWS documentation, not from the
 * code under test, so they can catch it misreading an event.
 */
import { randomUUID } from 'node:crypto';
import type { S3Event, S3EventRecord, SQSEvent, SQSRecord } from 'aws-lambda';

export { lambdaContext } from '../../functions/local/context.js';

export interface SqsRecordOptions {
  readonly messageId?: string;
  /** ApproximateReceiveCount (default 1: the first delivery). */
  readonly receiveCount?: number;
  readonly queueArn?: string;
}

export function sqsRecord(body: string, options: SqsRecordOptions = {}): SQSRecord {
  const sent = Date.UTC(2026, 10, 28, 6, 0, 0);
  return {
    messageId: options.messageId ?? randomUUID(),
    receiptHandle: `AQEB${randomUUID().replace(/-/g, '')}`,
    body,
    attributes: {
      ApproximateReceiveCount: String(options.receiveCount ?? 1),
      SentTimestamp: String(sent),
      SenderId: 'AIDAIENQZJOLO23YVJ4VO',
      ApproximateFirstReceiveTimestamp: String(sent + 5),
    },
    messageAttributes: {},
    md5OfBody: 'e4e68fb7bd0e697a0ae8f1bb342846b3',
    eventSource: 'aws:sqs',
    eventSourceARN: options.queueArn ?? 'arn:aws:sqs:us-east-1:123456789012:scrub62323-intake',
    awsRegion: 'us-east-1',
  };
}

export const sqsEvent = (...records: SQSRecord[]): SQSEvent => ({ Records: records });

export interface ObjectCreatedOptions {
  readonly bucket?: string;
  /** The key as uploaded; the notification carries it URL-encoded, spaces as `+`. */
  readonly key: string;
  readonly size?: number;
  readonly eTag?: string;
  readonly versionId?: string;
  readonly eventTime?: string;
  readonly eventName?: string;
}

/** An S3 event notification record for one upload (notification-content-structure.html). */
export function s3EventRecord(options: ObjectCreatedOptions): S3EventRecord {
  const bucket = options.bucket ?? 'scrub62323-intake';
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: 'us-east-1',
    eventTime: options.eventTime ?? '2026-11-28T06:00:00.000Z',
    eventName: options.eventName ?? 'ObjectCreated:Put',
    userIdentity: { principalId: 'AWS:AIDAINPONIXQXHT3IKHL2' },
    requestParameters: { sourceIPAddress: '203.0.113.9' },
    responseElements: {
      'x-amz-request-id': 'C3D13FE58DE4C810',
      'x-amz-id-2': 'FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD',
    },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: 'scrub62323-intake',
      bucket: {
        name: bucket,
        ownerIdentity: { principalId: 'A3NL1KOZZKExample' },
        arn: `arn:aws:s3:::${bucket}`,
      },
      object: {
        key: encodeURIComponent(options.key).replace(/%20/g, '+').replace(/%2F/g, '/'),
        size: options.size ?? 1024,
        eTag: options.eTag ?? 'd41d8cd98f00b204e9800998ecf8427e',
        ...(options.versionId ? { versionId: options.versionId } : {}),
        sequencer: '0055AED6DCD90281E5',
      },
    },
  };
}

/** The body of an intake message: an S3 event with these records. */
export const s3EventBody = (...records: S3EventRecord[]): string =>
  JSON.stringify({ Records: records } satisfies S3Event);

/** What S3 sends once when a notification configuration is saved (no Records). */
export interface S3TestEvent {
  readonly Service: 'Amazon S3';
  readonly Event: 's3:TestEvent';
  readonly Time: string;
  readonly Bucket: string;
  readonly RequestId: string;
  readonly HostId: string;
}

export const s3TestEventBody = (bucket = 'scrub62323-intake'): string =>
  JSON.stringify({
    Service: 'Amazon S3',
    Event: 's3:TestEvent',
    Time: '2026-11-28T06:00:00.000Z',
    Bucket: bucket,
    RequestId: '5582815E1AEA5ADF',
    HostId: '8cLeGAmw098X5cv4Zkwcmo8vvZa3eH3eKxsPzbB9wrR+YstdA6Knx4Ip8EXAMPLE',
  } satisfies S3TestEvent);
