/**
 * The reports adapter where a deployed bucket differs from an emulator: a caller who may not list the
 * reports bucket (billing) reads a summary not yet written as 403, and an endpoint that keeps no object
 * versions (fauxqs) answers a versions listing with nothing. And how an upload maps to its batch id.
 */
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { buildApp } from 'fauxqs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { listUploads, reportBucket } from '../../functions/adapters/report-bucket.js';
import { batchIdOf, batchIdsOfStored } from '../../functions/pipeline/batch-id.js';
import { objectCreatedEvent, parseIntakeMessage, type Upload } from '../../functions/pipeline/s3-event.js';

const serviceError = (name: string, status: number) =>
  new S3ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: status }, message: name });

describe('reportBucket read', () => {
  const s3 = mockClient(S3Client);
  // Every S3Client is mocked until then: the fauxqs test below needs the real one.
  afterAll(() => s3.restore());
  const bucket = reportBucket(new S3Client({ region: 'us-east-1' }), 'reports-bucket');
  const key = 'reports/2026-11-28-nightly-batch-3f9c2a1b7e/summary.json';
  afterEach(() => s3.reset());

  it('takes a 404 for a file not there', async () => {
    s3.on(GetObjectCommand).rejects(serviceError('NoSuchKey', 404));
    expect(await bucket.read('2026-11-28-nightly-batch-3f9c2a1b7e', 'summary.json')).toBeUndefined();
    expect(s3.commandCalls(ListObjectsV2Command)).toHaveLength(0);
  });

  it('takes a 403 for a file not there when a listing whose prefix is the key finds none (billing)', async () => {
    s3.on(GetObjectCommand).rejects(serviceError('AccessDenied', 403));
    s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: `${key}.bak` }] });
    expect(await bucket.read('2026-11-28-nightly-batch-3f9c2a1b7e', 'summary.json')).toBeUndefined();
    expect(s3.commandCalls(ListObjectsV2Command)[0]!.args[0].input).toMatchObject({
      Bucket: 'reports-bucket',
      Prefix: key,
    });
  });

  it('passes the 403 on when the file is there, or the listing is refused too', async () => {
    s3.on(GetObjectCommand).rejects(serviceError('AccessDenied', 403));
    s3.on(ListObjectsV2Command)
      .resolvesOnce({ Contents: [{ Key: key }] })
      .rejectsOnce(serviceError('AccessDenied', 403));
    for (let attempt = 0; attempt < 2; attempt += 1)
      await expect(bucket.read('2026-11-28-nightly-batch-3f9c2a1b7e', 'summary.json')).rejects.toMatchObject({
        name: 'AccessDenied',
      });
  });

  it('never takes a missing bucket for a missing file', async () => {
    s3.on(GetObjectCommand).rejects(serviceError('NoSuchBucket', 404));
    await expect(bucket.read('2026-11-28-nightly-batch-3f9c2a1b7e', 'summary.json')).rejects.toMatchObject({
      name: 'NoSuchBucket',
    });
  });
});

describe('listUploads on an endpoint without object versions (fauxqs)', () => {
  it('lists the batches under incoming/ by ETag (any upload but a folder marker), oldest first, and nothing else', async () => {
    const app = buildApp({ logger: false });
    const endpoint = await app.listen({ port: 0, host: '127.0.0.1' });
    const client = new S3Client({
      endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    try {
      await client.send(new CreateBucketCommand({ Bucket: 'intake-bucket' }));
      for (const key of [
        'incoming/a.csv',
        'incoming/b.csv.gz',
        'incoming/notes.txt',
        'incoming/commercial/',
        'elsewhere/c.csv',
      ])
        await client.send(new PutObjectCommand({ Bucket: 'intake-bucket', Key: key, Body: key }));
      const uploads = await listUploads(client, 'intake-bucket');
      // notes.txt is a batch too: split answers it with a rejected report (UNSUPPORTED_FILE).
      expect(uploads.map((upload) => upload.key).sort()).toEqual([
        'incoming/a.csv',
        'incoming/b.csv.gz',
        'incoming/notes.txt',
      ]);
      for (const upload of uploads) {
        expect(upload.versionId).toBeUndefined();
        expect(upload.eTag).toMatch(/^"?[0-9a-f]{32}"?$/);
      }
      const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
      expect(await listUploads(client, 'intake-bucket', { since: tomorrow })).toEqual([]);
    } finally {
      client.destroy();
      await app.close();
    }
  });
});

describe('batchIdsOfStored', () => {
  /** The upload as split reads it from its S3 event (the oracle: the event, not the listing). */
  const fromEvent = (fields: { versionId?: string; eTag: string; eventTime: string }): Upload => {
    const message = parseIntakeMessage(
      objectCreatedEvent({
        bucket: 'intake-bucket',
        key: 'incoming/nightly batch.csv',
        size: 10,
        sequencer: '0A1B2C',
        eTag: fields.eTag,
        eventTime: new Date(fields.eventTime),
        ...(fields.versionId ? { versionId: fields.versionId } : {}),
      }),
    );
    if (message.kind !== 'uploads') throw new Error('no upload');
    return message.uploads[0]!;
  };

  it('names the batch split names from the version id, the event dated that day or the next or the day before', () => {
    const stored = {
      bucket: 'intake-bucket',
      key: 'incoming/nightly batch.csv',
      versionId: 'v-123',
      eTag: '"9dd4e461268c8034f5c8564e155c67a6"',
      lastModified: new Date('2026-11-28T23:59:59Z'),
    };
    const ids = batchIdsOfStored(stored);
    const sameDay = batchIdOf(
      fromEvent({ versionId: 'v-123', eTag: 'other', eventTime: '2026-11-28T23:59:59Z' }),
    );
    const nextDay = batchIdOf(
      fromEvent({ versionId: 'v-123', eTag: 'other', eventTime: '2026-11-29T00:00:02Z' }),
    );
    const dayBefore = batchIdOf(
      fromEvent({ versionId: 'v-123', eTag: 'x', eventTime: '2026-11-27T20:00:00Z' }),
    );
    expect(ids).toEqual([sameDay, nextDay, dayBefore]);
    expect(sameDay).toMatch(/^2026-11-28-nightly-batch-[0-9a-f]{10}$/);
  });

  it('uses the ETag, unquoted, for an object of an unversioned bucket ("null" version)', () => {
    const [id] = batchIdsOfStored({
      bucket: 'intake-bucket',
      key: 'incoming/nightly batch.csv',
      versionId: 'null',
      eTag: '"9dd4e461268c8034f5c8564e155c67a6-2"',
      lastModified: new Date('2026-11-28T10:00:00Z'),
    });
    expect(id).toBe(
      batchIdOf(fromEvent({ eTag: '9dd4e461268c8034f5c8564e155c67a6-2', eventTime: '2026-11-28T10:00:05Z' })),
    );
  });
});
