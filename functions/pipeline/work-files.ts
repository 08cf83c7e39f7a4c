/**
 * The files split and validate hand each other, and the messages between them. All are versioned so
 * a deployment can tell an old file from a new one; all but the chunk payloads and part files are JSON.
 * Each has a schema, its type is inferred from it, and everything read back is checked against it:
 * a file that does not fit stops with BAD_WORK_FILE naming the file and the field.
 */
import { z } from 'zod';
import { type ChunkPartial, decodePartial, encodePartial } from '../core/engine/check-chunk.js';
import { isScrubError } from '../core/errors.js';
import type { RawChunk } from '../core/intake/chunk.js';
import { type ColumnLayout, SCALAR_FIELDS } from '../core/intake/columns.js';
import { SOURCE_ENCODINGS } from '../core/intake/encoding.js';
import type { RejectedRecord } from '../core/intake/framer.js';
import type { BatchError } from '../core/report/summary.js';
import { PackChoiceSchema } from '../core/rules/packs/load.js';
import { type Checked, checkJson, type Parsed } from './checked.js';
import { workKeys } from './keys.js';
import { PipelineError } from './log.js';
import type { Upload } from './s3-event.js';

/**
 * Part files have their own version: 1 was JSON with four numbers per fact; 2 is bytes, with five
 * numbers per fact and each line's line_no as a number; 3 is the partial cut into merge shards.
 */
export const PART_VERSION = 3;

const version1 = z.literal(1);
const count = z.int().min(0);
/**
 * A chunk's record lines, checked in one loop: zod's check of each of a chunk's 40,000 numbers was
 * about 5 ms a chunk, a fifth of what reading a chunk costs besides checking it.
 */
const isCount = (item: unknown): boolean =>
  typeof item === 'number' && Number.isSafeInteger(item) && item >= 0;
const isCountList = (value: unknown): value is number[] => Array.isArray(value) && value.every(isCount);
const counts = z.custom<number[]>(isCountList, {
  error: ({ input }) => {
    const at = Array.isArray(input) ? input.findIndex((item) => !isCount(item)) : -1;
    return at < 0 ? 'expected an array' : `entry ${at} is not a whole number, 0 or more`;
  },
});
const text = z.string().min(1);
/** What Date.toISOString writes. */
const timestamp = z.iso.datetime();
/** Event times as S3 writes them; some emulators leave out the zone (see eventDateOf). */
const eventTime = z.string().regex(/^\d{4}-\d{2}-\d{2}T/, { error: 'expected an ISO 8601 date-time' });

/** Lines a chunk covers, for the manifest and for naming a missing chunk. */
export const ChunkRangeSchema = z.object({
  index: count,
  firstLine: count,
  lastLine: count,
  records: count,
  /**
   * A chunk a byte-range splitter stored: its payload's key (range, and index within the range) and
   * what to add to the line numbers it holds, which count from its range's start.
   */
  stored: z.object({ range: count, index: count, lineOffset: count }).optional(),
});
export type ChunkRange = Parsed<typeof ChunkRangeSchema>;

export const BatchErrorSchema = z.object({ code: text, message: z.string() }) satisfies z.ZodType<BatchError>;

const columnList = z.array(count);
export const ColumnLayoutSchema = z.object({
  width: count,
  scalar: z.record(z.enum(SCALAR_FIELDS), z.int().min(-1)),
  modifierColumns: columnList,
  modifierListColumns: columnList,
  diagnosisColumns: columnList,
  diagnosisListColumns: columnList,
  alternates: z.partialRecord(z.enum(SCALAR_FIELDS), columnList).optional(),
  unknownColumns: z.array(z.string()),
}) satisfies z.ZodType<ColumnLayout>;

