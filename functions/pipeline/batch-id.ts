/**
 * Batch ids: `<event date>-<file stem>-<hash>`, e.g. `2026-11-28-nightly-batch-3f9c2a1b7e`.
 * Safe anywhere a path segment goes (only [A-Za-z0-9._-], never `..`, at most 64 characters), readable
 * (the date and the file name), and one per upload: the hash covers bucket, key, version, ETag and the
 * event sequencer (S3 gives each upload of a key a new one), so the same event delivered twice gives
 * the same id and a re-upload under the same name gives a new one.
 */
import { createHash } from 'node:crypto';
import { UnreadableMessageError, type Upload } from './s3-event.js';

const STEM_MAX = 40;
const HASH_CHARS = 10;
export const BATCH_ID_PATTERN = /^\d{4}-\d{2}-\d{2}-[A-Za-z0-9][A-Za-z0-9._-]{0,39}-[0-9a-f]{10}$/;

/** The file name without folder or .csv/.csv.gz, reduced to safe characters. */
export function stemOf(key: string): string {
  const name = key.slice(key.lastIndexOf('/') + 1).replace(/\.csv(\.gz)?$/i, '');
  const stem = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '') // accents off: "é" → "e"
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/-{2,}/g, '-')
    .replace(/^[-._]+/, '')
    .slice(0, STEM_MAX)
    .replace(/[-._]+$/, '');
  return stem === '' ? 'batch' : stem;
}

/** The file name of the upload, for the summary (`source.name`). */
export const fileNameOf = (key: string): string => key.slice(key.lastIndexOf('/') + 1);

/** UTC date of the event, YYYY-MM-DD. */
export function eventDateOf(eventTime: string): string {
  const date = new Date(eventTime);
  if (!Number.isNaN(date.getTime())) return date.toISOString().slice(0, 10);
  // Some emulators write times JavaScript cannot parse (microseconds, no zone): their date part still is.
  const day = /^(\d{4}-\d{2}-\d{2})T/.exec(eventTime)?.[1];
  if (day === undefined) throw new UnreadableMessageError('the event time is not a date');
  return day;
}

export function batchIdOf(upload: Upload): string {
  // S3 always sends a sequencer; some emulators do not, and then the event time tells uploads apart
  // (a redelivered event repeats its time, a new upload of the same bytes does not).
  const occurrence = upload.sequencer ?? `t:${upload.eventTime}`;
  const identity = [upload.bucket, upload.key, upload.versionId ?? '', upload.eTag ?? '', occurrence];
  const hash = createHash('sha256').update(identity.join('\u0000')).digest('hex').slice(0, HASH_CHARS);
  return `${eventDateOf(upload.eventTime)}-${stemOf(upload.key)}-${hash}`;
}
