/**
 * Parts in the work bucket: validate stores each chunk's result cut into the batch's merge shards,
 * and each merge reads only its own sections back, with ranged GETs. One object per chunk keeps the
 * PUTs at one per chunk; a shard's two pieces lie side by side, so a shard reads a part in two GETs
 * (the header, then its pieces), and usually one: a small part's pieces come with the header.
 */
import { type ChunkPartial, checkChunk } from '../core/engine/check-chunk.js';
import { cutPartial } from '../core/engine/partitioned-merge.js';
import type { RawChunk } from '../core/intake/chunk.js';
import { asOfDayOf } from '../core/scrub.js';
import { workKeys } from './keys.js';
import { PipelineError } from './log.js';
import { booksOf } from './packs.js';
import type { ObjectStore } from './ports.js';
import {
  type ChunkRange,
  claimSectionOf,
  decodeChunk,
  decodeSection,
  encodePart,
  type Manifest,
  partLayoutOf,
} from './work-files.js';

/** What a first ranged GET of a part asks for: its header line and, for a small part, all of it. */
export const FIRST_READ_BYTES = 256 * 1024;

/** Checks chunk `index` of the batch and stores its part; the partial's counts are returned for the log. */
export async function checkAndStorePart(
  store: ObjectStore,
  bucket: string,
  manifest: Manifest,
  index: number,
): Promise<ChunkPartial> {
  const keys = workKeys(manifest.batchId);
  const range = manifest.chunks.find((chunk) => chunk.index === index);
  if (!manifest.layout || !range) {
    throw new PipelineError(
      'NOT_IN_MANIFEST',
      `chunk ${index} is not in the manifest of ${manifest.batchId}`,
    );
  }
  const chunk = await readChunk(store, bucket, manifest.batchId, range);
  const options = { asOfDay: asOfDayOf(manifest.asOf), books: booksOf(manifest) };
  const partial = checkChunk(chunk, manifest.layout, options);
  const cut = cutPartial(partial, manifest.shards);
  // The root keeps the chunk's own findings as checked: the assembly reads them with the counts.
  const root = { ...cut.root, findings: partial.findings, echoes: partial.echoes };
  const bytes = encodePart({
    batchId: manifest.batchId,
    index,
    root,
    claimPieces: cut.claimPieces,
    memberPieces: cut.memberPieces,
  });
  await store.write(bucket, keys.part(index), bytes, { contentType: 'application/octet-stream' });
  return partial;
}

/**
 * Chunk `range.index`'s payload, its records numbered by their lines in the upload: a range
 * splitter's chunk counts lines from its range's start, and the manifest says how far on that is.
 */
async function readChunk(
  store: ObjectStore,
  bucket: string,
  batchId: string,
  range: ChunkRange,
): Promise<RawChunk> {
  const { index, stored } = range;
  const keys = workKeys(batchId);
  const key = stored ? keys.rangeChunk(stored.range, stored.index) : keys.chunk(index);
  const payload = await store.read(bucket, key);
  if (!payload) throw new PipelineError('CHUNK_MISSING', `chunk ${index} payload is missing`);
  if (!stored) return decodeChunk(payload, batchId, index);
  const chunk = decodeChunk(payload, batchId, stored.index, key);
  const shift = (lines: readonly number[]) => lines.map((line) => line + stored.lineOffset);
  return { index, text: chunk.text, startLines: shift(chunk.startLines), endLines: shift(chunk.endLines) };
}

/** A work file whose first line gives the byte offsets of the sections that follow it. */
export interface SectionedFile<Layout extends { readonly offsets: readonly number[] }> {
  readonly key: string;
  /** How errors name it ("part 3", "the shard result"). */
  readonly what: string;
  /** What the first ranged GET asks for: the header line, and a small file whole. */
  readonly firstReadBytes: number;
  /** Its layout from its first bytes; 'longer' when they hold no whole header line. */
  readonly layoutOf: (prefix: Uint8Array) => Layout | 'longer';
  /** The error when the file is not there. */
  readonly missing: () => PipelineError;
}

/**
 * Sections [first, first + count) of a sectioned work file as one span, with its layout: one ranged
 * GET for the header (often holding the sections too), one more for the span when it lies beyond.
 */
