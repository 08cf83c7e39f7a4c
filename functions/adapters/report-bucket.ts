/**
 * The report folders of the reports bucket and the uploads of the intake bucket, as `scrub62323 reports`
 * reads them: listings, a file's bytes (read whole, or as they arrive) and presigned GET URLs.
 * Nothing is parsed here; the command checks summary.json against its schema.
 */
import {
  GetObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { ScrubError } from '../core/errors.js';
import type { ReportFileName } from '../core/report/files.js';
import { BATCH_ID_PATTERN, type StoredUpload } from '../pipeline/batch-id.js';
import { reportKey } from '../pipeline/keys.js';
import { isUploadKey } from '../pipeline/s3-event.js';
import { PREFIX } from '../pipeline/topology.js';
import { awsErrorCode } from './aws-failure.js';
import { isNotFound } from './s3.js';

/** A report file that the folder's summary promised and S3 no longer has. */
export class ReportFileMissingError extends ScrubError {
  constructor(batchId: string, name: string) {
    super('REPORT_INCOMPLETE', `the report of batch ${batchId} has no ${name} (it may be being rewritten)`);
    this.name = 'ReportFileMissingError';
  }
}

/** Start of the UTC day `date` (YYYY-MM-DD). */
const dayStart = (date: string): number => Date.parse(`${date}T00:00:00Z`);

export interface ReportBucket {
  readonly bucket: string;
  /** The batch ids of the report folders, in key order (oldest day first); ids dated before `since` left out. */
  batchIds(options?: { readonly since?: string }): Promise<string[]>;
  /** A report file's bytes; undefined when it is not there. */
  read(batchId: string, name: ReportFileName): Promise<Uint8Array | undefined>;
  /** A report file's bytes as they arrive (opened when first iterated). */
  stream(batchId: string, name: ReportFileName): AsyncIterable<Uint8Array>;
  /** A presigned GET URL of a report file, good for `expiresInSeconds` (at most 7 days). */
  presign(batchId: string, name: ReportFileName, expiresInSeconds: number): Promise<string>;
}

export function reportBucket(client: S3Client, bucket: string): ReportBucket {
  /**
   * Whether `key` is absent, by a listing whose prefix is the key. Asked only after a read was refused:
   * S3 answers a missing key with 403 to a caller that may not list the whole bucket (billing may list
   * only such prefixes). When this listing is refused too, so is the read: the read's error stands.
   */
  async function absent(key: string, refused: unknown): Promise<boolean> {
    const page = await client
      .send(new ListObjectsV2Command({ Bucket: bucket, Prefix: key, MaxKeys: 10 }))
      .catch(() => {
        throw refused;
      });
    return !(page.Contents ?? []).some((item) => item.Key === key);
  }

  async function open(batchId: string, name: ReportFileName) {
    const key = reportKey(batchId, name);
    try {
      const output = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const body = output.Body as unknown;
      if (!body || typeof (body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] !== 'function')
        throw new ScrubError('S3_NO_BODY', `S3 returned no readable body for ${bucket}/${key}`);
      return body as AsyncIterable<Uint8Array>;
    } catch (error) {
      // A bucket that is not there is no missing file: the caller names the bucket.
      if (awsErrorCode(error) === 'NoSuchBucket') throw error;
      if (isNotFound(error)) return undefined;
      if (awsErrorCode(error) === 'AccessDenied' && (await absent(key, error))) return undefined;
      throw error;
    }
  }

  return {
    bucket,
    async batchIds(options = {}) {
      const ids: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({
            Bucket: bucket,
            Prefix: PREFIX.reports,
            Delimiter: '/',
            // Batch ids begin with their date: a listing from that day on skips the older folders.
            ...(options.since && !token ? { StartAfter: `${PREFIX.reports}${options.since}` } : {}),
            ...(token ? { ContinuationToken: token } : {}),
          }),
        );
        for (const { Prefix: prefix } of page.CommonPrefixes ?? []) {
          const id = prefix?.slice(PREFIX.reports.length, -1) ?? '';
          if (BATCH_ID_PATTERN.test(id) && (!options.since || id.slice(0, 10) >= options.since)) ids.push(id);
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return ids.sort();
    },
    async read(batchId, name) {
      const body = await open(batchId, name);
      if (!body) return undefined;
      const pieces: Uint8Array[] = [];
      for await (const piece of body) pieces.push(piece);
      return Buffer.concat(pieces);
    },
    stream(batchId, name) {
      return {
        async *[Symbol.asyncIterator]() {
          const body = await open(batchId, name);
          if (!body) throw new ReportFileMissingError(batchId, name);
          yield* body;
        },
      };
    },
    presign(batchId, name, expiresInSeconds) {
      return getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: reportKey(batchId, name) }), {
        expiresIn: expiresInSeconds,
      });
    },
  };
}

