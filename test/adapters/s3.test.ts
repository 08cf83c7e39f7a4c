import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { MULTIPART_BYTES, s3ObjectStore } from '../../functions/adapters/s3.js';

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

  it('open asks for a byte range, says the whole size, and cuts the range itself from a store that ignores Range', async () => {
    const bytesOf = async (body: AsyncIterable<Uint8Array>) => {
      const pieces: Uint8Array[] = [];
      for await (const piece of body) pieces.push(piece);
      return Buffer.concat(pieces).toString();
    };
    s3.on(GetObjectCommand).resolves({
      Body: Readable.from([Buffer.from('cdef')]) as never,
      ContentLength: 4,
      ContentRange: 'bytes 2-5/10',
    });
    const ranged = await store.open('b', 'k', { versionId: 'v1', range: { start: 2, end: 6 } });
    expect(s3.commandCalls(GetObjectCommand)[0]!.args[0].input).toMatchObject({
      VersionId: 'v1',
      Range: 'bytes=2-5',
    });
    expect(ranged).toMatchObject({ size: 10 });
    expect(await bytesOf((ranged as { body: AsyncIterable<Uint8Array> }).body)).toBe('cdef');
    s3.reset();
    s3.on(GetObjectCommand).resolves({
      Body: Readable.from([Buffer.from('abc'), Buffer.from('defghij')]) as never,
      ContentLength: 10,
    });
    const open = await store.open('b', 'k', { range: { start: 2 } });
    expect(s3.commandCalls(GetObjectCommand)[0]!.args[0].input).toMatchObject({ Range: 'bytes=2-' });
    expect(open).toMatchObject({ size: 10 });
    expect(await bytesOf((open as { body: AsyncIterable<Uint8Array> }).body)).toBe('cdefghij');
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

  it('writeStream sends a small stream in one PUT, with its content type', async () => {
    s3.on(PutObjectCommand).resolves({});
    async function* pieces() {
      yield Buffer.from('a,b\n');
      yield Buffer.from('1,2\n');
    }
    await store.writeStream('b', 'k.csv', pieces(), { contentType: 'text/csv' });
    const [put] = s3.commandCalls(PutObjectCommand);
    expect(put!.args[0].input).toMatchObject({ Bucket: 'b', Key: 'k.csv', ContentType: 'text/csv' });
    expect(Buffer.from(put!.args[0].input.Body as Uint8Array).toString()).toBe('a,b\n1,2\n');
    expect(s3.commandCalls(CreateMultipartUploadCommand)).toHaveLength(0);
  });

  it('writeStream regroups a big stream into parts of MULTIPART_BYTES, the last one smaller', async () => {
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'u1' });
    s3.on(UploadPartCommand).callsFake((input) => ({ ETag: `"e${input.PartNumber}"` }));
    s3.on(CompleteMultipartUploadCommand).resolves({});
    const piece = Buffer.alloc(3 * 1024 * 1024, 7);
    async function* pieces() {
      for (let index = 0; index < 7; index += 1) yield piece; // 21 MiB
    }
    await store.writeStream('b', 'k.xlsx', pieces(), { contentType: 'application/x' });
    const sizes = s3
      .commandCalls(UploadPartCommand)
      .map((call) => (call.args[0].input.Body as Uint8Array).byteLength);
    expect(sizes).toEqual([MULTIPART_BYTES, MULTIPART_BYTES, 21 * 1024 * 1024 - 2 * MULTIPART_BYTES]);
    expect(s3.commandCalls(CreateMultipartUploadCommand)[0]!.args[0].input).toMatchObject({
      ContentType: 'application/x',
    });
    expect(s3.commandCalls(CompleteMultipartUploadCommand)[0]!.args[0].input.MultipartUpload).toEqual({
      Parts: [
        { ETag: '"e1"', PartNumber: 1 },
        { ETag: '"e2"', PartNumber: 2 },
        { ETag: '"e3"', PartNumber: 3 },
      ],
    });
  });

  it('writeStream aborts the upload and stops reading the stream when a part fails', async () => {
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'u1' });
    s3.on(UploadPartCommand).rejects(serviceError('InternalError', 500));
    s3.on(AbortMultipartUploadCommand).resolves({});
    let stopped = false;
    async function* pieces() {
      try {
        for (;;) yield Buffer.alloc(MULTIPART_BYTES);
      } finally {
        stopped = true;
      }
    }
    await expect(store.writeStream('b', 'k', pieces())).rejects.toThrow('InternalError');
    expect(s3.commandCalls(AbortMultipartUploadCommand)).toHaveLength(1);
    expect(stopped).toBe(true);
  });
});

describe('s3ObjectStore.compose', () => {
  it('copies a big piece server-side (UploadPartCopy, its key encoded), uploads the seams, completes in order', async () => {
    const MIB = 1024 * 1024;
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'u' });
    s3.on(UploadPartCommand).resolves({ ETag: '"up"' });
    s3.on(UploadPartCopyCommand).resolves({ CopyPartResult: { ETag: '"copied"' } });
    s3.on(GetObjectCommand).callsFake((input: { Range: string }) => {
      const [start, end] = input.Range.slice('bytes='.length).split('-').map(Number);
      const bytes = Buffer.alloc(end! - start! + 1);
      return {
        ContentRange: `bytes ${start}-${end}/${20 * MIB}`,
        Body: { transformToByteArray: async () => bytes } as never,
      };
    });
    s3.on(CompleteMultipartUploadCommand).resolves({});
    s3.on(AbortMultipartUploadCommand).resolves({});
    await store.compose('reports', 'b/findings.csv', [
      { bytes: Buffer.from('header\n') },
      { bucket: 'work', key: 'work/b 1/render/000000', size: 20 * MIB },
    ]);
    const copy = s3.commandCalls(UploadPartCopyCommand)[0]!.args[0].input;
    expect(copy).toMatchObject({ CopySource: 'work/work/b%201/render/000000', PartNumber: 2 });
    expect(copy.CopySourceRange).toBe(`bytes=${5 * MIB - 7}-${20 * MIB - 1}`);
    // The header and the first 5 MiB less 7 bytes of the piece make part 1.
    expect(s3.commandCalls(GetObjectCommand)[0]!.args[0].input.Range).toBe(`bytes=0-${5 * MIB - 8}`);
    expect((s3.commandCalls(UploadPartCommand)[0]!.args[0].input.Body as Uint8Array).byteLength).toBe(
      5 * MIB,
    );
    expect(s3.commandCalls(CompleteMultipartUploadCommand)[0]!.args[0].input.MultipartUpload).toEqual({
      Parts: [
        { ETag: '"up"', PartNumber: 1 },
        { ETag: '"copied"', PartNumber: 2 },
      ],
    });
  });

  it('aborts the upload when a copy fails', async () => {
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'u' });
    s3.on(UploadPartCopyCommand).rejects(serviceError('AccessDenied', 403));
    s3.on(AbortMultipartUploadCommand).resolves({});
    await expect(
      store.compose('reports', 'k', [
        { bucket: 'work', key: 'a', size: 6 * 1024 * 1024 },
        { bucket: 'work', key: 'b', size: 6 * 1024 * 1024 },
      ]),
    ).rejects.toThrow('AccessDenied');
    expect(s3.commandCalls(AbortMultipartUploadCommand)).toHaveLength(1);
  });
});
