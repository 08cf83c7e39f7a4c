/**
 * checkChunk + BatchAccumulator: partials of any chunking, merged in any order ({linesInOrder: false}),
 * give the findings of the whole batch.
 */
import { describe, expect, it } from 'vitest';
import { BatchAccumulator, type MergedBatch } from '../../../functions/core/engine/accumulator.js';
import { checkChunk } from '../../../functions/core/engine/check-chunk.js';
import { inMemoryHistory } from '../../../functions/core/history.js';
import { batch, type LineInput } from '../../support/batch.js';
import { addDays, epochDay } from '../../support/dates.js';
import { intake, regroup } from '../../support/intake.js';
import { scrub } from '../../support/run.js';
import { AS_OF } from '../../support/spec.js';

const AS_OF_DAY = epochDay(AS_OF);

const LINES: LineInput[] = [
  { claim_id: 'D', line_no: '1', member_id: 'M1' },
  { claim_id: 'X', line_no: '1', member_id: 'M1', procedure_code: '77003' },
  { claim_id: 'D', line_no: '1', member_id: 'M2' },
  { claim_id: 'Y', line_no: '1', member_id: 'M1', procedure_code: '99213', rendering_npi: '1234567893' },
  { claim_id: 'D', line_no: '1', member_id: 'M3', prior_auth: '' },
  {
    claim_id: 'Z',
    line_no: '1',
    member_id: 'M1',
    procedure_code: '64483',
    date_of_service: addDays('2026-11-02', -30),
  },
];

/** Merges the records of `text`, grouped and ordered as given, with a fresh accumulator. */
async function merge(
  text: string,
  groups: number[][],
  order: number[],
  history = inMemoryHistory(new Map()),
): Promise<MergedBatch> {
  const read = await intake(text, { recordsPerChunk: 1 });
  const chunks = regroup(read.chunks, groups);
  const accumulator = new BatchAccumulator({ linesInOrder: false });
  accumulator.addRejected(read.result.rejected);
  for (const index of order)
    accumulator.add(checkChunk(chunks[index]!, read.layout!, { asOfDay: AS_OF_DAY }));
  return accumulator.finish(history);
}

const view = (merged: MergedBatch) => ({
  findings: merged.findings.map((item) => [item.line, item.ruleId, item.related.join(' ')]),
  echoes: [...merged.echoes.entries()].sort((a, b) => a[0] - b[0]),
  checked: merged.checked,
  claims: merged.claims,
  members: merged.members,
  indexLines: merged.indexLines,
  rejected: merged.rejectedRecords.map((record) => [record.line, record.endLine]),
});

describe('BatchAccumulator', () => {
  const text = `${batch(LINES)}bad,record\n`;

  it('gives the whole-batch result for non-contiguous chunks merged in reverse order', async () => {
    const whole = (await scrub(text)).result.batch!;
    const merged = await merge(
      text,
      [
        [5, 0],
        [6, 3],
        [1, 4, 2],
      ],
      [2, 1, 0],
    );
    expect(view(merged)).toEqual(view(whole));
  });

  it('turns the first occurrence into a repeat when an earlier line arrives late (three occurrences)', async () => {
    const merged = await merge(text, [[4], [2], [0], [1, 3, 5]], [0, 1, 2, 3]);
    const duplicates = merged.findings.filter((item) => item.ruleId === 'DUPLICATE_LINE');
    expect(duplicates.map((item) => [item.line, [...item.related]])).toEqual([
      [4, [2]],
      [6, [2]],
    ]);
    // Echoes of the repeats are those lines' own values.
    expect(merged.echoes.get(4)?.memberId).toBe('M2');
    expect(merged.echoes.get(6)?.memberId).toBe('M3');
  });

  it('gives every flagged line an echo', async () => {
    const merged = await merge(text, [[0, 1, 2, 3, 4, 5]], [0]);
    for (const item of merged.findings)
      expect(merged.echoes.has(item.line), `echo of line ${item.line}`).toBe(true);
  });

  it('counts distinct claims and members across partials', async () => {
    const merged = await merge(text, [[0], [1], [2], [3], [4], [5]], [5, 3, 1, 0, 2, 4]);
    expect(merged.claims).toBe(4);
    expect(merged.members).toBe(3);
    expect(merged.checked).toBe(6);
  });

  it('refuses out-of-order partials when it was promised lines in order', async () => {
    const read = await intake(text, { recordsPerChunk: 1 });
    const accumulator = new BatchAccumulator({ linesInOrder: true });
    accumulator.add(checkChunk(read.chunks[2]!, read.layout!, { asOfDay: AS_OF_DAY }));
    expect(() => accumulator.add(checkChunk(read.chunks[0]!, read.layout!, { asOfDay: AS_OF_DAY }))).toThrow(
      /order/,
    );
  });

  it('asks the history only for members with 62323 lines', async () => {
    const asked: string[][] = [];
    const read = await intake(text, { recordsPerChunk: 100 });
    const accumulator = new BatchAccumulator();
    for (const chunk of read.chunks) accumulator.add(checkChunk(chunk, read.layout!, { asOfDay: AS_OF_DAY }));
    await accumulator.finish({
      priorSessions: async (members) => {
        asked.push([...members].sort());
        return new Map();
      },
    });
    expect(asked).toEqual([['M1', 'M2', 'M3']]);
  });
});