/**
 * Every upload of a batch under incoming/ (every version: each is a batch of its own), oldest first;
 * those stored before the UTC day `since` left out. An endpoint that keeps no versions (the embedded
 * emulator answers a versions listing with no entries at all) is listed by ETag instead.
 */
export async function listUploads(
  client: S3Client,
  bucket: string,
  options: { readonly since?: string } = {},
): Promise<StoredUpload[]> {
  let uploads = await listVersions(client, bucket);
  if (uploads === undefined) uploads = await listObjects(client, bucket);
  const from = options.since ? dayStart(options.since) : Number.NEGATIVE_INFINITY;
  // Every upload under incoming/ but a folder marker is a batch (one that is no batch file is a rejected one).
  return uploads
    .filter((upload) => isUploadKey(upload.key) && upload.lastModified.getTime() >= from)
    .sort((a, b) => a.lastModified.getTime() - b.lastModified.getTime() || (a.key < b.key ? -1 : 1));
}

interface ListedItem {
  readonly Key?: string;
  readonly LastModified?: Date;
  readonly VersionId?: string;
  readonly ETag?: string;
}

function storedUpload(bucket: string, item: ListedItem): StoredUpload | undefined {
  if (item.Key === undefined || item.LastModified === undefined) return undefined;
  return {
    bucket,
    key: item.Key,
    lastModified: item.LastModified,
    ...(item.VersionId ? { versionId: item.VersionId } : {}),
    ...(item.ETag ? { eTag: item.ETag } : {}),
  };
}

/** The versions under incoming/, or undefined when the answer held neither versions nor delete markers. */
async function listVersions(client: S3Client, bucket: string): Promise<StoredUpload[] | undefined> {
  const found: StoredUpload[] = [];
  let any = false;
  let keyMarker: string | undefined;
  let versionMarker: string | undefined;
  do {
    const page = await client.send(
      new ListObjectVersionsCommand({
        Bucket: bucket,
        Prefix: PREFIX.incoming,
        ...(keyMarker ? { KeyMarker: keyMarker } : {}),
        ...(versionMarker ? { VersionIdMarker: versionMarker } : {}),
      }),
    );
    any ||= (page.Versions?.length ?? 0) > 0 || (page.DeleteMarkers?.length ?? 0) > 0;
    // Delete markers are no uploads: only versions are listed.
    for (const version of page.Versions ?? []) {
      const upload = storedUpload(bucket, version);
      if (upload) found.push(upload);
    }
    const more = page.IsTruncated === true;
    keyMarker = more ? page.NextKeyMarker : undefined;
    versionMarker = more ? page.NextVersionIdMarker : undefined;
  } while (keyMarker);
  return any ? found : undefined;
}

async function listObjects(client: S3Client, bucket: string): Promise<StoredUpload[]> {
  const found: StoredUpload[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: PREFIX.incoming,
        ...(token ? { ContinuationToken: token } : {}),
      }),
    );
    for (const item of page.Contents ?? []) {
      const upload = storedUpload(bucket, item);
      if (upload) found.push(upload);
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return found;
}
