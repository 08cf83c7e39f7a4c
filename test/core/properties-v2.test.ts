/**
 * The engine against the independent reference checker (test/support/reference) on seeded v2
 * batches with mixed payers, packs and history; and the order and chunking properties of rules.md
 * ("Cross-line rules must give the same findings whatever the order of lines in the file and however
 * the batch is split into chunks").
 */
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { seeded } from '../support/random.js';
import { referenceCheck } from '../support/reference/index.js';
import { type RandomV2Batch, randomV2Batch } from '../support/reference/random-batch.js';
import {
  type ComparableFinding,
  comparableReference,
  comparableRow,
  findingText,
  scrubV2,
  type V2Options,
  type V2Run,
} from '../support/run-v2.js';

/** The report keeps the 20 lowest related lines (formats.md). */
const RELATED_LIMIT = 20;

const optionsOf = (generated: RandomV2Batch, more: V2Options = {}): V2Options => ({
  asOf: generated.asOf,
  packs: generated.packs,
  history: generated.history,
  batchId: generated.batchId,
  ...(generated.defaultPack === undefined ? {} : { defaultPack: generated.defaultPack }),
  ...more,
});

const engineFindings = (run: V2Run): ComparableFinding[] => run.rows.map(comparableRow);

function referenceFindings(generated: RandomV2Batch, csv = generated.csv): ComparableFinding[] {
  const result = referenceCheck({
    csv,
    asOf: generated.asOf,
    packs: generated.packs,
    history: generated.history,
    batchId: generated.batchId,
    ...(generated.defaultPack === undefined ? {} : { defaultPack: generated.defaultPack }),
  });
  return result.findings.map(comparableReference);
}

/** Findings as sorted text lines: a mismatch then shows as a readable diff. */
const asText = (findings: readonly ComparableFinding[]): string[] => findings.map(findingText).sort();

async function expectAgreement(generated: RandomV2Batch): Promise<V2Run> {
  const run = await scrubV2(generated.csv, optionsOf(generated));
  expect(asText(engineFindings(run))).toEqual(asText(referenceFindings(generated)));
  return run;
}

/** The batch's header and records, one physical line each (randomV2Batch writes no embedded line breaks). */
function splitRecords(csv: string): { header: string; records: string[]; eol: string } {
  const eol = csv.includes('\r\n') ? '\r\n' : '\n';
  const [header, ...records] = csv.slice(0, -eol.length).split(eol);
  expect(parse(csv), 'one record per physical line').toHaveLength(records.length + 1);
  return { header: header!, records, eol };
}

interface Shuffled {
  readonly csv: string;
  /** Physical line in the shuffled file → physical line in the original. */
  readonly toOriginal: (line: number) => number;
}

function shuffle(csv: string, seed: number): Shuffled {
  const { header, records, eol } = splitRecords(csv);
  const order = seeded(seed).shuffle(records.map((_, index) => index));
  const shuffledCsv = [header, ...order.map((index) => records[index]!)].join(eol) + eol;
  return { csv: shuffledCsv, toOriginal: (line) => order[line - 2]! + 2 };
}

/**
 * A finding of the shuffled batch in the original's line numbers. Related lines are compared as a
 * set only when the report holds all of them (fewer than the limit); a full list is a cut whose
 * members depend on the order, so only its size is kept.
 */
function mappedBack(finding: ComparableFinding, toOriginal: (line: number) => number): string {
  const related = finding.related === '' ? [] : finding.related.split(' ').map(Number);
  const shown =
    related.length < RELATED_LIMIT
      ? related
          .map(toOriginal)
          .sort((a, b) => a - b)
          .join(' ')
      : `${RELATED_LIMIT}+`;
  return findingText({ ...finding, line: toOriginal(finding.line), related: shown });
}

