import { Readable } from 'node:stream';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { s3ObjectStore } from '../../functions/adapters/s3.js';

const s3 = mockClient(S3Client);
const store = s3ObjectStore(new S3Client({ region: 'us-east-1' }));

const serviceError = (name: string, status: number) =>
  new S3ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: status }, message: name });

afterEach(() => s3.reset());

describe('s3ObjectStore', () => {
  it('writeIfAbsent sends If-None-Match: * and reports an existing key as false', async () => {
    s3.on(PutObjectCommand).resolvesOnce({}).rejectsOnce(serviceError('PreconditionFailed', 412));
    expect(await store.writeIfAbsent('b', 'lock', 'x')).toBe(true);
    expect(await store.writeIfAbsent('b', 'lock', 'x')).toBe(false);
    expect(s3.commandCalls(PutObjectCommand)[0]!.args[0].input).toMatchObject({
      Bucket: 'b',
      Key: 'lock',
      IfNoneMatch: '*',
    });
  });

  it('writeIfAbsent retries a 409 conflicting conditional write, and rethrows other errors', async () => {
    s3.on(PutObjectCommand).rejectsOnce(serviceError('ConditionalRequestConflict', 409)).resolvesOnce({});
    expect(await store.writeIfAbsent('b', 'lock', 'x')).toBe(true);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(2);
    s3.reset();
    s3.on(PutObjectCommand).rejects(serviceError('AccessDenied', 403));
    await expect(store.writeIfAbsent('b', 'lock', 'x')).rejects.toThrow('AccessDenied');
  });

  it('read returns undefined for a missing key and the bytes otherwise', async () => {
    s3.on(GetObjectCommand, { Key: 'missing' }).rejects(
      new NoSuchKey({ $metadata: { httpStatusCode: 404 }, message: 'x' }),
    );
    s3.on(GetObjectCommand, { Key: 'there' }).resolves({
      Body: Readable.from([Buffer.from('he'), Buffer.from('llo')]) as never,
    });
    expect(await store.read('b', 'missing')).toBeUndefined();
    expect(Buffer.from((await store.read('b', 'there'))!).toString()).toBe('hello');
  });

  it('open passes version or quoted ETag and maps 412 to "changed"', async () => {
    s3.on(GetObjectCommand).rejects(serviceError('PreconditionFailed', 412));
    expect(await store.open('b', 'k', { ifMatch: 'abc' })).toBe('changed');
    expect(s3.commandCalls(GetObjectCommand)[0]!.args[0].input).toMatchObject({ IfMatch: '"abc"' });
    s3.reset();
    s3.on(GetObjectCommand).resolves({
      Body: Readable.from([Buffer.from('x')]) as never,
      Metadata: { 'as-of': '2026-01-02' },
    });
    const opened = await store.open('b', 'k', { versionId: 'v1' });
    expect(opened).toMatchObject({ metadata: { 'as-of': '2026-01-02' } });
    expect(s3.commandCalls(GetObjectCommand)[0]!.args[0].input).toMatchObject({ VersionId: 'v1' });
  });

  it('exists maps NotFound to false and rethrows access errors', async () => {
    s3.on(HeadObjectCommand, { Key: 'no' }).rejects(
      new NotFound({ $metadata: { httpStatusCode: 404 }, message: 'x' }),
    );
    s3.on(HeadObjectCommand, { Key: 'yes' }).resolves({});
    s3.on(HeadObjectCommand, { Key: 'denied' }).rejects(serviceError('Forbidden', 403));
    expect(await store.exists('b', 'no')).toBe(false);
    expect(await store.exists('b', 'yes')).toBe(true);
    await expect(store.exists('b', 'denied')).rejects.toThrow();
  });

  it('list follows continuation tokens and returns keys in order', async () => {
    s3.on(ListObjectsV2Command)
      .resolvesOnce({ Contents: [{ Key: 'p/2', Size: 2 }], IsTruncated: true, NextContinuationToken: 't1' })
      .resolvesOnce({ Contents: [{ Key: 'p/1', Size: 1 }], IsTruncated: false });
    expect(await store.list('b', 'p/')).toEqual([
      { key: 'p/1', size: 1 },
      { key: 'p/2', size: 2 },
    ]);
    expect(s3.commandCalls(ListObjectsV2Command)[1]!.args[0].input).toMatchObject({
      ContinuationToken: 't1',
    });
  });
});