/** What split found in an upload; written after every chunk payload is stored. */
export const ManifestSchema = z.object({
  version: version1,
  batchId: text,
  source: z.object({
    bucket: text,
    key: text,
    eTag: z.string().optional(),
    versionId: z.string().optional(),
    sequencer: z.string().optional(),
    /** File name, as the summary shows it. */
    name: z.string(),
    bytes: count,
    sha256: z.string(),
    gzipped: z.boolean(),
    /** The text encoding it was read in. */
    encoding: z.enum(SOURCE_ENCODINGS),
  }),
  eventTime,
  /** YYYY-MM-DD the batch is judged on. */
  asOf: z.iso.date(),
  /** Why the whole batch was rejected (a reader code, or BAD_AS_OF). */
  rejection: BatchErrorSchema.optional(),
  layout: ColumnLayoutSchema.optional(),
  unknownColumns: z.array(z.string()),
  /** The rule packs the batch is judged with, as they were when it was split. */
  rulePacks: PackChoiceSchema,
  expectedChunks: count,
  /** Merge shards: each chunk's part is cut into this many pieces by claim and by member. */
  shards: count.min(1),
  /** Records in chunks plus records the framer rejected: `counts.lines` of a complete report. */
  expectedLines: count,
  framerRejected: count,
  chunks: z.array(ChunkRangeSchema),
  createdAt: timestamp,
});
export type Manifest = Parsed<typeof ManifestSchema>;

/** On the chunk queue: one chunk to check, or a batch with nothing to check (rejected, or all rejected by the framer). */
export const ChunkMessageSchema = z.discriminatedUnion('kind', [
  z.object({ version: version1, kind: z.literal('chunk'), batchId: text, index: count }),
  z.object({ version: version1, kind: z.literal('finalize'), batchId: text }),
]);
export type ChunkMessage = Parsed<typeof ChunkMessageSchema>;

/**
 * On the merge queue: one shard of a batch's final state to merge (the last one sends the render
 * ranges), or one line range of the report to render (the last one assembles the report).
 */
export const MergeMessageSchema = z.discriminatedUnion('kind', [
  z.object({ version: version1, kind: z.literal('shard'), batchId: text, state: text, shard: count }),
  z.object({ version: version1, kind: z.literal('render'), batchId: text, state: text, range: count }),
]);
export type MergeMessage = Parsed<typeof MergeMessageSchema>;

/** `merge/<state>/plan.json`: what the shards of a final state merge (written before they are sent). */
export const MergePlanSchema = z.object({
  version: version1,
  batchId: text,
  state: text,
  shards: count.min(1),
  /** Chunks given up on: no shard reads their parts, and the report names them. */
  missing: z.array(ChunkRangeSchema),
});
export type MergePlan = Parsed<typeof MergePlanSchema>;

/** `rejected.json`: the records the framer rejected (they are in no chunk). */
export const RejectedRecordSchema = z.object({
  line: count,
  endLine: count,
  reason: z.string(),
  raw: z.string(),
}) satisfies z.ZodType<RejectedRecord>;
export const RejectedFileSchema = z.object({ version: version1, records: z.array(RejectedRecordSchema) });
export type RejectedFile = Parsed<typeof RejectedFileSchema>;

/** The S3 object a batch comes from, as its event named it. */
export const UploadSchema = z.object({
  bucket: text,
  key: text,
  eventTime,
  eTag: z.string().optional(),
  versionId: z.string().optional(),
  sequencer: z.string().optional(),
  size: count.optional(),
}) satisfies z.ZodType<Upload>;

/** A byte range of an upload: [start, end) before its records are aligned to line ends. */
export const ByteRangeSchema = z.object({ index: count, start: count, end: count });

/** `split/plan.json`: an upload split by byte ranges, and what every range splitter shares. */
export const SplitPlanSchema = z.object({
  version: version1,
  batchId: text,
  upload: UploadSchema,
  /** The object's size when planned: the ranges cover [0, size). */
  size: count,
  asOf: z.iso.date(),
  rulePacks: PackChoiceSchema,
  /** The header line with its line end (no byte-order mark): put before each later range's records. */
  header: z.string(),
  recordsPerChunk: count.min(1),
  ranges: z.array(ByteRangeSchema).min(1),
  createdAt: timestamp,
});
export type SplitPlan = Parsed<typeof SplitPlanSchema>;

