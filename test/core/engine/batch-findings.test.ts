/**
 * Findings of a spilled merge: sorted runs in the spill store, merged back in order, counted as
 * they are written; the report must be the one the merge in memory gives, byte for byte.
 */
import { describe, expect, it } from 'vitest';
import {
  chunkFindings,
  FindingRuns,
  type FlaggedFinding,
  findingsInMemory,
  mergeRuns,
} from '../../../functions/core/engine/batch-findings.js';
import type { LineEcho } from '../../../functions/core/engine/claim-line.js';
import { type Finding, finding } from '../../../functions/core/engine/finding.js';
import { memorySpill } from '../../../functions/core/engine/partitioned-merge.js';
import { LineSet } from '../../../functions/core/memory/line-set.js';
import { scrubBatch } from '../../../functions/core/scrub.js';
import { batch, type LineInput } from '../../support/batch.js';
import { FIXED_NOW, source } from '../../support/run.js';
import { AS_OF } from '../../support/spec.js';

const echo = (line: number, charge = '10.00', npi = 'N1'): LineEcho => ({
  claimId: `C${line}`,
  lineNo: '1',
  memberId: 'M',
  dateOfService: '2026-01-02',
  procedureCode: '62323',
  charge,
  providerNpi: npi,
  payer: 'P',
  rulePack: '62323/v2',
});
const row = (line: number, ruleId: Finding['ruleId']): FlaggedFinding => ({
  finding: finding(line, ruleId, 'm'),
  echo: echo(line),
});
const keys = (rows: Iterable<FlaggedFinding>) =>
  [...rows].map(({ finding }) => `${finding.line} ${finding.ruleId}`);

describe('LineSet', () => {
  it('adds each line once, across pages, up to a hundred million', () => {
    const set = new LineSet();
    expect([2, 3, 2, 1_048_577, 100_000_000, 3].map((line) => set.add(line))).toEqual([
      true,
      true,
      false,
      true,
      true,
      false,
    ]);
    expect(set.size).toBe(4);
  });
});

describe('mergeRuns', () => {
  it('merges sorted runs by line then rule id, and closes every run when stopped early', () => {
    const closed: number[] = [];
    const run = (id: number, rows: FlaggedFinding[]) =>
      (function* () {
        try {
          yield* rows;
        } finally {
          closed.push(id);
        }
      })();
    const runs = [
      run(0, [row(2, 'INVALID_NPI'), row(9, 'MISSING_FIELD')]),
      run(1, [row(2, 'DUPLICATE_LINE'), row(5, 'DUPLICATE_LINE')]),
      run(2, []),
      run(3, [row(5, 'UNITS_EXCEED_MUE')]),
    ];
    expect(keys(mergeRuns(runs))).toEqual([
      '2 DUPLICATE_LINE',
      '2 INVALID_NPI',
      '5 DUPLICATE_LINE',
      '5 UNITS_EXCEED_MUE',
      '9 MISSING_FIELD',
    ]);
    closed.length = 0;
    const again = [run(0, [row(1, 'INVALID_NPI'), row(3, 'INVALID_NPI')]), run(1, [row(2, 'INVALID_NPI')])];
    for (const _ of mergeRuns(again)) break;
    expect(closed.sort()).toEqual([0, 1]);
  });
});