export async function readSectionSpan<Layout extends { readonly offsets: readonly number[] }>(
  store: ObjectStore,
  bucket: string,
  file: SectionedFile<Layout>,
  first: number,
  count: number,
): Promise<{ layout: Layout; span: Uint8Array; start: number }> {
  const { key, what } = file;
  let prefix = await store.readRange(bucket, key, 0, file.firstReadBytes);
  if (!prefix) throw file.missing();
  let layout = file.layoutOf(prefix);
  if (layout === 'longer') {
    // Only a file of hundreds of sections has a header this long: read it whole.
    prefix = await store.read(bucket, key);
    if (!prefix) throw file.missing();
    layout = file.layoutOf(prefix);
    if (layout === 'longer') throw new PipelineError('BAD_WORK_FILE', `${key}: ${what} has no header line`);
  }
  const start = layout.offsets[first]!;
  const end = layout.offsets[first + count];
  if (end === undefined) {
    throw new PipelineError('BAD_WORK_FILE', `${key}: ${what} has no section ${first + count - 1}`);
  }
  const span =
    end <= prefix.byteLength ? prefix.subarray(start, end) : await store.readRange(bucket, key, start, end);
  if (!span) throw file.missing();
  if (span.byteLength !== end - start) {
    throw new PipelineError('BAD_WORK_FILE', `${key}: ${what} is shorter than its header says`);
  }
  return { layout, span, start };
}

/** Sections [first, first + count) of chunk `index`'s part, each decoded (null: an empty piece). */
export async function readPartSections(
  store: ObjectStore,
  bucket: string,
  manifest: Manifest,
  index: number,
  first: number,
  count: number,
): Promise<(ChunkPartial | null)[]> {
  const { batchId, shards } = manifest;
  const { layout, span, start } = await readSectionSpan(
    store,
    bucket,
    {
      key: workKeys(batchId).part(index),
      what: `part ${index}`,
      firstReadBytes: FIRST_READ_BYTES,
      layoutOf: (prefix) => partLayoutOf(prefix, batchId, index, shards),
      missing: () => new PipelineError('PART_MISSING', `part ${index} disappeared before the merge`),
    },
    first,
    count,
  );
  const sections: (ChunkPartial | null)[] = [];
  for (let section = first; section < first + count; section += 1) {
    const from = layout.offsets[section]! - start;
    const to = layout.offsets[section + 1]! - start;
    sections.push(decodeSection(span.subarray(from, to), batchId, index));
  }
  return sections;
}

/** A shard's claim piece and member piece of one part. */
export async function readShardPieces(
  store: ObjectStore,
  bucket: string,
  manifest: Manifest,
  index: number,
  shard: number,
): Promise<{ claims: ChunkPartial | null; members: ChunkPartial | null }> {
  const [claims, members] = await readPartSections(store, bucket, manifest, index, claimSectionOf(shard), 2);
  return { claims: claims ?? null, members: members ?? null };
}

/** The root of one part: counts, rejected records and the chunk's own findings. */
export async function readPartRoot(
  store: ObjectStore,
  bucket: string,
  manifest: Manifest,
  index: number,
): Promise<ChunkPartial> {
  const [root] = await readPartSections(store, bucket, manifest, index, 0, 1);
  if (!root) {
    throw new PipelineError(
      'BAD_WORK_FILE',
      `${workKeys(manifest.batchId).part(index)}: part ${index} has no root`,
    );
  }
  return root;
}

/**
 * Runs `read` for each item with up to `width` in flight, and hands the results to `use` in order:
 * the merge adds pieces in chunk order (its tables expect lines ascending) while the next GETs run.
 */
export async function inOrder<T, R>(
  items: readonly T[],
  width: number,
  read: (item: T) => Promise<R>,
  use: (result: R, item: T) => void | Promise<void>,
): Promise<void> {
  const pending: Promise<R>[] = [];
  let next = 0;
  const fill = () => {
    while (next < items.length && pending.length < width) {
      const started = read(items[next]!);
      started.catch(() => undefined); // awaited in order below
      pending.push(started);
      next += 1;
    }
  };
  try {
    for (let done = 0; done < items.length; done += 1) {
      fill();
      await use(await pending.shift()!, items[done]!);
    }
  } finally {
    await Promise.allSettled(pending);
  }
}
