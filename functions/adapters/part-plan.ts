/**
 * How an object made of pieces (bytes in hand, other objects) goes up as one S3 multipart upload.
 *
 * S3 copies a range of another object into a part server-side (UploadPartCopy), so a big piece
 * never passes through the function; but every part except the last must hold at least 5 MiB, and a
 * copied part at most 5 GiB. Small pieces and the seams between them are gathered into uploaded
 * parts (the function reads those few bytes); a big piece is copied, less what its neighbours'
 * parts borrow of it. No library plans this (the SDK's lib-storage Upload only streams bytes).
 */

import type { ComposePiece } from '../pipeline/ports.js';

export type { ComposePiece };

/** Bytes [start, end) of another object. */
export interface SourceRange {
  readonly bucket: string;
  readonly key: string;
  readonly start: number;
  readonly end: number;
}

/** One part: copied by S3 from one range, or uploaded from bytes in hand and ranges read. */
export type PlannedPart =
  | { readonly copy: SourceRange }
  | { readonly gather: readonly (Uint8Array | SourceRange)[]; readonly bytes: number };

export interface PartLimits {
  /** Smallest part but the last (S3: 5 MiB). */
  readonly minPart: number;
  /** Largest copied part (S3: 5 GiB). */
  readonly maxCopy: number;
}

export const S3_PART_LIMITS: PartLimits = { minPart: 5 * 1024 * 1024, maxCopy: 5 * 1024 * 1024 * 1024 };

/** S3's limit on the parts of one upload. */
export const MAX_PARTS = 10_000;

const lengthOf = (item: Uint8Array | SourceRange): number =>
  item instanceof Uint8Array ? item.byteLength : item.end - item.start;

/** The parts that write `pieces` in order; each but the last holds at least `minPart` bytes. */
export function planParts(
  pieces: readonly ComposePiece[],
  limits: PartLimits = S3_PART_LIMITS,
): PlannedPart[] {
  const { minPart, maxCopy } = limits;
  const parts: PlannedPart[] = [];
  let gather: (Uint8Array | SourceRange)[] = [];
  let gathered = 0;
  const take = (item: Uint8Array | SourceRange) => {
    if (lengthOf(item) === 0) return;
    gather.push(item);
    gathered += lengthOf(item);
    if (gathered >= minPart) {
      parts.push({ gather, bytes: gathered });
      gather = [];
      gathered = 0;
    }
  };
  for (const piece of pieces) {
    if ('bytes' in piece) {
      take(piece.bytes);
      continue;
    }
    const { bucket, key, size } = piece;
    let at = 0;
    // Bytes gathered before this piece borrow its start, so that their part reaches minPart.
    if (gathered > 0) {
      at = Math.min(size, minPart - gathered);
      take({ bucket, key, start: 0, end: at });
    }
    while (size - at >= minPart) {
      const end = Math.min(size, at + maxCopy);
      parts.push({ copy: { bucket, key, start: at, end } });
      at = end;
    }
    if (at < size) take({ bucket, key, start: at, end: size });
  }
  if (gathered > 0) parts.push({ gather, bytes: gathered });
  return parts;
}