/** `split/ranges/NNNNNN.json`: what one range splitter read (lines count from the range's start). */
export const RangeResultSchema = z.object({
  version: version1,
  batchId: text,
  range: count,
  /** Line feeds in the range's own bytes: the next range's lines start this much further on. */
  lineFeeds: count,
  encoding: z.enum(SOURCE_ENCODINGS),
  /** The range's bytes end between records (a last range always does). */
  endsAtRecord: z.boolean(),
  rejection: BatchErrorSchema.optional(),
  layout: ColumnLayoutSchema.optional(),
  chunks: z.array(ChunkRangeSchema),
  rejected: z.array(RejectedRecordSchema),
});
export type RangeResult = Parsed<typeof RangeResultSchema>;

/** `split/hash.json`: the whole upload's size and SHA-256, for the summary. */
export const SplitHashSchema = z.object({ version: version1, bytes: count, sha256: z.string() });
export type SplitHash = Parsed<typeof SplitHashSchema>;

/** On the intake queue beside S3 events: work a split function gives the others of a ranged upload. */
export const SplitWorkMessageSchema = z.discriminatedUnion('kind', [
  z.object({ version: version1, kind: z.literal('split-range'), batchId: text, range: count }),
  z.object({ version: version1, kind: z.literal('split-hash'), batchId: text }),
  /** The ranges could not be joined: one split reads the upload whole, as a smaller one is. */
  z.object({ version: version1, kind: z.literal('split-whole'), batchId: text }),
]);
export type SplitWorkMessage = Parsed<typeof SplitWorkMessageSchema>;

/** `dispatched`: split has sent every chunk message (only its presence is read). */
export const DispatchedMarkerSchema = z.object({ version: version1, messages: count });
export type DispatchedMarker = Parsed<typeof DispatchedMarkerSchema>;

/** `failed/NNNNNN.json`: a chunk given up on after its last receive (only its presence is read). */
export const FailureMarkerSchema = z.object({
  version: version1,
  batchId: text,
  index: count,
  receiveCount: count,
  failedAt: timestamp,
  /** errorFacts of the last failure: PHI-free by construction. */
  error: z.record(z.string(), z.unknown()),
});
export type FailureMarker = Parsed<typeof FailureMarkerSchema>;

/** The merge lock: who merges this state. A retry of the same message may take it again. */
export const MergeLockSchema = z.object({ version: version1, owner: text, takenAt: timestamp });
export type MergeLock = Parsed<typeof MergeLockSchema>;

/** `merge/<state>.done`: the report of this state is written (only its presence is read). */
export const MergeDoneSchema = z.object({ version: version1, state: text });
export type MergeDone = Parsed<typeof MergeDoneSchema>;

/**
 * First line of a part file: the byte length of each section that follows. Section 0 is the chunk's
 * root (counts, rejected records, its own findings); then, for each shard, its claim piece and its
 * member piece side by side, so a shard's merge reads them in one ranged GET.
 */
export const PartHeaderSchema = z.object({
  version: z.int(),
  batchId: z.string(),
  index: z.int(),
  shards: count.min(1).optional(),
  sections: z.array(count).optional(),
});

/**
 * First line of a shard result; its findings follow, one section per render range (see
 * render-ranges.ts), so that a range's render reads only its own in one ranged GET.
 */
export const ShardHeaderSchema = z.object({
  /** 1 kept its findings as runs of the whole batch, in one section. */
  version: z.literal(2),
  batchId: text,
  state: text,
  shard: count,
  /** Distinct claims and members of this shard (disjoint from every other shard's). */
  claims: count,
  members: count,
  /** Rows of the work bucket's history files this shard read and ignored (0 when it read none). */
  historyIgnoredRows: count.default(0),
  /** Each render range's section's byte length, in range order. */
  sections: counts,
});
export type ShardHeader = Parsed<typeof ShardHeaderSchema>;

/** First line of a shard section; the records of its sorted runs follow. */
const RunsHeaderSchema = z.object({ runs: z.array(counts) });

/** First line of a chunk payload; the records' bytes follow. */
export const ChunkHeaderSchema = z.object({
  version: version1,
  batchId: z.string(),
  index: z.int(),
  startLines: counts,
  endLines: counts,
});

