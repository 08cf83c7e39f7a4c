/**
 * Uploads a local file the way `aws s3 cp` does: one PutObject for small files, a multipart upload
 * above 8 MiB (emulators cap request bodies; S3 caps single PUTs at 5 GB).
 */
import { open } from 'node:fs/promises';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { MULTIPART_BYTES, multipartUpload } from '../adapters/s3.js';

export interface UploadedObject {
  readonly bucket: string;
  readonly key: string;
  /** Without quotes, as S3 events write it. */
  readonly eTag: string;
  readonly size: number;
  readonly versionId?: string;
}

export interface UploadOptions {
  readonly metadata?: Readonly<Record<string, string>>;
  readonly contentType?: string;
}

/** An ETag without its quotes, as S3 events write it. */
export const unquote = (etag: string | undefined): string => (etag ?? '').replace(/"/g, '');

export async function uploadBytes(
  s3: S3Client,
  bucket: string,
  key: string,
  body: Uint8Array,
  options: UploadOptions = {},
): Promise<UploadedObject> {
  const output = await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: body,
      ...(options.metadata ? { Metadata: { ...options.metadata } } : {}),
      ...(options.contentType ? { ContentType: options.contentType } : {}),
    }),
  );
  return {
    bucket,
    key,
    eTag: unquote(output.ETag),
    size: body.byteLength,
    ...(output.VersionId ? { versionId: output.VersionId } : {}),
  };
}

export async function uploadFile(
  s3: S3Client,
  bucket: string,
  key: string,
  path: string,
  options: UploadOptions = {},
): Promise<UploadedObject> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    if (size <= MULTIPART_BYTES) {
      const body = Buffer.alloc(size);
      await file.read(body, 0, size, 0);
      return await uploadBytes(s3, bucket, key, body, options);
    }
    async function* parts(): AsyncGenerator<Uint8Array> {
      const buffer = Buffer.alloc(MULTIPART_BYTES); // reused: each part is sent before the next is read
      for (let offset = 0; offset < size; offset += MULTIPART_BYTES) {
        const { bytesRead } = await file.read(buffer, 0, Math.min(MULTIPART_BYTES, size - offset), offset);
        yield buffer.subarray(0, bytesRead);
      }
    }
    const done = await multipartUpload(s3, { bucket, key, ...options }, parts());
    return {
      bucket,
      key,
      eTag: unquote(done.eTag),
      size,
      ...(done.versionId ? { versionId: done.versionId } : {}),
    };
  } finally {
    await file.close();
  }
}
