/** The pipeline's object store (functions/pipeline/ports.ts) on S3, and S3 multipart uploads. */
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { ScrubError } from '../core/errors.js';
import type { ListedObject, ObjectStore } from '../pipeline/ports.js';
import { sleep } from '../pipeline/sleep.js';
import { MAX_PARTS, type PlannedPart, planParts, type SourceRange } from './part-plan.js';

interface ServiceError {
  readonly name?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

const statusOf = (error: unknown): number | undefined =>
  (error as ServiceError | null)?.$metadata?.httpStatusCode;
const nameOf = (error: unknown): string | undefined => (error as ServiceError | null)?.name;

export const isNotFound = (error: unknown): boolean =>
  statusOf(error) === 404 || nameOf(error) === 'NoSuchKey' || nameOf(error) === 'NotFound';
export const isPreconditionFailed = (error: unknown): boolean =>
  statusOf(error) === 412 || nameOf(error) === 'PreconditionFailed';
/** S3 answers 409 when another conditional write to the same key is in flight: worth one more try. */
const isConditionalConflict = (error: unknown): boolean =>
  statusOf(error) === 409 || nameOf(error) === 'ConditionalRequestConflict';

const quoted = (etag: string): string => (etag.startsWith('"') ? etag : `"${etag}"`);

const CONFLICT_RETRIES = 3;

/**
 * Bodies above this go up in parts. S3 takes 5 GB in one PUT, but a big report or part is sent
 * faster (and retried cheaper) in parts, and emulators refuse bodies of a few MB.
 */
export const MULTIPART_BYTES = 8 * 1024 * 1024;

export interface ObjectTarget {
  readonly bucket: string;
  readonly key: string;
  readonly contentType?: string;
  readonly metadata?: Readonly<Record<string, string>>;
}

/** A part to upload: bytes, or a range of another object that S3 copies (UploadPartCopy). */
export type UploadedPart = Uint8Array | { readonly copy: SourceRange };

/** An object's key as CopySource takes it: bucket and key, URL-encoded but for the slashes. */
const copySourceOf = ({ bucket, key }: SourceRange): string =>
  `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;

/** A multipart upload of the given parts (each but the last at least 5 MiB); aborted on failure. */
export async function multipartUpload(
  client: S3Client,
  target: ObjectTarget,
  parts: AsyncIterable<UploadedPart> | Iterable<UploadedPart>,
): Promise<{ eTag?: string; versionId?: string }> {
  const { bucket, key } = target;
  const created = await client.send(
    new CreateMultipartUploadCommand({
      Bucket: bucket,
      Key: key,
      ...(target.contentType ? { ContentType: target.contentType } : {}),
      ...(target.metadata ? { Metadata: { ...target.metadata } } : {}),
    }),
  );
  const uploadId = created.UploadId!;
  try {
    const done: { ETag: string; PartNumber: number }[] = [];
    for await (const body of parts) {
      const partNumber = done.length + 1;
      const common = { Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: partNumber };
      if (body instanceof Uint8Array) {
        const part = await client.send(new UploadPartCommand({ ...common, Body: body }));
        done.push({ ETag: part.ETag!, PartNumber: partNumber });
      } else {
        const { copy } = body;
        const part = await client.send(
          new UploadPartCopyCommand({
            ...common,
            CopySource: copySourceOf(copy),
            CopySourceRange: `bytes=${copy.start}-${copy.end - 1}`,
          }),
        );
        done.push({ ETag: part.CopyPartResult!.ETag!, PartNumber: partNumber });
      }
    }
    const completed = await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: { Parts: done },
      }),
    );
    return {
      ...(completed.ETag ? { eTag: completed.ETag } : {}),
      ...(completed.VersionId ? { versionId: completed.VersionId } : {}),
    };
  } catch (error) {
    await client
      .send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }))
      .catch(() => undefined);
    throw error;
  }
}

function* slices(body: Uint8Array, size: number): Generator<Uint8Array> {
  for (let offset = 0; offset < body.byteLength; offset += size) yield body.subarray(offset, offset + size);
}

const rangeHeaderOf = (range: { readonly start: number; readonly end?: number }): string =>
  `bytes=${range.start}-${range.end === undefined ? '' : range.end - 1}`;

/** The whole object's size a ranged GET names in Content-Range ("bytes 0-99/1234"). */
function totalSizeOf(contentRange: string | undefined): number | undefined {
  const total = /\/(\d+)$/.exec(contentRange ?? '')?.[1];
  return total === undefined ? undefined : Number(total);
}

/**
 * The body of a ranged GET. It is left unread past its cut (byte ranges): an "aborted" after that
 * must not go unheard (see discardBody); errors while it is read still reach the reader through its
 * iterator. A store that ignores Range (no Content-Range) sends the whole object: it is cut here.
 */
function rangedBody(
  body: unknown,
  range: { readonly start: number; readonly end?: number },
  total: number | undefined,
): AsyncIterable<Uint8Array> {
  if (body instanceof Readable) body.on('error', () => undefined);
  const stream = body as AsyncIterable<Uint8Array>;
  return total === undefined ? byteSlice(stream, range.start, range.end) : stream;
}

/** Bytes [start, end) of a stream (end undefined: to its end). */
async function* byteSlice(
  pieces: AsyncIterable<Uint8Array>,
  start: number,
  end = Number.POSITIVE_INFINITY,
): AsyncGenerator<Uint8Array> {
  let at = 0;
  for await (const piece of pieces) {
    const from = Math.max(0, start - at);
    const to = Math.min(piece.byteLength, end - at);
    at += piece.byteLength;
    if (from < to) yield piece.subarray(from, to);
    if (at >= end) return;
  }
}

/**
 * Closes a response body unread. On Node the body is the HTTP response: destroying it makes the socket
 * report "aborted" on it once more, which nobody would hear (an uncaught error), hence the listener.
 */
function discardBody(body: unknown): void {
  if (body instanceof Readable) {
    body.on('error', () => undefined);
    body.destroy();
  } else if (body instanceof ReadableStream) {
    body.cancel().catch(() => undefined);
  }
}

/** Pieces of any size regrouped into parts of `size` bytes (the last one smaller): one part held at a time. */
async function* regrouped(pieces: AsyncIterable<Uint8Array>, size: number): AsyncGenerator<Uint8Array> {
  let part = Buffer.allocUnsafe(size);
  let filled = 0;
  for await (const piece of pieces) {
    for (let offset = 0; offset < piece.byteLength; ) {
      const taken = Math.min(size - filled, piece.byteLength - offset);
      part.set(piece.subarray(offset, offset + taken), filled);
      filled += taken;
      offset += taken;
      if (filled === size) {
        yield part;
        // A fresh buffer: the SDK may still hold the part just sent.
        part = Buffer.allocUnsafe(size);
        filled = 0;
      }
    }
  }
  if (filled > 0) yield part.subarray(0, filled);
}

export function s3ObjectStore(client: S3Client): ObjectStore {
  const open: ObjectStore['open'] = async (bucket, key, options = {}) => {
    const { range } = options;
    try {
      const output = await client.send(
        new GetObjectCommand({
          Bucket: bucket,
          Key: key,
          ...(options.versionId ? { VersionId: options.versionId } : {}),
          ...(options.ifMatch ? { IfMatch: quoted(options.ifMatch) } : {}),
          ...(range ? { Range: rangeHeaderOf(range) } : {}),
        }),
      );
      const body = output.Body as unknown;
      if (!body || typeof (body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] !== 'function') {
        throw new ScrubError('S3_NO_BODY', `S3 returned no readable body for ${bucket}/${key}`);
      }
      const total = totalSizeOf(output.ContentRange);
      const size = total ?? output.ContentLength;
      return {
        body: range ? rangedBody(body, range, total) : (body as AsyncIterable<Uint8Array>),
        metadata: output.Metadata ?? {},
        ...(size !== undefined ? { size } : {}),
        discard: () => discardBody(body),
      };
    } catch (error) {
      if (isNotFound(error)) return 'missing';
      if (isPreconditionFailed(error)) return 'changed';
      throw error;
    }
  };

  const put = (bucket: string, key: string, bytes: Uint8Array, contentType?: string) =>
    client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: bytes,
        ...(contentType ? { ContentType: contentType } : {}),
      }),
    );

  /**
   * A gathered part's bytes: its own and those of the ranges it reads, one range at a time (a part of
   * many small pieces must not send a GET for each at once).
   */
  const gathered = async (part: Extract<PlannedPart, { gather: unknown }>): Promise<Uint8Array> => {
    const bytes: Uint8Array[] = [];
    for (const item of part.gather) {
      if (item instanceof Uint8Array) {
        bytes.push(item);
        continue;
      }
      const read = await store.readRange(item.bucket, item.key, item.start, item.end);
      if (read?.byteLength !== item.end - item.start) {
        throw new ScrubError(
          'S3_SOURCE_CHANGED',
          `${item.bucket}/${item.key} is shorter than when it was listed`,
        );
      }
      bytes.push(read);
    }
    return Buffer.concat(bytes);
  };

  const store: ObjectStore = {
    open,
    async readRange(bucket, key, start, end) {
      if (end <= start) return new Uint8Array(0);
      try {
        const output = await client.send(
          new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${start}-${end - 1}` }),
        );
        const bytes = await output.Body?.transformToByteArray();
        if (!bytes) throw new ScrubError('S3_NO_BODY', `S3 returned no readable body for ${bucket}/${key}`);
        // A store that ignores Range sends the whole object: cut it here.
        const whole = output.ContentRange === undefined && bytes.byteLength > end - start;
        return whole ? bytes.subarray(start, end) : bytes;
      } catch (error) {
        if (isNotFound(error)) return undefined;
        if (statusOf(error) === 416 || nameOf(error) === 'InvalidRange') return new Uint8Array(0);
        throw error;
      }
    },
    async read(bucket, key) {
      const opened = await open(bucket, key);
      if (opened === 'missing') return undefined;
      if (opened === 'changed') throw new Error('unreachable: no precondition was set');
      const pieces: Buffer[] = [];
      for await (const piece of opened.body) pieces.push(Buffer.from(piece));
      return Buffer.concat(pieces);
    },
    async write(bucket, key, body, options = {}) {
      const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
      if (bytes.byteLength > MULTIPART_BYTES) {
        await multipartUpload(client, { bucket, key, ...options }, slices(bytes, MULTIPART_BYTES));
        return;
      }
      await put(bucket, key, bytes, options.contentType);
    },
    // A body that fits in one part goes up in one PUT; a bigger one in a multipart upload, started
    // once a second part exists. One part is held at a time.
    async writeStream(bucket, key, body, options = {}) {
      const parts = regrouped(body, MULTIPART_BYTES);
      try {
        const first = await parts.next();
        if (first.done) return void (await put(bucket, key, new Uint8Array(), options.contentType));
        const second = await parts.next();
        if (second.done) return void (await put(bucket, key, first.value, options.contentType));
        async function* all(): AsyncGenerator<Uint8Array> {
          yield first.value as Uint8Array;
          yield second.value as Uint8Array;
          yield* parts;
        }
        await multipartUpload(client, { bucket, key, ...options }, all());
      } finally {
        // Stops the body's writer when the upload failed before reading it all.
        await parts.return(undefined);
      }
    },
    async compose(bucket, key, pieces, options = {}) {
      const planned = planParts(pieces);
      if (planned.length > MAX_PARTS) {
        throw new ScrubError('S3_TOO_MANY_PARTS', `${bucket}/${key} would take ${planned.length} parts`);
      }
      const first = planned[0];
      if (!first) return void (await put(bucket, key, new Uint8Array(), options.contentType));
      if (planned.length === 1 && 'gather' in first) {
        return void (await put(bucket, key, await gathered(first), options.contentType));
      }
      // Gathered parts are read only when their turn comes: one part's bytes are held at a time.
      async function* parts(): AsyncGenerator<UploadedPart> {
        for (const part of planned) yield 'copy' in part ? part : await gathered(part);
      }
      await multipartUpload(client, { bucket, key, ...options }, parts());
    },
    async writeIfAbsent(bucket, key, body) {
      for (let attempt = 1; ; attempt += 1) {
        try {
          await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, IfNoneMatch: '*' }));
          return true;
        } catch (error) {
          if (isPreconditionFailed(error)) return false;
          if (!isConditionalConflict(error) || attempt >= CONFLICT_RETRIES) throw error;
          await sleep(50 * attempt);
        }
      }
    },
    async exists(bucket, key) {
      try {
        await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return true;
      } catch (error) {
        if (isNotFound(error)) return false;
        throw error;
      }
    },
    async list(bucket, prefix) {
      const found: ListedObject[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({
            Bucket: bucket,
            Prefix: prefix,
            ...(token ? { ContinuationToken: token } : {}),
          }),
        );
        for (const item of page.Contents ?? []) {
          if (item.Key !== undefined) found.push({ key: item.Key, size: item.Size ?? 0 });
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    },
  };
  return store;
}