/** A chunk's result as validate stores it: its root and its pieces for each merge shard. */
export interface PartFile {
  readonly batchId: string;
  readonly index: number;
  /** The partial without its lines: counts, rejected records, the chunk's own findings and echoes. */
  readonly root: ChunkPartial;
  /** Per shard: its claim piece and its member piece (null: no line of the chunk falls there). */
  readonly claimPieces: readonly (Uint8Array | null)[];
  readonly memberPieces: readonly (Uint8Array | null)[];
}

export const encodeJson = (value: unknown): string => JSON.stringify(value);

const badFile = (file: string, problem: string): PipelineError =>
  new PipelineError('BAD_WORK_FILE', `${file}: ${problem}`);

const utf8 = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');

function checkedValue<T>(checked: Checked<T>, file: string): T {
  if (!checked.ok) throw badFile(file, checked.problem);
  return checked.value;
}

/** A JSON work file stored at `key`, checked against its schema. */
const readJson = <T>(schema: z.ZodType<T>, bytes: Uint8Array, key: string): T =>
  checkedValue(checkJson(schema, utf8(bytes)), key);

export const decodeManifest = (bytes: Uint8Array, key: string): Manifest =>
  readJson(ManifestSchema, bytes, key);

export const decodeRejected = (bytes: Uint8Array, key: string): RejectedRecord[] =>
  readJson(RejectedFileSchema, bytes, key).records;

export const decodeLock = (bytes: Uint8Array, key: string): MergeLock =>
  readJson(MergeLockSchema, bytes, key);

export const decodePlan = (bytes: Uint8Array, key: string): MergePlan =>
  readJson(MergePlanSchema, bytes, key);

export const decodeSplitPlan = (bytes: Uint8Array, key: string): SplitPlan =>
  readJson(SplitPlanSchema, bytes, key);

export const decodeRangeResult = (bytes: Uint8Array, key: string): RangeResult =>
  readJson(RangeResultSchema, bytes, key);

export const decodeSplitHash = (bytes: Uint8Array, key: string): SplitHash =>
  readJson(SplitHashSchema, bytes, key);

/**
 * Split work on the intake queue, or undefined when the body is not split work (an S3 event, read
 * as one). A body that says it is split work but does not fit is UNREADABLE_MESSAGE.
 */
export function decodeSplitWork(body: string): SplitWorkMessage | undefined {
  const kind = checkJson(z.object({ kind: z.string().startsWith('split-') }), body);
  return kind.ok ? readMessage(SplitWorkMessageSchema, body, 'intake') : undefined;
}

/** A queue message body checked against its schema; UNREADABLE_MESSAGE naming the queue when it is not one. */
function readMessage<T>(schema: z.ZodType<T>, body: string, queue: 'intake' | 'chunk' | 'merge'): T {
  const checked = checkJson(schema, body);
  if (checked.ok) return checked.value;
  throw new PipelineError(
    'UNREADABLE_MESSAGE',
    `the ${queue} message is not a scrub62323 ${queue} message: ${checked.problem}`,
  );
}

export const decodeMergeMessage = (body: string): MergeMessage =>
  readMessage(MergeMessageSchema, body, 'merge');

export const decodeChunkMessage = (body: string): ChunkMessage =>
  readMessage(ChunkMessageSchema, body, 'chunk');

/** Splits `header line \n rest`, the header checked as JSON; `undefined` when there is no newline. */
function headerOf<T>(schema: z.ZodType<T>, buffer: Buffer): { header: Checked<T>; rest: Buffer } | undefined {
  const newline = buffer.indexOf(0x0a);
  if (newline < 0) return undefined;
  return {
    header: checkJson(schema, buffer.toString('utf8', 0, newline)),
    rest: buffer.subarray(newline + 1),
  };
}

const bufferOf = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

const NO_BYTES = new Uint8Array(0);

