/**
 * A merge whose big tables wait outside memory. Each partial is cut by a hash of the claim id (for
 * DUPLICATE_LINE and the claim count) and by a hash of the member (for the cross-line rules and the
 * member count), and the pieces go to a spill store. When every chunk is in, the partitions are
 * merged one at a time, so only one partition's tables are ever in memory. Partitions are disjoint
 * by key, so their results add up to exactly the result of one big merge.
 *
 * With one partition there is nothing to cut: the tables of the whole batch are the one partition's,
 * so each partial is merged as it comes (alongside the checking, not after it) and only the findings
 * go to the spill store. Cutting, storing and re-reading the pieces was a fifth of `check`'s time.
 */
import type { RawChunk } from '../intake/chunk.js';
import type { ColumnLayout } from '../intake/columns.js';
import type { RejectedRecord } from '../intake/framer.js';
import { FACT_WIDTH } from '../memory/fact-store.js';
import { CELL, KEY_CELL_COUNT, type PackedKeys } from '../memory/packed-keys.js';
import { hashBytes } from '../memory/string-table.js';
import {
  type AccumulatorOptions,
  BatchAccumulator,
  type HistorySource,
  type MergedBatch,
  NO_HISTORY,
} from './accumulator.js';
import {
  type ChunkFindings,
  chunkFindings,
  FindingRuns,
  type FindingSink,
  type ReportBatch,
} from './batch-findings.js';
import {
  type CheckOptions,
  type ChunkPartial,
  checkChunk,
  decodePartial,
  encodePartial,
} from './check-chunk.js';
import type { LineEcho } from './claim-line.js';
import type { Finding } from './finding.js';
import { breathe } from './time-slice.js';

/** Append-only record streams, by name. The CLI keeps them in temporary files; tests in memory. */
export interface SpillStore {
  /** How many partitions each side is cut into. */
  readonly partitions: number;
  append(stream: string, record: Uint8Array): void;
  /**
   * The stream's records in the order appended (none if nothing was appended). A stream is read
   * once and then dropped, unless `keep` (it is read again).
   */
  records(stream: string, options?: { readonly keep?: boolean }): Iterable<Uint8Array>;
}

/** A spill store that keeps its records in memory (tests). */
export function memorySpill(partitions: number): SpillStore {
  const streams = new Map<string, Uint8Array[]>();
  return {
    partitions,
    append(stream, record) {
      const records = streams.get(stream) ?? [];
      streams.set(stream, records);
      records.push(record.slice());
    },
    records: (stream) => streams.get(stream) ?? [],
  };
}

/**
 * A partial cut for a partitioned merge: what is decided inside the chunk (counts, rejected
 * records, and its findings encoded for the spill store), plus each partition's piece of the lines,
 * encoded for the spill store (null: no line of the chunk falls in that partition). Worker threads
 * cut, so the main thread only writes.
 */
export interface CutPartial {
  /** The partial without its lines and findings. */
  readonly root: ChunkPartial;
  readonly findings: ChunkFindings | null;
  readonly claimPieces: (Uint8Array | null)[];
  readonly memberPieces: (Uint8Array | null)[];
}

export class PartitionedAccumulator {
  /** Counts and rejected records. */
  private readonly root: BatchAccumulator;
  /** Every finding, spilled as it is decided: chunks' findings as they come, partitions' as each ends. */
  private readonly found: FindingRuns;
  private lines = 0;

  /** How many pieces a partial is cut into; undefined: partials are merged whole (one partition). */
  readonly cutInto: number | undefined;

  constructor(
    private readonly spill: SpillStore,
    private readonly options: AccumulatorOptions = {},
  ) {
    if (!Number.isInteger(spill.partitions) || spill.partitions < 1)
      throw new Error(`a spill store needs at least one partition, not ${spill.partitions}`);
    this.found = new FindingRuns(spill);
    this.cutInto = spill.partitions === 1 ? undefined : spill.partitions;
    this.root = new BatchAccumulator(this.cutInto === undefined ? { ...options, sink: this.found } : options);
  }

  addRejected(records: readonly RejectedRecord[]): void {
    this.root.addRejected(records);
  }

  add(partial: ChunkPartial): void {
    if (this.cutInto === undefined) this.root.add(partial);
    else this.addCut(cutPartial(partial, this.cutInto));
  }

