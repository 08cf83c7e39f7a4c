/**
 * The partitioned merge (the CLI's way to keep big batches' merge tables out of memory) must give
 * exactly the report of the in-memory merge: same files, byte for byte, for any partition count,
 * chunking and line order. The batches here are built to stress what partitions split: duplicate
 * (claim, line_no) pairs across chunks, line numbers that are not plain, empty claim ids and members,
 * members with many lines across dates and providers, and non-ASCII keys.
 */
import { describe, expect, it } from 'vitest';
import { BatchAccumulator, type MergedBatch } from '../../../functions/core/engine/accumulator.js';
import { checkChunk, decodePartial } from '../../../functions/core/engine/check-chunk.js';
import {
  cutPartial,
  memorySpill,
  PartitionedAccumulator,
  partitionPartial,
} from '../../../functions/core/engine/partitioned-merge.js';
import { inMemoryHistory, parseHistoryCsv } from '../../../functions/core/history.js';
import { FACT_WIDTH } from '../../../functions/core/memory/fact-store.js';
import { CELL, cellText, KEY_CELL_COUNT } from '../../../functions/core/memory/packed-keys.js';
import { hashBytes } from '../../../functions/core/memory/string-table.js';
import { scrubBatch } from '../../../functions/core/scrub.js';
import { batch, type LineInput } from '../../support/batch.js';
import { addDays, epochDay } from '../../support/dates.js';
import { intake } from '../../support/intake.js';
import { NPI_A, NPI_B } from '../../support/npi.js';
import { type Random, seeded } from '../../support/random.js';
import { FIXED_NOW, source } from '../../support/run.js';
import { AS_OF } from '../../support/spec.js';

const ANCHOR = '2026-11-20';
const CODES = ['62323', '62323', '62323', '77003', '99213', '64483', 'J3301', '62322', '99152', '20610'];

function generateLine(random: Random): LineInput {
  return {
    claim_id: random.chance(0.03) ? '' : random.pick(['C1', 'C2', 'Ç3', 'C4', 'c4']) + random.int(40),
    line_no: random.chance(0.1) ? random.pick(['01', 'A', '1.0', '']) : String(1 + random.int(4)),
    member_id: random.chance(0.03) ? '' : random.pick(['M', 'm', 'Ö']) + random.int(6),
    date_of_service: addDays(ANCHOR, -random.pick([0, 1, 30, 60, 90, 120, 200, 364, 365, 400])),
    procedure_code: random.pick(CODES),
    modifiers: random.chance(0.2) ? [random.pick(['25', '59', '50'])] : [],
    units: random.chance(0.9) ? '1' : random.pick(['2', 'x']),
    place_of_service: random.chance(0.8) ? '11' : random.pick(['22', '19']),
    rendering_npi: random.pick([NPI_A, NPI_B, '']),
    charge: random.chance(0.05) ? random.pick(['n/a', '99999999999.99']) : `${1 + random.int(900)}.00`,
  };
}

const generate = (seed: number, count: number): LineInput[] => {
  const random = seeded(seed);
  return Array.from({ length: count }, () => generateLine(random));
};

const HISTORY = inMemoryHistory(
  parseHistoryCsv(
    ['member_id,date_of_service,procedure_code', 'M3,2026-01-10,62323', 'Ö4,2025-12-20,64483'].join('\n'),
  ).sessions,
);

async function report(text: string, recordsPerChunk: number, partitions?: number) {
  const result = await scrubBatch(
    source(text),
    { batchId: 'b', sourceName: 'b.csv', asOf: AS_OF, now: () => FIXED_NOW, recordsPerChunk },
    { history: HISTORY, ...(partitions === undefined ? {} : { spill: memorySpill(partitions) }) },
  );
  return { ...result.files };
}

