/**
 * The report's line ranges. findings.csv is sorted by line, and the merge shards cut the batch by
 * claim and member hash, so no shard's findings are a stretch of the file. Each shard therefore
 * stores its findings cut by line range, one section per range; each range is rendered by its own
 * merge invocation (its chunks' own findings and its section of every shard), and the report's
 * findings.csv is composed from the rendered ranges in order, S3 copying the big ones (UploadPartCopy).
 *
 * Ranges are runs of whole chunks, as many as the batch has merge shards (about MERGE_SHARD_LINES
 * lines each): a pure function of the manifest, so shards and renders agree without a file between.
 */

import { FindingRuns, type FindingSink } from '../core/engine/batch-findings.js';
import type { LineEcho } from '../core/engine/claim-line.js';
import type { Finding } from '../core/engine/finding.js';
import type { SpillStore } from '../core/engine/partitioned-merge.js';
import type { ChunkRange, EncodedRuns, Manifest } from './work-files.js';

export interface RenderRange {
  readonly index: number;
  /** Its chunks, in line order (none: an empty range, rendered as nothing). */
  readonly chunks: readonly ChunkRange[];
}

export interface RenderRanges {
  readonly ranges: readonly RenderRange[];
  /** The range a finding's line falls in. */
  rangeOfLine(line: number): number;
}

/** The batch's chunks cut into `manifest.shards` runs of about equal records. */
export function renderRangesOf(manifest: Pick<Manifest, 'chunks' | 'shards'>): RenderRanges {
  const count = manifest.shards;
  const chunks = [...manifest.chunks].sort((a, b) => a.firstLine - b.firstLine);
  const total = chunks.reduce((sum, chunk) => sum + chunk.records, 0);
  const members: ChunkRange[][] = Array.from({ length: count }, () => []);
  let before = 0;
  for (const chunk of chunks) {
    members[Math.min(count - 1, Math.floor((before * count) / Math.max(1, total)))]!.push(chunk);
    before += chunk.records;
  }
  const ranges = members.map((list, index) => ({ index, chunks: list }));
  // Each non-empty range's first line, ascending: a line belongs to the last range starting at or before it.
  const starts = ranges.filter((range) => range.chunks.length > 0);
  return {
    ranges,
    rangeOfLine(line) {
      let low = 0;
      let high = starts.length - 1;
      while (low < high) {
        const middle = (low + high + 1) >> 1;
        if (starts[middle]!.chunks[0]!.firstLine <= line) low = middle;
        else high = middle - 1;
      }
      return starts[low]?.index ?? 0;
    },
  };
}

/** A merge's findings cut by render range: one FindingRuns per range, over one spill store. */
export class RangedFindings implements FindingSink {
  private readonly byRange: FindingRuns[];

  constructor(
    private readonly ranges: RenderRanges,
    spill: Pick<SpillStore, 'append' | 'records'>,
  ) {
    this.byRange = ranges.ranges.map((range) => new FindingRuns(spill, `range-${range.index}`));
  }

  addRun(findings: readonly Finding[], echoOf: (line: number) => LineEcho): void {
    const cut: Finding[][] = this.byRange.map(() => []);
    for (const finding of findings) cut[this.ranges.rangeOfLine(finding.line)]!.push(finding);
    cut.forEach((part, range) => {
      this.byRange[range]!.addRun(part, echoOf);
    });
  }

  get count(): number {
    return this.byRange.reduce((sum, runs) => sum + runs.tally.count, 0);
  }

  /**
   * Each range's findings as one sorted run, encoded: a shard result's sections. A shard flushes
   * its findings every few thousand, each flush cut into every range: stored as they were, a range
   * would have a run per flush of every shard, and its readers a file each open at once.
   */
  sections(): EncodedRuns[] {
    return this.byRange.map((runs) => (runs.tally.count > 0 ? [runs.encodedAsOneRun()] : []));
  }
}
