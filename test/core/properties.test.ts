/**
 * Properties over generated batches (seeded PRNG): a few hundred lines packed with cross-line
 * interactions — few members, dates and providers, many codes of the encounter, session and frequency
 * rules, duplicates aside (claim_id, line_no are unique so that DUPLICATE_LINE does not depend on order).
 *
 * (a) the order of the data lines does not change the findings;
 * (b) the chunking does not change them: recordsPerChunk, and arbitrary non-contiguous partitions
 *     checked with checkChunk and merged in random order;
 * (c) the accounting of formats.md holds on every report (checked by `scrub` on every run).
 */
import { describe, expect, it } from 'vitest';
import { BatchAccumulator, type MergedBatch } from '../../functions/core/engine/accumulator.js';
import { checkChunk } from '../../functions/core/engine/check-chunk.js';
import { inMemoryHistory, parseHistoryCsv } from '../../functions/core/history.js';
import { batch, headerOf, type LineInput, lineOf, lineSpecs, recordOf } from '../support/batch.js';
import { addDays, epochDay } from '../support/dates.js';
import { expectEveryLineAccounted, intake, regroup } from '../support/intake.js';
import { NPI_A, NPI_B, NPI_C } from '../support/npi.js';
import { type Random, seeded } from '../support/random.js';
import { expectAccounting, type Run, scrub } from '../support/run.js';
import { AS_OF, SPEC_RULES, type SpecRuleId } from '../support/spec.js';

const ANCHOR = '2026-11-20';
const DAYS_BEFORE = [0, 1, 30, 90, 150, 200, 250, 300, 330, 364, 365, 400, 500, 700];
const CODES = [
  '77003',
  '77012',
  '76000',
  '72275',
  '62322',
  '62324',
  '62327',
  '62321',
  '64479',
  '64483',
  '64484',
  '64493',
  'G0260',
  '99213',
  '99214',
  '99205',
  '99152',
  '01937',
  'J1010',
  'J3301',
  'J1020',
  '20610',
  '62310',
  '6232X',
];
const MODIFIERS = ['25', '59', '50', 'KX', 'GA', 'GY', 'XS', '76', 'TC', 'RT', '5'];
const DIAGNOSES = [
  'M54.16',
  'M48.062',
  'M51.17',
  'M54.50',
  'M47.816',
  'M54.5',
  'G89.18',
  'M54.2',
  '5416',
  'M51.36',
];

function generateLine(random: Random, index: number, seed: number): LineInput {
  const dateOfService = random.chance(0.03)
    ? random.pick(['2026-02-30', '2026-12-05', ''])
    : addDays(ANCHOR, -random.pick(DAYS_BEFORE));
  const format = random.int(4);
  const [year, month, day] = dateOfService.split('-');
  const written =
    dateOfService === '' || format === 0 || dateOfService === '2026-02-30'
      ? dateOfService
      : format === 1
        ? `${month}/${day}/${year}`
        : format === 2
          ? `${year}${month}${day}`
          : dateOfService;
  const modifierCount = random.chance(0.6) ? 0 : 1 + random.int(2);
  const dxCount = random.chance(0.04) ? 0 : 1 + random.int(2);
  return {
    claim_id: `P${seed}-${String(index).padStart(4, '0')}`,
    line_no: String(1 + random.int(3)),
    member_id: random.chance(0.03) ? '' : `PM${random.int(8)}`,
    date_of_service: written,
    date_of_service_to: random.chance(0.05) && dateOfService.length === 10 ? addDays(dateOfService, 1) : '',
    procedure_code: random.chance(0.4) ? '62323' : random.pick(CODES),
    modifiers: Array.from({ length: modifierCount }, () => random.pick(MODIFIERS)),
    dx: Array.from({ length: dxCount }, () => random.pick(DIAGNOSES)),
    units: random.chance(0.85) ? '1' : random.pick(['2', 'x', '0', '3']),
    place_of_service: random.chance(0.7) ? '11' : random.pick(['22', '21', '23', '19', '81', '00']),
    rendering_npi: random.chance(0.02) ? '1234567890' : random.pick([NPI_A, NPI_B, NPI_C]),
    charge: random.chance(0.03)
      ? 'n/a'
      : random.chance(0.3)
        ? `$1,${String(random.int(1000)).padStart(3, '0')}.50`
        : `${1 + random.int(900)}.00`,
    prior_auth: random.chance(0.15) ? '' : `AUTH${random.int(1000)}`,
  };
}

