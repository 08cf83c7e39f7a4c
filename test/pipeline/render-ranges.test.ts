import { describe, expect, it } from 'vitest';
import { FindingRuns } from '../../functions/core/engine/batch-findings.js';
import type { LineEcho } from '../../functions/core/engine/claim-line.js';
import type { Finding } from '../../functions/core/engine/finding.js';
import { memorySpill } from '../../functions/core/engine/partitioned-merge.js';
import { RangedFindings, renderRangesOf } from '../../functions/pipeline/render-ranges.js';
import type { ChunkRange } from '../../functions/pipeline/work-files.js';

/** Made-up echo of line `line`. */
const echoOf = (line: number): LineEcho => ({
  claimId: `C${line}`,
  lineNo: '1',
  memberId: 'M1',
  dateOfService: '2026-11-02',
  procedureCode: '62323',
  charge: '100.00',
  providerNpi: '1234567893',
  payer: 'Acme',
  rulePack: 'built-in',
});

/** Chunks of `records` one-line records each, from line 2 (after the header). */
const chunksOf = (...records: number[]): ChunkRange[] => {
  let line = 2;
  return records.map((count, index) => {
    const chunk = { index, firstLine: line, lastLine: line + count - 1, records: count };
    line += count;
    return chunk;
  });
};

describe('renderRangesOf', () => {
  it('cuts the chunks into runs of about equal records, one per merge shard, in line order', () => {
    const chunks = chunksOf(10, 10, 10, 10, 10, 10);
    const { ranges } = renderRangesOf({ chunks: [...chunks].reverse(), shards: 3 });
    expect(ranges.map((range) => range.chunks.map((chunk) => chunk.index))).toEqual([
      [0, 1],
      [2, 3],
      [4, 5],
    ]);
  });

  it('puts every line of a chunk in that chunk range, and leaves ranges empty when chunks are few', () => {
    const chunks = chunksOf(100, 5);
    const cut = renderRangesOf({ chunks, shards: 4 });
    expect(cut.ranges.map((range) => range.chunks.map((chunk) => chunk.index))).toEqual([[0], [], [], [1]]);
    for (const chunk of chunks)
      for (const line of [chunk.firstLine, chunk.lastLine]) {
        const range = cut.rangeOfLine(line);
        expect(cut.ranges[range]!.chunks).toContain(chunk);
      }
    // A rejected batch has no chunks: every range is empty, and any line goes to the first.
    const none = renderRangesOf({ chunks: [], shards: 2 });
    expect(none.ranges.map((range) => range.chunks)).toEqual([[], []]);
    expect(none.rangeOfLine(7)).toBe(0);
  });
});

describe('RangedFindings', () => {
  it("keeps each range's findings apart, sorted, whatever order they come in", () => {
    const ranges = renderRangesOf({ chunks: chunksOf(10, 10), shards: 2 });
    const found = new RangedFindings(ranges, memorySpill(1));
    const finding = (line: number): Finding => ({
      line,
      ruleId: 'DUPLICATE_LINE',
      severity: 'error',
      message: `line ${line}`,
      related: [],
    });
    found.addRun([finding(15), finding(3), finding(12)], echoOf);
    found.addRun([finding(4)], echoOf);
    expect(found.count).toBe(4);
    const sections = found.sections();
    // Each range's findings as one sorted run, however many calls brought them: lines 2-11, 12-21.
    const lines = sections.map((runs) => {
      const back = new FindingRuns(memorySpill(1));
      for (const run of runs) back.addEncodedRun(run);
      return [...back.finish().rows()].map((row) => row.finding.line);
    });
    expect(sections.map((runs) => runs.length)).toEqual([1, 1]);
    expect(lines).toEqual([
      [3, 4],
      [12, 15],
    ]);
  });
});
