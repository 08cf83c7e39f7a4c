/**
 * Which files are claim batches, decided once for `check` and the pipeline alike: a `.csv` or
 * `.csv.gz` name (any letter case), not empty, and (in the pipeline) not over the upload size limit.
 * Anything else is refused as a whole with UNSUPPORTED_FILE, in a rejected report like every other
 * refusal, so no upload goes unanswered.
 */
import { createHash } from 'node:crypto';
import { formatCount } from '../report/format.js';
import type { BatchError } from '../report/summary.js';

/** The endings a batch file's name may have (compared without regard to letter case). */
export const BATCH_FILE_SUFFIXES = ['.csv', '.csv.gz'] as const;

/**
 * Default upload size limit: 2 GiB. A gzip upload of that size unpacks (claim CSV packs about 6:1)
 * to about 12 GiB, which the split function reads in about 3.5 minutes at the measured 57 MB/s:
 * inside its 5-minute timeout, so an upload under the limit is read in one attempt.
 */
export const DEFAULT_MAX_UPLOAD_BYTES = 2 * 1024 ** 3;

/** S3's largest object (5 TiB): the highest upload limit that means anything. */
export const MAX_UPLOAD_BYTES_CEILING = 5 * 1024 ** 4;

export const UNSUPPORTED_FILE = 'UNSUPPORTED_FILE';

/** A gzipped batch is assumed to be this many times bigger unpacked (claim CSV packs about 6:1). */
const GZIP_RATIO = 6;

/** About how many bytes a batch file of `bytes` holds once unpacked: for sizing, not for limits. */
export const unpackedBytesEstimate = (bytes: number, gzipped: boolean): number =>
  gzipped ? bytes * GZIP_RATIO : bytes;

/** Whether a file name (folder left off or not) names a batch file: `NIGHTLY.CSV` and `x.csv.GZ` do. */
export function isBatchFileName(name: string): boolean {
  const lower = name.toLowerCase();
  return BATCH_FILE_SUFFIXES.some((suffix) => lower.endsWith(suffix));
}

/** Why an upload is refused, and whether its bytes may still be read (to hash them for the summary). */
export interface UploadRefusal {
  readonly error: BatchError;
  /** False when the upload is over the size limit: reading it is what the limit prevents. */
  readonly readable: boolean;
}

const refusal = (message: string, readable = true): UploadRefusal => ({
  error: { code: UNSUPPORTED_FILE, message },
  readable,
});

/**
 * Why a file cannot be a batch, or undefined when it can be read as one. `bytes` is its size when
 * known; `maxBytes` the size limit, when one applies. Messages name no content, only the file's kind.
 */
export function uploadRefusalOf(
  name: string,
  bytes: number | undefined,
  maxBytes?: number,
): UploadRefusal | undefined {
  if (!isBatchFileName(name)) {
    return refusal(
      'The file is not a .csv or .csv.gz file (the name decides, in any letter case); upload the batch as CSV or gzip-compressed CSV.',
    );
  }
  if (bytes === 0) return refusal('The file is empty (0 bytes); upload the batch again.');
  if (bytes !== undefined && maxBytes !== undefined && bytes > maxBytes) {
    return refusal(
      `The file is ${formatCount(bytes)} bytes, more than the upload limit of ${formatCount(maxBytes)} bytes (MAX_UPLOAD_BYTES); split the batch into smaller files.`,
      false,
    );
  }
  return undefined;
}

/** Size and SHA-256 of a stream, read to its end (how a refused upload is still identified). */
export async function measureUpload(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const piece of source) {
    hash.update(piece);
    bytes += piece.byteLength;
  }
  return { bytes, sha256: hash.digest('hex') };
}