function generate(seed: number, count: number): LineInput[] {
  const random = seeded(seed);
  return Array.from({ length: count }, (_, index) => generateLine(random, index, seed));
}

/** History of earlier batches for the same members. */
function historyCsv(seed: number): string {
  const random = seeded(seed * 7 + 1);
  const rows = ['member_id,date_of_service,procedure_code'];
  for (let index = 0; index < 25; index += 1) {
    rows.push(
      `PM${random.int(8)},${addDays(ANCHOR, -random.pick(DAYS_BEFORE) - random.int(40))},${random.pick(['62323', '64483', '99213'])}`,
    );
  }
  return rows.join('\n');
}

/** Findings keyed by (claim_id, line_no, rule_id), related lines turned into (claim_id, line_no) keys. */
function keyed(run: Run, lines: readonly LineInput[]): Map<string, string[]> {
  const keyOf = (line: number) => {
    const spec = lines[line - 2]!;
    return `${spec.claim_id}#${spec.line_no}`;
  };
  const out = new Map<string, string[]>();
  const repeated: string[] = [];
  for (const item of run.result.batch!.findings) {
    const key = `${keyOf(item.line)}#${item.ruleId}`;
    if (out.has(key) && item.ruleId !== 'MISSING_FIELD') repeated.push(key);
    out.set(key, [...(out.get(key) ?? []), ...item.related.map(keyOf)].sort());
  }
  expect(repeated, 'a rule gives at most one finding per line (MISSING_FIELD aside)').toEqual([]);
  return out;
}

const SEEDS = [1, 2];
const COUNT = 300;

describe('generated batches', () => {
  it.each(SEEDS)('seed %i: have many cross-line interactions and fire most rules', async (seed) => {
    const lines = generate(seed, COUNT);
    const run = await scrub(batch(lines), {
      history: inMemoryHistory(parseHistoryCsv(historyCsv(seed)).sessions),
    });
    const fired = new Set(run.rows.map((row) => row.rule_id));
    for (const ruleId of [
      'IMAGING_BUNDLED',
      'UNITS_EXCEED_MUE',
      'FREQUENCY_EXCEEDED',
      'SAME_SESSION_OTHER_SPINAL',
      'EM_SAME_DAY_NO_25',
    ]) {
      expect(fired.has(ruleId), ruleId).toBe(true);
    }
    expect(fired.size).toBeGreaterThanOrEqual(25);
    expect(run.rows.filter((row) => row.related_lines !== '').length).toBeGreaterThan(100);
  });
});

describe('(a) the order of lines does not matter', () => {
  it.each(SEEDS)(
    'seed %i: shuffled data lines give the same findings by (claim_id, line_no, rule_id)',
    async (seed) => {
      const lines = generate(seed, COUNT);
      const history = inMemoryHistory(parseHistoryCsv(historyCsv(seed)).sessions);
      const reference = await scrub(batch(lines), { history });
      const expected = keyed(reference, lines);
      const random = seeded(seed + 1000);
      for (let round = 0; round < 2; round += 1) {
        const shuffled = random.shuffle(lines);
        const run = await scrub(batch(shuffled), { history });
        expect(keyed(run, shuffled)).toEqual(expected);
        const { counts } = run.summary;
        expect(counts).toEqual(reference.summary.counts);
        expect(run.summary.byRule).toEqual(reference.summary.byRule);
        expect(run.summary.dollarsAtRisk).toBe(reference.summary.dollarsAtRisk);
      }
    },
  );
});

/** The merged batch as data to compare. */
const view = (merged: MergedBatch) => ({
  findings: merged.findings.map(
    (item) => `${item.line} ${item.ruleId} [${item.related.join(' ')}] ${item.message}`,
  ),
  echoes: [...merged.echoes.entries()].sort((a, b) => a[0] - b[0]),
  checked: merged.checked,
  claims: merged.claims,
  members: merged.members,
  indexLines: merged.indexLines,
  rejected: merged.rejectedRecords,
});