  addCut(cut: CutPartial): void {
    const partitions = this.cutInto;
    if (partitions === undefined) throw new Error('a merge of one partition takes whole partials, not cuts');
    if (cut.claimPieces.length !== partitions || cut.memberPieces.length !== partitions)
      throw new Error(`a partial cut into ${cut.claimPieces.length} partitions, not ${partitions}`);
    this.lines += cut.root.checked;
    this.found.addChunk(cut.findings);
    this.root.add(cut.root);
    cut.claimPieces.forEach((piece, index) => {
      if (piece) this.spill.append(claimStream(index), piece);
    });
    cut.memberPieces.forEach((piece, index) => {
      if (piece) this.spill.append(memberStream(index), piece);
    });
  }

  /** The batch, its findings left in the spill store (read them before the store is closed). */
  async finishReport(history: HistorySource = NO_HISTORY): Promise<ReportBatch> {
    if (this.cutInto === undefined) {
      const { findings: _held, echoes: _echoes, ...counts } = await this.root.finish(history);
      return { ...counts, flagged: this.found.finish() };
    }
    const root = await this.root.finish();
    let claims = root.claims;
    let members = root.members;
    const sides = [
      ['duplicates', claimStream, NO_HISTORY],
      ['members', memberStream, history],
    ] as const;
    for (const [scope, streamOf, source] of sides) {
      for (let index = 0; index < this.spill.partitions; index += 1) {
        const part = await this.mergeStream(streamOf(index), scope, source);
        claims += part.claims;
        members += part.members;
        await nextTurn();
      }
    }
    const { checked, rejectedRecords, indexLines } = root;
    const { packLines } = root;
    return { checked, rejectedRecords, claims, members, indexLines, packLines, flagged: this.found.finish() };
  }

  /** The batch with its findings in memory (tests; a big batch reads them from finishReport). */
  async finish(history: HistorySource = NO_HISTORY): Promise<MergedBatch> {
    const { flagged, ...counts } = await this.finishReport(history);
    const findings: Finding[] = [];
    const echoes = new Map<number, LineEcho>();
    for (const { finding, echo } of flagged.rows()) {
      findings.push(finding);
      if (!echoes.has(finding.line)) echoes.set(finding.line, echo);
    }
    return { ...counts, findings, echoes };
  }

  private async mergeStream(
    stream: string,
    scope: 'duplicates' | 'members',
    history: HistorySource,
  ): Promise<MergedBatch> {
    const expectedLines = partitionLinesOf(this.lines, this.spill.partitions);
    return mergePartition(
      decodedRecords(this.spill.records(stream)),
      scope,
      { ...this.options, expectedLines, sink: this.found },
      history,
    );
  }
}

function* decodedRecords(records: Iterable<Uint8Array>): Generator<ChunkPartial> {
  for (const record of records) yield decodePartial(record);
}

/** Lines to size one partition's tables for: keys spread evenly, and a partition has at most its lines. */
export const partitionLinesOf = (lines: number, partitions: number): number =>
  Math.ceil((lines * 1.1) / partitions);

/**
 * One side of one partition: its pieces (in chunk order) merged, findings handed to `sink`. The
 * claims and members it counts are its own: no other partition holds the same key.
 */
async function mergePartition(
  pieces: Iterable<ChunkPartial> | AsyncIterable<ChunkPartial>,
  scope: 'duplicates' | 'members',
  options: AccumulatorOptions & { readonly expectedLines: number; readonly sink: FindingSink },
  history: HistorySource = NO_HISTORY,
): Promise<MergedBatch> {
  const accumulator = new BatchAccumulator({ ...options, scope });
  for await (const piece of pieces) {
    accumulator.add(piece);
    const pause = breathe();
    if (pause) await pause;
  }
  return accumulator.finish(history);
}

/** Lets timers, signals and I/O run between partitions (within one, `breathe` does). */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const claimStream = (partition: number) => `claims-${partition}`;
const memberStream = (partition: number) => `members-${partition}`;

/**
 * Cuts a partial's lines into pieces by claim id and by member. A claim piece keeps whole lines (a
 * repeat is echoed from them) and no facts; a member piece keeps the facts and, of a line without a
 * fact, only its member (all the member count needs). Lines without a claim id or member are left
 * out of that side: no duplicate or cross-line rule looks at them, and they count for nothing.
 */
export function cutPartial(partial: ChunkPartial, partitions: number): CutPartial {
  const { byClaim, byMember } = partitionPartial(partial, partitions);
  const encode = (piece: ChunkPartial) => (piece.lines.length === 0 ? null : encodePartial(piece));
  return {
    root: {
      ...partial,
      findings: [],
      claimFindings: [],
      echoes: [],
      lines: [],
      keys: NO_KEYS,
      plainLineNos: new Int32Array(0),
      books: new Int32Array(0),
      facts: new Int32Array(0),
      payers: [],
    },
    findings: chunkFindings(partial.findings, partial.echoes),
    claimPieces: byClaim.map(encode),
    memberPieces: byMember.map(encode),
  };
}