describe('FindingRuns', () => {
  it('reads back what was written, sorted, however chunks and runs came, with the in-memory figures', () => {
    const spill = memorySpill(1);
    const runs = new FindingRuns(spill);
    const chunk = (lines: number[], charge: string) =>
      chunkFindings(
        lines.flatMap((line) => [
          finding(line, 'PRIOR_AUTH_MISSING', 'p'),
          finding(line, 'INVALID_NPI', 'n'),
        ]),
        lines.map((line) => ({ line, echo: echo(line, charge, line % 2 ? 'N1' : '') })),
      );
    runs.addChunk(chunk([20, 21, 22], '5.00'));
    runs.addChunk(chunk([2, 3], 'n/a')); // out of line order: a run of its own
    runs.addChunk(chunk([30], '7.50'));
    // Line 21 is also in a chunk: every source echoes a line alike.
    runs.addRun([finding(21, 'DUPLICATE_LINE', 'd', [3]), finding(40, 'DUPLICATE_LINE', 'd', [2])], (line) =>
      echo(line, line === 21 ? '5.00' : '1.00'),
    );
    const flagged = runs.finish();
    const rows = [...flagged.rows()];
    expect(keys(rows)).toEqual(
      [...rows]
        .sort((a, b) => a.finding.line - b.finding.line)
        .map((r) => `${r.finding.line} ${r.finding.ruleId}`),
    );
    expect(keys(rows).slice(0, 3)).toEqual(['2 INVALID_NPI', '2 PRIOR_AUTH_MISSING', '3 INVALID_NPI']);
    expect(keys(flagged.rows())).toEqual(keys(rows)); // read again (report.html after findings.csv)

    const byLine = new Map(rows.map(({ finding, echo }) => [finding.line, echo]));
    const memory = findingsInMemory(
      rows.map(({ finding }) => finding),
      byLine,
    ).tally;
    const { tally } = flagged;
    expect(tally.count).toBe(memory.count);
    expect(tally.severities).toEqual(memory.severities);
    expect(tally.flaggedLines).toBe(7);
    expect(tally.errorCents).toBe(memory.errorCents);
    for (const ruleId of ['PRIOR_AUTH_MISSING', 'INVALID_NPI', 'DUPLICATE_LINE'] as const)
      expect(tally.rule(ruleId), ruleId).toEqual(memory.rule(ruleId));
    expect(tally.topProviders(10)).toEqual(memory.topProviders(10));
  });

  it('merges each group of runs apart, in turn, opening a group only when the pass reaches it', () => {
    const spill = memorySpill(1);
    const opened: string[] = [];
    const runs = new FindingRuns({
      append: (stream, record) => spill.append(stream, record),
      *records(stream, options) {
        opened.push(stream);
        yield* spill.records(stream, options);
      },
    });
    const at = (line: number) => finding(line, 'DUPLICATE_LINE', 'd');
    runs.addRun([at(5), at(2)], echo);
    runs.addRun([at(3)], echo);
    runs.startGroup();
    runs.addRun([at(9), at(7)], echo);
    runs.addRun([at(8)], echo);
    const pass = runs.finish().rows()[Symbol.iterator]();
    expect(pass.next().value?.finding.line).toBe(2);
    expect(opened).toEqual(['findings-0', 'findings-1']); // the second group waits
    const rest = [...{ [Symbol.iterator]: () => pass }].map(({ finding }) => finding.line);
    expect(rest).toEqual([3, 5, 7, 8, 9]);
  });

  it('gives every finding as one sorted run, as a shard stores it', () => {
    const runs = new FindingRuns(memorySpill(1));
    // More findings than one record holds, in runs out of order.
    const lines = Array.from({ length: 150 }, (_, index) => 2 + index);
    runs.addRun(
      lines.filter((line) => line % 2 === 0).map((line) => finding(line, 'DUPLICATE_LINE', 'd')),
      echo,
    );
    runs.addRun(
      lines.filter((line) => line % 2 === 1).map((line) => finding(line, 'DUPLICATE_LINE', 'd')),
      echo,
    );
    const copy = new FindingRuns(memorySpill(1));
    copy.addEncodedRun(runs.encodedAsOneRun());
    expect(keys(copy.finish().rows())).toEqual(keys(runs.finish().rows()));
    expect(copy.tally.count).toBe(150);
  });
});

describe('a spilled merge with more findings than a partition holds at once', () => {
  it('gives the report of the merge in memory', async () => {
    // 12,000 lines in encounters of two (UNITS_EXCEED_MUE on each) and repeated claim lines: one
    // partition's merge hands its findings on in several runs.
    const lines: LineInput[] = Array.from({ length: 12_000 }, (_, at) => ({
      claim_id: `C${at % 9_000}`,
      member_id: `M${at >> 1}`,
      prior_auth: '',
    }));
    const text = batch(lines);
    const report = async (spill?: ReturnType<typeof memorySpill>) =>
      (
        await scrubBatch(
          source(text),
          { batchId: 'b', sourceName: 'b.csv', asOf: AS_OF, now: () => FIXED_NOW, recordsPerChunk: 1_000 },
          spill ? { spill } : {},
        )
      ).files;
    const inMemory = { ...(await report()) };
    const spilled = { ...(await report(memorySpill(1))) };
    expect(spilled).toEqual(inMemory);
    expect(inMemory['findings.csv']).toMatch(/UNITS_EXCEED_MUE/);
    expect(inMemory['findings.csv']).toMatch(/DUPLICATE_LINE/);
  }, 60_000);
});