/** Generated lines plus a few records that do not parse, spread through the file. */
function withBrokenRecords(seed: number): string {
  const records = lineSpecs(generate(seed, COUNT)).map((line) => recordOf(line));
  const random = seeded(seed + 99);
  for (const broken of ['too,few', `${records[0]},extra`, 'ab"c,d', '"multi\nline",x']) {
    records.splice(random.int(records.length), 0, broken);
  }
  return `${[headerOf(), ...records].join('\n')}\n`;
}

describe('(b) the chunking does not matter', () => {
  it.each(SEEDS)(
    'seed %i: recordsPerChunk 1, 7 and 50 give the same report files as one chunk',
    async (seed) => {
      const text = withBrokenRecords(seed);
      const history = inMemoryHistory(parseHistoryCsv(historyCsv(seed)).sessions);
      const whole = await scrub(text, { history });
      // Four broken records; the multi-line one does not parse into the columns, so it is re-read as two lines.
      expect(whole.rejected.length).toBe(5);
      for (const recordsPerChunk of [1, 7, 50]) {
        const run = await scrub(text, { history, recordsPerChunk });
        expect(run.result.files, `recordsPerChunk ${recordsPerChunk}`).toEqual(whole.result.files);
      }
    },
  );

  it.each(SEEDS)(
    'seed %i: random non-contiguous partitions, merged in random order, give the same findings',
    async (seed) => {
      const text = withBrokenRecords(seed);
      const sessions = parseHistoryCsv(historyCsv(seed)).sessions;
      const whole = await scrub(text, { history: inMemoryHistory(sessions) });
      const expected = view(whole.result.batch!);
      const read = await intake(text, { recordsPerChunk: 1 });
      expectEveryLineAccounted(text, read);
      expect(read.chunks.length).toBe(COUNT + 4); // broken records are framed, then rejected by the parser
      const random = seeded(seed + 5000);
      for (let round = 0; round < 5; round += 1) {
        const groupCount = 1 + random.int(25);
        const groups: number[][] = Array.from({ length: groupCount }, () => []);
        for (let position = 0; position < read.chunks.length; position += 1)
          groups[random.int(groupCount)]!.push(position);
        const chunks = regroup(
          read.chunks,
          groups.filter((group) => group.length > 0),
        );
        const accumulator = new BatchAccumulator({ linesInOrder: false });
        accumulator.addRejected(read.result.rejected);
        for (const chunk of random.shuffle(chunks))
          accumulator.add(checkChunk(chunk, read.layout!, { asOfDay: epochDay(AS_OF) }));
        const merged = await accumulator.finish(inMemoryHistory(sessions));
        expect(view(merged), `round ${round}: ${groupCount} chunks`).toEqual(expected);
      }
    },
  );

  it('merging partials twice the same way is deterministic (findings sorted by line, then rule id)', async () => {
    const text = withBrokenRecords(4);
    const first = await scrub(text);
    const findings = first.result.batch!.findings;
    const sorted = [...findings].sort(
      (a, b) => a.line - b.line || (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0),
    );
    expect(findings).toEqual(sorted);
    expect((await scrub(text)).result.files).toEqual(first.result.files);
  });
});

describe('(c) accounting holds on every report', () => {
  it.each([10, 11, 12, 13, 14])(
    'seed %i: lines, flagged lines, dollars at risk and byRule add up',
    async (seed) => {
      const lines = generate(seed, 150);
      const run = await scrub(`${batch(lines)}broken\n`, { recordsPerChunk: 1 + (seed % 5) * 13 });
      expectAccounting(run);
      // And, independently of findings.csv, from the merged batch and the input.
      const batchResult = run.result.batch!;
      const errorLines = new Set(
        batchResult.findings
          // The severities of rules.md (the default pack judges every line here).
          .filter((item) => SPEC_RULES[item.ruleId as SpecRuleId] === 'error')
          .map((item) => item.line),
      );
      let cents = 0;
      for (const line of errorLines) {
        const charge = lines[line - 2]!.charge!;
        const amount = Number(charge.replace(/[$,]/g, ''));
        if (Number.isFinite(amount) && amount > 0) cents += Math.round(amount * 100);
      }
      expect(Math.round(run.summary.dollarsAtRisk * 100)).toBe(cents);
      expect(run.summary.counts.flaggedLines).toBe(
        new Set(batchResult.findings.map((item) => item.line)).size,
      );
      expect(run.summary.counts.lines).toBe(151);
      expect(run.summary.counts.checked).toBe(150);
      expect(lineOf(149)).toBe(151);
    },
  );
});