const NO_KEYS: PackedKeys = { bytes: new Uint8Array(0), ends: new Int32Array(0) };
const NO_PARTITION = -1;

/** The pieces of `partitionPartial`, unencoded. */
export function partitionPartial(
  partial: ChunkPartial,
  partitions: number,
): { byClaim: ChunkPartial[]; byMember: ChunkPartial[] } {
  const { keys, facts, lines } = partial;
  const { ends, bytes } = keys;
  const count = lines.length;
  // First pass: each line's partition on both sides, and each piece's size.
  const claimPartition = new Int32Array(count);
  const memberPartition = new Int32Array(count);
  const factAt = new Int32Array(count).fill(-1);
  for (let index = 0; index < facts.length; index += FACT_WIDTH) factAt[facts[index]!] = index;
  const claimSizes = new PieceSizes(partitions);
  const memberSizes = new PieceSizes(partitions);
  for (let position = 0; position < count; position += 1) {
    const base = position * KEY_CELL_COUNT;
    const lineStart = base === 0 ? 0 : ends[base - 1]!;
    const claimEnd = ends[base + CELL.claimId]!;
    const lineNoEnd = ends[base + CELL.lineNo]!;
    const memberEnd = ends[base + CELL.memberKey]!;
    const lineEnd = ends[base + KEY_CELL_COUNT - 1]!;
    claimPartition[position] = NO_PARTITION;
    if (claimEnd > lineStart) {
      const partition = partitionOf(bytes, lineStart, claimEnd, partitions);
      claimPartition[position] = partition;
      claimSizes.add(partition, lineEnd - lineStart, false);
    }
    memberPartition[position] = NO_PARTITION;
    if (memberEnd > lineNoEnd) {
      const partition = partitionOf(bytes, lineNoEnd, memberEnd, partitions);
      memberPartition[position] = partition;
      const hasFact = factAt[position]! >= 0;
      memberSizes.add(partition, hasFact ? lineEnd - lineStart : memberEnd - lineNoEnd, hasFact);
    }
  }
  // Second pass: fill each piece's arrays, exactly sized.
  const claimPieces = claimSizes.pieces();
  const memberPieces = memberSizes.pieces();
  for (const piece of memberPieces) piece.payers = partial.payers;
  const { claimFindings } = partial;
  let nextClaimFinding = 0;
  for (let position = 0; position < count; position += 1) {
    const claimSide = claimPartition[position]!;
    if (claimSide !== NO_PARTITION) claimPieces[claimSide]!.addLine(partial, position, -1, false);
    // Claim findings are in line order, and only lines with a claim id have them.
    const line = partial.lines[position]!;
    while (nextClaimFinding < claimFindings.length && claimFindings[nextClaimFinding]!.line === line)
      claimPieces[claimSide]!.claimFindings.push(claimFindings[nextClaimFinding++]!);
    const memberSide = memberPartition[position]!;
    if (memberSide !== NO_PARTITION) {
      const fact = factAt[position]!;
      memberPieces[memberSide]!.addLine(partial, position, fact, fact < 0);
    }
  }
  return {
    byClaim: claimPieces.map((piece) => piece.finish(partial.chunkIndex)),
    byMember: memberPieces.map((piece) => piece.finish(partial.chunkIndex)),
  };
}

/**
 * The partition of a key. The string tables probe by the low bits of the same hash and keep its top
 * bits as a tag that rejects most other keys without reading them; the keys of one partition must
 * still differ in both, so the partition comes from the hash mixed again.
 */
function partitionOf(bytes: Uint8Array, start: number, end: number, partitions: number): number {
  let mixed = Math.imul(hashBytes(bytes, start, end) ^ 0x9e3779b9, 0x85ebca6b);
  mixed ^= mixed >>> 15;
  mixed = Math.imul(mixed, 0xc2b2ae35);
  mixed ^= mixed >>> 13;
  return Math.floor(((mixed >>> 0) * partitions) / 0x1_0000_0000);
}

/** Lines, key bytes and facts of each piece, counted before anything is copied. */
class PieceSizes {
  private readonly lines: Int32Array;
  private readonly bytes: Int32Array;
  private readonly facts: Int32Array;

