/**
 * Batch ids: `<event date>-<file stem>-<hash>`, e.g. `2026-11-28-nightly-batch-3f9c2a1b7e`.
 * Safe anywhere a path segment goes (only [A-Za-z0-9._-], never `..`, at most 64 characters), readable
 * (the date and the file name), and one per uploaded object: the hash covers bucket, key and the
 * object's version id (or its ETag where the bucket is unversioned), so every event for one upload —
 * redelivered, or sent twice with different sequencers — names the same batch, and a re-upload under
 * the same name (a new version, or new bytes) names a new one. Only an event that carries neither a
 * version id nor an ETag (some emulators) falls back to its sequencer, or else its event time. The
 * date is the event's: S3 stamps every event of one upload with the time of the upload.
 *
 * Split and the local runner both derive the id here, so what the runner waits for is what split
 * writes.
 */
import { createHash } from 'node:crypto';
import { stemOf } from './batch-name.js';
import { UnreadableMessageError, type Upload } from './s3-event.js';

export { fileNameOf, stemOf } from './batch-name.js';

const HASH_CHARS = 10;
export const BATCH_ID_PATTERN = /^\d{4}-\d{2}-\d{2}-[A-Za-z0-9][A-Za-z0-9._-]{0,39}-[0-9a-f]{10}$/;

/** UTC date of the event, YYYY-MM-DD. */
export function eventDateOf(eventTime: string): string {
  const date = new Date(eventTime);
  if (!Number.isNaN(date.getTime())) return date.toISOString().slice(0, 10);
  // Some emulators write times JavaScript cannot parse (microseconds, no zone): their date part still is.
  const day = /^(\d{4}-\d{2}-\d{2})T/.exec(eventTime)?.[1];
  if (day === undefined) throw new UnreadableMessageError('the event time is not a date');
  return day;
}

/** What makes one uploaded object one batch (the tags keep the three kinds from ever colliding). */
function identityOf(upload: Upload): readonly string[] {
  if (upload.versionId) return ['version', upload.bucket, upload.key, upload.versionId];
  if (upload.eTag) return ['etag', upload.bucket, upload.key, upload.eTag];
  // Neither: only the event tells uploads apart. A redelivered event repeats its sequencer and time.
  return ['event', upload.bucket, upload.key, upload.sequencer ?? `t:${upload.eventTime}`];
}

export function batchIdOf(upload: Upload): string {
  const hash = createHash('sha256')
    .update(identityOf(upload).join('\u0000'))
    .digest('hex')
    .slice(0, HASH_CHARS);
  return `${eventDateOf(upload.eventTime)}-${stemOf(upload.key)}-${hash}`;
}

/** An upload as a bucket listing names it (ListObjectVersions, or ListObjectsV2 where no versions are kept). */
export interface StoredUpload {
  readonly bucket: string;
  readonly key: string;
  /** "null" (an object of an unversioned bucket) counts as none, as in events. */
  readonly versionId?: string;
  /** Quoted or not. */
  readonly eTag?: string;
  readonly lastModified: Date;
}

const DAY_MS = 86_400_000;

/**
 * The batch ids split may have given a stored upload, most likely first. The key alone does not name a
 * batch: the id hashes the version id (or the ETag, where the bucket keeps no versions), which a listing
 * of versions gives. Its date is the event's, which a listing does not give: the object's LastModified
 * is that day, except near midnight (a multipart upload's LastModified is when it began, its event
 * when it completed: the next day), or by an emulator that stamps events with local time (either side).
 */
export function batchIdsOfStored(upload: StoredUpload): string[] {
  const versionId = upload.versionId === 'null' ? undefined : upload.versionId;
  const eTag = upload.eTag?.replace(/"/g, '');
  const object = {
    bucket: upload.bucket,
    key: upload.key,
    ...(versionId ? { versionId } : eTag ? { eTag } : {}),
  };
  const at = upload.lastModified.getTime();
  const ids = [at, at + DAY_MS, at - DAY_MS].map((time) =>
    batchIdOf({ ...object, eventTime: new Date(time).toISOString() }),
  );
  return [...new Set(ids)];
}