function orderFree(finding: ComparableFinding): string {
  const count = finding.related === '' ? 0 : finding.related.split(' ').length;
  return findingText(count < RELATED_LIMIT ? finding : { ...finding, related: `${RELATED_LIMIT}+` });
}

/** DUPLICATE_LINE is about the order itself ("earlier in the file"): the property excludes it. */
const orderIndependent = (finding: ComparableFinding): boolean => finding.rule_id !== 'DUPLICATE_LINE';

const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];

describe('the engine agrees with the reference checker', () => {
  it.each(SEEDS)('seed %i, 400 lines', async (seed) => {
    const run = await expectAgreement(randomV2Batch(seed));
    expect(run.rows.length).toBeGreaterThan(100);
  });

  it.each([101, 202])('seed %i, 3,000 lines', async (seed) => {
    await expectAgreement(randomV2Batch(seed, { lines: 3000 }));
  });

  it('the seeds fire nearly every rule, under several packs', async () => {
    const fired = new Set<string>();
    const packs = new Set<string>();
    for (const seed of SEEDS.slice(0, 4)) {
      for (const finding of referenceFindings(randomV2Batch(seed))) {
        fired.add(finding.rule_id);
        packs.add(finding.rule_pack);
      }
    }
    expect(fired.size).toBeGreaterThanOrEqual(34);
    expect(packs.size).toBeGreaterThanOrEqual(3);
  });
});

describe('the order of the lines does not change the findings', () => {
  it.each([1, 5, 9])('seed %i shuffled', async (seed) => {
    const generated = randomV2Batch(seed);
    const original = await scrubV2(generated.csv, optionsOf(generated));
    const shuffled = shuffle(generated.csv, seed * 31 + 7);
    const reordered = await scrubV2(shuffled.csv, optionsOf(generated));
    // The shuffled batch is still what the spec says, DUPLICATE_LINE included …
    expect(asText(engineFindings(reordered))).toEqual(asText(referenceFindings(generated, shuffled.csv)));
    // … and, mapped back, it is the original's findings.
    const back = engineFindings(reordered)
      .filter(orderIndependent)
      .map((finding) => mappedBack(finding, shuffled.toOriginal))
      .sort();
    expect(back).toEqual(engineFindings(original).filter(orderIndependent).map(orderFree).sort());
  });
});

describe('the chunking does not change the report', () => {
  const LAYOUTS: readonly [string, V2Options][] = [
    ['1 record a chunk', { recordsPerChunk: 1 }],
    ['7 records a chunk', { recordsPerChunk: 7 }],
    ['100 records a chunk', { recordsPerChunk: 100 }],
    ['7 records a chunk, spilled to 3 partitions', { recordsPerChunk: 7, partitions: 3 }],
    ['100 records a chunk, spilled to 8 partitions', { recordsPerChunk: 100, partitions: 8 }],
    ['one chunk, spilled to 5 partitions', { partitions: 5 }],
    ['7 records a chunk, one partition (merged as the chunks come)', { recordsPerChunk: 7, partitions: 1 }],
  ];

  it.each(LAYOUTS)('seed 3: %s gives the findings and summary of one chunk', async (_name, layout) => {
    const generated = randomV2Batch(3);
    const whole = await scrubV2(generated.csv, optionsOf(generated, { recordsPerChunk: 100_000 }));
    const split = await scrubV2(generated.csv, optionsOf(generated, layout));
    expect(split.result.files['findings.csv']).toBe(whole.result.files['findings.csv']);
    expect(split.result.files['summary.json']).toBe(whole.result.files['summary.json']);
  });

  it('a 3,000-line batch in chunks of 250, spilled to 6 partitions, still agrees with the reference', async () => {
    const generated = randomV2Batch(303, { lines: 3000 });
    const split = await scrubV2(generated.csv, optionsOf(generated, { recordsPerChunk: 250, partitions: 6 }));
    expect(asText(engineFindings(split))).toEqual(asText(referenceFindings(generated)));
  });
});