  constructor(partitions: number) {
    this.lines = new Int32Array(partitions);
    this.bytes = new Int32Array(partitions);
    this.facts = new Int32Array(partitions);
  }

  add(partition: number, bytes: number, hasFact: boolean): void {
    this.lines[partition]! += 1;
    this.bytes[partition]! += bytes;
    if (hasFact) this.facts[partition]! += 1;
  }

  pieces(): Piece[] {
    return Array.from(
      this.lines,
      (lines, partition) => new Piece(lines, this.bytes[partition]!, this.facts[partition]!),
    );
  }
}

/** One piece of a partial, filled line by line into arrays of its final size. */
class Piece {
  private readonly lines: number[] = [];
  readonly claimFindings: Finding[] = [];
  private readonly plainLineNos: Int32Array;
  private readonly books: Int32Array;
  private readonly ends: Int32Array;
  private readonly bytes: Uint8Array;
  private readonly facts: Int32Array;
  private used = 0;
  private factsUsed = 0;

  constructor(lines: number, bytes: number, facts: number) {
    this.plainLineNos = new Int32Array(lines);
    this.books = new Int32Array(lines);
    this.ends = new Int32Array(lines * KEY_CELL_COUNT);
    this.bytes = new Uint8Array(bytes);
    this.facts = new Int32Array(facts * FACT_WIDTH);
  }

  /**
   * Adds the line at `position` of `partial`, with its fact (index into the partial's facts, -1:
   * none). `memberOnly` keeps just the member cell.
   */
  addLine(partial: ChunkPartial, position: number, fact: number, memberOnly: boolean): void {
    const ends = partial.keys.ends;
    const at = this.lines.length;
    const base = position * KEY_CELL_COUNT;
    this.lines.push(partial.lines[position]!);
    this.plainLineNos[at] = partial.plainLineNos[position]!;
    this.books[at] = partial.books[position]!;
    if (fact >= 0) {
      const facts = this.facts;
      const used = this.factsUsed;
      facts[used] = at;
      facts[used + 1] = partial.facts[fact + 1]!;
      facts[used + 2] = partial.facts[fact + 2]!;
      facts[used + 3] = partial.facts[fact + 3]!;
      facts[used + 4] = partial.facts[fact + 4]!;
      facts[used + 5] = partial.facts[fact + 5]!;
      this.factsUsed = used + FACT_WIDTH;
    }
    const cells = at * KEY_CELL_COUNT;
    const pieceEnds = this.ends;
    const start = this.used;
    if (memberOnly) {
      // Only the member cell: the cells before it are empty, those after end with it.
      const from = ends[base + CELL.lineNo]!;
      const end = start + ends[base + CELL.memberKey]! - from;
      this.bytes.set(partial.keys.bytes.subarray(from, ends[base + CELL.memberKey]!), start);
      for (let cell = 0; cell < KEY_CELL_COUNT; cell += 1)
        pieceEnds[cells + cell] = cell < CELL.memberKey ? start : end;
      this.used = end;
      return;
    }
    const from = base === 0 ? 0 : ends[base - 1]!;
    const to = ends[base + KEY_CELL_COUNT - 1]!;
    this.bytes.set(partial.keys.bytes.subarray(from, to), start);
    const shift = start - from;
    for (let cell = 0; cell < KEY_CELL_COUNT; cell += 1) pieceEnds[cells + cell] = ends[base + cell]! + shift;
    this.used = start + to - from;
  }

  /** The partial's payers: a piece's facts index the same list. */
  payers: string[] = [];

  finish(chunkIndex: number): ChunkPartial {
    return {
      chunkIndex,
      checked: 0,
      indexLines: 0,
      rejected: [],
      findings: [],
      claimFindings: this.claimFindings,
      echoes: [],
      packLines: [],
      payers: this.payers,
      lines: this.lines,
      keys: { bytes: this.bytes, ends: this.ends },
      plainLineNos: this.plainLineNos,
      books: this.books,
      facts: this.facts,
    };
  }
}

/** Checks a chunk; with `partitions`, cuts the partial for a partitioned merge of that many. */
export function checkAndCut(
  chunk: RawChunk,
  layout: ColumnLayout,
  options: CheckOptions,
  partitions?: number,
): ChunkPartial | CutPartial {
  const partial = checkChunk(chunk, layout, options);
  return partitions === undefined ? partial : cutPartial(partial, partitions);
}

export const isCut = (result: ChunkPartial | CutPartial): result is CutPartial => 'root' in result;