/** Part file: one JSON header line (see PartHeaderSchema), then its sections' bytes. */
export function encodePart(part: PartFile): Buffer {
  const sections: Uint8Array[] = [encodePartial(part.root)];
  part.claimPieces.forEach((piece, shard) => {
    sections.push(piece ?? NO_BYTES, part.memberPieces[shard] ?? NO_BYTES);
  });
  const header = {
    version: PART_VERSION,
    batchId: part.batchId,
    index: part.index,
    shards: part.claimPieces.length,
    sections: sections.map((section) => section.byteLength),
  } satisfies Parsed<typeof PartHeaderSchema>;
  return Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`), ...sections]);
}

/** Where a part's sections lie: byte offsets from the start of the file, one more than sections. */
export interface PartLayout {
  readonly offsets: readonly number[];
}

/** Section of a shard's claim piece (its member piece is the next one). */
export const claimSectionOf = (shard: number): number => 1 + 2 * shard;

/**
 * The layout of a part from its first bytes (`prefix`), or 'longer' when its header line does not
 * end within them. Checks that the part is this chunk's, of this release, cut into `shards`.
 */
export function partLayoutOf(
  prefix: Uint8Array,
  batchId: string,
  index: number,
  shards: number,
): PartLayout | 'longer' {
  const key = workKeys(batchId).part(index);
  const buffer = bufferOf(prefix);
  const newline = buffer.indexOf(0x0a);
  if (newline < 0) return 'longer';
  const checked = checkJson(PartHeaderSchema, buffer.toString('utf8', 0, newline));
  if (!checked.ok) throw badFile(key, `part ${index} has no readable header (${checked.problem})`);
  const header = checked.value;
  if (header.version !== PART_VERSION) throw olderPart(index);
  if (header.batchId !== batchId || header.index !== index) {
    throw badFile(key, `part ${index} does not belong to this batch`);
  }
  if (header.shards !== shards || header.sections?.length !== 1 + 2 * shards) {
    throw badFile(key, `part ${index} is not cut into the manifest's ${shards} shards`);
  }
  const offsets = [newline + 1];
  for (const length of header.sections) offsets.push(offsets.at(-1)! + length);
  return { offsets };
}

/** One section of a part: the chunk's root partial, or a piece (null when empty). */
export function decodeSection(bytes: Uint8Array, batchId: string, index: number): ChunkPartial | null {
  if (bytes.byteLength === 0) return null;
  try {
    return decodePartial(bytes);
  } catch (error) {
    // A ScrubError's message names the field and never a value, so it is safe to pass on.
    const detail = isScrubError(error) ? ` (${error.message})` : '';
    throw badFile(workKeys(batchId).part(index), `part ${index} holds no readable chunk result${detail}`);
  }
}

/** Sorted findings runs, each as the records FindingRuns encodes. */
export type EncodedRuns = readonly (readonly Uint8Array[])[];

/** A shard's merge result: its counts and, per render range, the records of its sorted runs. */
export interface ShardResult {
  readonly header: ShardHeader;
  readonly sections: readonly EncodedRuns[];
}

export type ShardIdentity = Pick<ShardHeader, 'batchId' | 'state' | 'shard'>;

/** A shard's result: its header (the sections' lengths filled in), then one section per render range. */
export function encodeShard(header: Omit<ShardHeader, 'sections'>, sections: readonly EncodedRuns[]): Buffer {
  // Each section: a line of its runs' record lengths, then the records. Copied once, into the result.
  const heads = sections.map((runs) =>
    Buffer.from(`${JSON.stringify({ runs: runs.map((run) => run.map((record) => record.byteLength)) })}\n`),
  );
  const lengths = sections.map(
    (runs, at) => heads[at]!.byteLength + runs.flat().reduce((sum, record) => sum + record.byteLength, 0),
  );
  const full: ShardHeader = { ...header, sections: lengths };
  return Buffer.concat([
    Buffer.from(`${JSON.stringify(full)}\n`),
    ...sections.flatMap((runs, at) => [heads[at]!, ...runs.flat()]),
  ]);
}