describe('a partitioned merge', () => {
  it.each([
    [1, 1, 7],
    [2, 2, 13],
    [3, 3, 50],
    [4, 7, 1],
    [5, 16, 400],
  ])(
    'seed %i, %i partitions, %i records a chunk: the same report files as the merge in memory',
    async (seed, partitions, recordsPerChunk) => {
      const text = `${batch(generate(seed, 400))}bad,record\n`;
      const inMemory = await report(text, 400);
      const partitioned = await report(text, recordsPerChunk, partitions);
      expect(partitioned).toEqual(inMemory);
      expect(inMemory['findings.csv']).toMatch(/DUPLICATE_LINE/);
      expect(inMemory['findings.csv']).toMatch(/FREQUENCY_EXCEEDED/);
    },
  );

  it('gives the in-memory result for chunks merged out of order', async () => {
    const read = await intake(batch(generate(6, 300)), { recordsPerChunk: 9 });
    const asOfDay = epochDay(AS_OF);
    const partials = () => read.chunks.map((chunk) => checkChunk(chunk, read.layout!, { asOfDay }));
    const merge = async (accumulator: {
      add(partial: ReturnType<typeof checkChunk>): void;
      finish(history: typeof HISTORY): Promise<MergedBatch>;
    }) => {
      for (const partial of partials().reverse()) accumulator.add(partial);
      return accumulator.finish(HISTORY);
    };
    const expected = await merge(new BatchAccumulator());
    const actual = await merge(new PartitionedAccumulator(memorySpill(3)));
    expect(actual.findings).toEqual(expected.findings);
    // One partition: merged whole as the partials come, its findings handed on a few at a time.
    const whole = await merge(new PartitionedAccumulator(memorySpill(1), { findingsPerFlush: 3 }));
    expect(whole.findings).toEqual(expected.findings);
    expect(new Map(whole.echoes)).toEqual(new Map(expected.echoes));
    expect({ ...whole, findings: [], echoes: new Map() }).toEqual({
      ...expected,
      findings: [],
      echoes: new Map(),
    });
    expect([...actual.echoes].sort((a, b) => a[0] - b[0])).toEqual(
      [...expected.echoes].sort((a, b) => a[0] - b[0]),
    );
    expect({ ...actual, findings: [], echoes: new Map() }).toEqual({
      ...expected,
      findings: [],
      echoes: new Map(),
    });
    expect(expected.findings.some((item) => item.ruleId === 'DUPLICATE_LINE')).toBe(true);
    // In line order, one partition hands its findings on as they pile up: still the same findings.
    const inOrder = new PartitionedAccumulator(memorySpill(1), { linesInOrder: true, findingsPerFlush: 3 });
    for (const partial of partials()) inOrder.add(partial);
    const flushed = await inOrder.finish(HISTORY);
    expect(flushed.findings).toEqual(expected.findings);
    expect(new Map(flushed.echoes)).toEqual(new Map(expected.echoes));
  });

  it('puts each claim in one partition and each member in one, and keeps only the member of a line without a fact', async () => {
    const read = await intake(batch(generate(7, 200)), { recordsPerChunk: 200 });
    const partial = checkChunk(read.chunks[0]!, read.layout!, { asOfDay: epochDay(AS_OF) });
    const { byClaim, byMember } = partitionPartial(partial, 4);
    const claimHome = new Map<string, number>();
    const memberHome = new Map<string, number>();
    const cells = (piece: (typeof byClaim)[number], position: number) =>
      Object.fromEntries(
        Object.entries(CELL).map(([name, cell]) => [name, cellText(piece.keys, position, cell)]),
      );
    let claimLines = 0;
    byClaim.forEach((piece, index) => {
      expect(piece.facts).toHaveLength(0);
      piece.lines.forEach((line, position) => {
        const { claimId } = cells(piece, position);
        expect(claimHome.get(claimId!) ?? index).toBe(index);
        claimHome.set(claimId!, index);
        // A claim piece keeps the whole line: a repeat is echoed from it.
        const original = partial.lines.indexOf(line);
        expect(cells(piece, position)).toEqual(cells({ ...partial }, original));
        claimLines += 1;
      });
    });
    const withClaim = partial.lines.filter((_, position) => cellText(partial.keys, position, CELL.claimId));
    expect(claimLines).toBe(withClaim.length);

    let facts = 0;
    byMember.forEach((piece, index) => {
      const factPositions = new Set<number>();
      for (let at = 0; at < piece.facts.length; at += FACT_WIDTH) factPositions.add(piece.facts[at]!);
      facts += factPositions.size;
      piece.lines.forEach((line, position) => {
        const own = cells(piece, position);
        expect(memberHome.get(own.memberKey!) ?? index).toBe(index);
        memberHome.set(own.memberKey!, index);
        if (!factPositions.has(position)) {
          expect(Object.values(own).join('')).toBe(own.memberKey);
          expect(
            piece.keys.ends.subarray(position * KEY_CELL_COUNT, (position + 1) * KEY_CELL_COUNT),
          ).toHaveLength(KEY_CELL_COUNT);
        } else {
          expect(own).toEqual(cells({ ...partial }, partial.lines.indexOf(line)));
        }
      });
    });
    expect(facts * FACT_WIDTH).toBe(partial.facts.length);
    expect(new Set(claimHome.values()).size).toBeGreaterThan(1);
    expect(new Set(memberHome.values()).size).toBeGreaterThan(1);
  });

  it('leaves the keys of one partition spread over the string tables’ slots and tags', async () => {
    // Tables probe by a hash's low bits and tag by its top 6: a partition must not fix either.
    const claims = Array.from({ length: 4000 }, (_, index) => ({ claim_id: `K${index}`, member_id: 'M' }));
    const read = await intake(batch(claims), { recordsPerChunk: 4000 });
    const partial = checkChunk(read.chunks[0]!, read.layout!, { asOfDay: epochDay(AS_OF) });
    const pieces = partitionPartial(partial, 16).byClaim;
    for (const piece of pieces) {
      const hashes = piece.lines.map((_, position) => {
        const key = Buffer.from(cellText(piece.keys, position, CELL.claimId));
        return hashBytes(key, 0, key.length) >>> 0;
      });
      expect(hashes.length).toBeGreaterThan(150);
      expect(new Set(hashes.map((hash) => hash >>> 26)).size).toBeGreaterThan(48);
      expect(new Set(hashes.map((hash) => hash & 0x3f)).size).toBeGreaterThan(48);
    }
  });

  it('encodes pieces that decode to the pieces, and leaves empty partitions out', async () => {
    const read = await intake(batch([{ claim_id: 'A', member_id: 'M1' }]), {});
    const partial = checkChunk(read.chunks[0]!, read.layout!, { asOfDay: epochDay(AS_OF) });
    const cut = cutPartial(partial, 5);
    expect(cut.claimPieces.filter((piece) => piece !== null)).toHaveLength(1);
    expect(cut.memberPieces.filter((piece) => piece !== null)).toHaveLength(1);
    const { byClaim } = partitionPartial(partial, 5);
    const index = cut.claimPieces.findIndex((piece) => piece !== null);
    expect(decodePartial(cut.claimPieces[index]!)).toEqual({ ...byClaim[index]!, lines: [2] });
    expect(cut.root.lines).toEqual([]);
    expect(cut.root.checked).toBe(1);
  });

  it('refuses a partial cut for another partition count, and a store without partitions', async () => {
    const read = await intake(batch([{}]), {});
    const partial = checkChunk(read.chunks[0]!, read.layout!, { asOfDay: epochDay(AS_OF) });
    const accumulator = new PartitionedAccumulator(memorySpill(2));
    expect(() => accumulator.addCut(cutPartial(partial, 3))).toThrow(/cut into 3 partitions, not 2/);
    expect(() => new PartitionedAccumulator(memorySpill(0))).toThrow(/at least one partition/);
  });
});