/** The header of a shard result and where its sections start, from its first bytes; 'longer' when they hold no whole header. */
export function shardLayoutOf(
  prefix: Uint8Array,
  key: string,
  expected: ShardIdentity,
): { header: ShardHeader; offsets: number[] } | 'longer' {
  const split = headerOf(ShardHeaderSchema, bufferOf(prefix));
  if (!split) return 'longer';
  if (!split.header.ok && headerOf(z.object({ version: z.literal(1) }), bufferOf(prefix))?.header.ok) {
    throw badFile(
      key,
      'the shard result was stored by an earlier release of scrub62323; upload the batch again',
    );
  }
  const header = checkedValue(split.header, key);
  if (
    header.batchId !== expected.batchId ||
    header.state !== expected.state ||
    header.shard !== expected.shard
  ) {
    throw badFile(key, 'the shard result belongs to another batch, state or shard');
  }
  const offsets = [prefix.byteLength - split.rest.byteLength];
  for (const length of header.sections) offsets.push(offsets.at(-1)! + length);
  return { header, offsets };
}

/** One section of a shard result: its runs' records. */
export function decodeShardSection(bytes: Uint8Array, key: string): EncodedRuns {
  const split = headerOf(RunsHeaderSchema, bufferOf(bytes));
  if (!split) throw badFile(key, 'a section of the shard result has no header line');
  const runs: Uint8Array[][] = [];
  let at = 0;
  for (const lengths of checkedValue(split.header, key).runs) {
    const records: Uint8Array[] = [];
    for (const length of lengths) {
      if (at + length > split.rest.byteLength)
        throw badFile(key, 'the shard result is shorter than its header says');
      records.push(split.rest.subarray(at, at + length));
      at += length;
    }
    runs.push(records);
  }
  if (at !== split.rest.byteLength) throw badFile(key, 'the shard result is longer than its header says');
  return runs;
}

/** A whole shard result, every section decoded. */
export function decodeShard(bytes: Uint8Array, key: string, expected: ShardIdentity): ShardResult {
  const layout = shardLayoutOf(bytes, key, expected);
  if (layout === 'longer') throw badFile(key, 'the shard result has no header line');
  const { header, offsets } = layout;
  if (offsets.at(-1) !== bytes.byteLength) {
    throw badFile(
      key,
      `the shard result is ${offsets.at(-1)! < bytes.byteLength ? 'longer' : 'shorter'} than its header says`,
    );
  }
  const sections = header.sections.map((_length, index) =>
    decodeShardSection(bytes.subarray(offsets[index], offsets[index + 1]), key),
  );
  return { header, sections };
}

/** A part another release wrote: its numbers cannot be read safely, so the batch must be run again. */
export const olderPart = (index: number): PipelineError =>
  new PipelineError(
    'BAD_WORK_FILE',
    `part ${index} was stored by an earlier release of scrub62323 (part format ${PART_VERSION} expected); upload the batch again`,
  );

/**
 * Chunk payload: one JSON line (batch id, index, the physical lines of each record), then the
 * records' bytes exactly as the reader framed them. Raw bytes keep the payload as small as the input
 * and let validate parse it with the same code as the CLI.
 */
export function encodeChunk(batchId: string, chunk: RawChunk): Buffer {
  const header = JSON.stringify({
    version: 1,
    batchId,
    index: chunk.index,
    startLines: chunk.startLines,
    endLines: chunk.endLines,
  } satisfies Parsed<typeof ChunkHeaderSchema>);
  return Buffer.concat([Buffer.from(`${header}\n`, 'utf8'), chunk.text]);
}

/** A chunk payload stored at `key` (by default, split's key for chunk `index`). */
export function decodeChunk(
  bytes: Uint8Array,
  batchId: string,
  index: number,
  key = workKeys(batchId).chunk(index),
): RawChunk {
  const split = headerOf(ChunkHeaderSchema, bufferOf(bytes));
  if (!split) throw badFile(key, `chunk ${index} has no header line`);
  const header = checkedValue(split.header, key);
  if (header.batchId !== batchId || header.index !== index) {
    throw badFile(key, `chunk ${index} does not belong to this batch`);
  }
  if (header.startLines.length !== header.endLines.length) {
    throw badFile(key, 'endLines: expected one entry per startLines entry');
  }
  return { index, text: split.rest, startLines: header.startLines, endLines: header.endLines };
}

/** How a missing chunk is named in the summary. */
export const describeChunk = (range: ChunkRange): string =>
  `chunk ${range.index} (lines ${range.firstLine}-${range.lastLine}, ${range.records} records)`;
