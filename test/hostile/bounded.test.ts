/**
 * Bounded output per finding and flat memory: however many lines share an encounter, a session or a
 * member, a finding lists at most the 20 lowest related lines and its message gives the total; and a
 * batch where every line is flagged peaks in memory like a clean one. Memory is measured with
 * /usr/bin/time -v where present (the assertion is skipped otherwise); time is never asserted.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type CsvRow,
  check,
  csv,
  describeRun,
  HAS_GNU_TIME,
  HOSTILE_BIG,
  readReport,
  readSummary,
  row,
  type Scratch,
  scratch,
  spillLeftovers,
  writeRows,
} from './support.js';

const related = (finding: CsvRow): number[] =>
  (finding.related_lines ?? '').split(' ').filter(Boolean).map(Number);

/** The count as the message may write it: `19,999` or `19999`. */
const countPattern = (...totals: number[]): RegExp =>
  new RegExp(
    `(?<![\\d,])(${totals.map((total) => `${total.toLocaleString('en-US')}|${total}`).join('|')})(?![\\d,])`,
  );

/** The 20 lowest of `lines` other than `self`. */
const lowestOthers = (lines: readonly number[], self: number): number[] =>
  lines.filter((line) => line !== self).slice(0, 20);

function expectBounded(findings: CsvRow[]): void {
  const tooLong = findings.filter((finding) => related(finding).length > 20);
  expect(tooLong.length, `findings with more than 20 related lines (first: ${tooLong[0]?.rule_id})`).toBe(0);
  const unsorted = findings.filter((finding) =>
    related(finding).some((line, index, all) => index > 0 && line <= all[index - 1]!),
  );
  expect(unsorted.length, 'related lines ascending').toBe(0);
}

async function runBig(
  space: Scratch,
  name: string,
  lines: number,
  rowOf: (index: number) => string,
  timeoutMs = 45_000,
) {
  const file = join(space.root, 'in', `${name}.csv`);
  await writeRows(file, lines, rowOf);
  const out = space.out(name);
  const result = await check(file, out, [], { tmp: space.tmp, measure: true, timeoutMs });
  return { result, out };
}

const MEMORY_MB = 600;

function expectMemory(peakRssMb: number | undefined, limitMb: number, what: string): void {
  if (!HAS_GNU_TIME || peakRssMb === undefined) return;
  console.log(`${what}: peak RSS ${Math.round(peakRssMb)} MB`);
  expect(peakRssMb, `${what}: peak RSS in MB`).toBeLessThan(limitMb);
}

describe('hostile: bounded findings and flat memory', () => {
  it('one encounter of 20,000 lines of 62323 (member N/A): each UNITS_EXCEED_MUE lists ≤ 20 related lines and gives the total', async () => {
    const space = await scratch('encounter-20k');
    const { result, out } = await runBig(space, 'encounter', 20_000, (index) =>
      row(index, { member_id: 'N/A' }),
    );
    expect(result.code, describeRun(result)).toBe(0);
    expectMemory(result.peakRssMb, MEMORY_MB, '20,000-line encounter');
    const report = await readReport(out);
    const mue = report.findings.filter((finding) => finding.rule_id === 'UNITS_EXCEED_MUE');
    expect(mue).toHaveLength(20_000);
    expectBounded(report.findings);
    const all = Array.from({ length: 20_000 }, (_, index) => index + 2);
    const wrong = mue.filter(
      (finding) => related(finding).join(' ') !== lowestOthers(all, Number(finding.line)).join(' '),
    );
    expect(
      wrong.length,
      `findings whose related lines are not the 20 lowest others (first: line ${wrong[0]?.line})`,
    ).toBe(0);
    const total = countPattern(19_999, 20_000);
    const silent = mue.filter((finding) => !total.test(finding.message ?? ''));
    expect(silent.length, `messages without the total (first: ${silent[0]?.message})`).toBe(0);
    expect(await spillLeftovers(space.tmp)).toEqual([]);
  }, 60_000);

  it('one encounter of 100,000 lines checks in bounded memory, with bounded findings', async () => {
    const space = await scratch('encounter-100k');
    const { result, out } = await runBig(space, 'encounter', 100_000, (index) =>
      row(index, { member_id: 'N/A' }),
    );
    expect(result.code, describeRun(result)).toBe(0);
    expectMemory(result.peakRssMb, MEMORY_MB, '100,000-line encounter');
    const report = await readReport(out);
    expect(report.summary.counts.checked).toBe(100_000);
    expectBounded(report.findings);
  }, 60_000);

  it('one member with 100,000 lines over many dates (frequency and MUE) checks in bounded memory, with bounded findings', async () => {
    const space = await scratch('member-100k');
    const day = (index: number) => {
      const date = new Date(Date.UTC(2026, 0, 1) + (index % 300) * 86_400_000);
      return date.toISOString().slice(0, 10);
    };
    const { result, out } = await runBig(space, 'member', 100_000, (index) =>
      row(index, { member_id: 'ONE-MEMBER', date_of_service: day(index) }),
    );
    expect(result.code, describeRun(result)).toBe(0);
    expectMemory(result.peakRssMb, MEMORY_MB, '100,000-line member');
    const report = await readReport(out);
    expect(report.findings.some((finding) => finding.rule_id === 'FREQUENCY_EXCEEDED')).toBe(true);
    expectBounded(report.findings);
  }, 60_000);

  it('every session and encounter rule bounds its related lines and gives the total (5,000 index lines in one encounter)', async () => {
    const space = await scratch('encounter-rules');
    const index = 5_000;
    // Each companion line triggers one cross-line rule whose related lines are the 5,000 index lines.
    const companions: [string, Parameters<typeof row>[1]][] = [
      ['IMAGING_BUNDLED', { procedure_code: '77003', dx_1: 'M54.16' }],
      ['NO_IMAGING_TWIN', { procedure_code: '62322' }],
      ['CATHETER_TWIN', { procedure_code: '62324' }],
      ['EM_SAME_DAY_NO_25', { procedure_code: '99213' }],
      ['ONE_REGION_PER_SESSION', { procedure_code: '62321' }],
      ['SAME_SESSION_OTHER_SPINAL', { procedure_code: '64483' }],
      ['SEDATION_SAME_SESSION', { procedure_code: '99152' }],
      ['DRUG_IN_FACILITY', { procedure_code: 'J3301', place_of_service: '22', units: '4' }],
      ['ANESTHESIA_BY_PROCEDURALIST', { procedure_code: '00630' }],
      ['DRUG_UNITS_HIGH', { procedure_code: 'J3301', units: '12' }],
    ];
    const file = join(space.root, 'in', 'rules.csv');
    await writeRows(file, index + companions.length, (at) =>
      at < index
        ? row(at, { member_id: 'MBIG' })
        : row(at, { member_id: 'MBIG', prior_auth: '', ...companions[at - index]![1] }),
    );
    const out = space.out('rules');
    const result = await check(file, out, [], { tmp: space.tmp, measure: true, timeoutMs: 45_000 });
    expect(result.code, describeRun(result)).toBe(0);
    const report = await readReport(out);
    expectBounded(report.findings);
    const indexLines = Array.from({ length: index }, (_, at) => at + 2);
    const missing: string[] = [];
    const problems: string[] = [];
    companions.forEach(([ruleId], offset) => {
      const line = String(index + offset + 2);
      const finding = report.findings.find((item) => item.rule_id === ruleId && item.line === line);
      if (!finding) {
        missing.push(`${ruleId} on line ${line}`);
        return;
      }
      if (related(finding).join(' ') !== indexLines.slice(0, 20).join(' '))
        problems.push(`${ruleId}: related ${finding.related_lines?.slice(0, 60)}`);
      if (!countPattern(index).test(finding.message ?? ''))
        problems.push(`${ruleId}: message "${finding.message}"`);
    });
    expect(missing, 'companion findings present').toEqual([]);
    expect(problems, 'related = the 20 lowest index lines, message gives 5,000').toEqual([]);
    const mue = report.findings.filter((finding) => finding.rule_id === 'UNITS_EXCEED_MUE');
    expect(mue).toHaveLength(index);
    expect(mue.every((finding) => countPattern(index - 1, index).test(finding.message ?? ''))).toBe(true);
  }, 60_000);

  it('FREQUENCY_EXCEEDED over 30 dates of one member lists ≤ 20 related lines and gives the total', async () => {
    const space = await scratch('frequency-30');
    const rows = Array.from({ length: 30 }, (_, at) =>
      row(at, {
        member_id: 'MFREQ',
        date_of_service: new Date(Date.UTC(2026, 0, 5) + at * 7 * 86_400_000).toISOString().slice(0, 10),
      }),
    );
    const file = await space.file('frequency.csv', csv(rows));
    const out = space.out('frequency');
    const result = await check(file, out, [], { tmp: space.tmp });
    expect(result.code, describeRun(result)).toBe(0);
    const report = await readReport(out);
    const frequency = report.findings.filter((finding) => finding.rule_id === 'FREQUENCY_EXCEEDED');
    expect(frequency.length).toBeGreaterThan(20);
    expectBounded(frequency);
    const last = frequency.find((finding) => finding.line === '31');
    expect(last, 'the 30th date exceeds the frequency').toBeDefined();
    expect(related(last!)).toEqual(Array.from({ length: 20 }, (_, at) => at + 2));
    expect(last!.message).toMatch(countPattern(29, 30));
  });

  it('a batch where every line is flagged peaks in memory like a clean one (200,000 lines)', async () => {
    const space = await scratch('flagged-200k');
    const clean = await runBig(space, 'clean', 200_000, (at) => row(at));
    expect(clean.result.code, describeRun(clean.result)).toBe(0);
    const flagged = await runBig(space, 'flagged', 200_000, (at) =>
      row(at, {
        modifiers: '50',
        prior_auth: '',
        member_id: `M${at % 20_000}`,
        claim_id: `C${at % 150_000}`,
      }),
    );
    expect(flagged.result.code, describeRun(flagged.result)).toBe(0);
    expect((await readSummary(flagged.out)).counts.flaggedLines).toBe(200_000);
    expectMemory(clean.result.peakRssMb, MEMORY_MB, 'clean 200,000 lines');
    expectMemory(flagged.result.peakRssMb, MEMORY_MB, 'flagged 200,000 lines');
    if (clean.result.peakRssMb !== undefined && flagged.result.peakRssMb !== undefined) {
      // A peak moves by ±25 MB between runs with when the collector runs (more on a loaded machine):
      // each batch's figure is the lower of two runs of it.
      const again = async (name: string) => {
        const file = join(space.root, 'in', `${name}.csv`);
        const rerun = await check(file, space.out(`${name}-again`), [], { tmp: space.tmp, measure: true });
        return rerun.peakRssMb ?? Infinity;
      };
      const cleanPeak = Math.min(clean.result.peakRssMb, await again('clean'));
      const flaggedPeak = Math.min(flagged.result.peakRssMb, await again('flagged'));
      expect(flaggedPeak, 'flagged peak within clean peak + 200 MB').toBeLessThan(cleanPeak + 200);
    }
  }, 120_000);

  it.skipIf(!HOSTILE_BIG)(
    'SCRUB_HOSTILE_BIG: 1,000,000 lines, every one flagged, peak ≤ 300 MB like a clean batch',
    async () => {
      const space = await scratch('flagged-1m');
      const clean = await runBig(space, 'clean', 1_000_000, (at) => row(at), 280_000);
      expect(clean.result.code, describeRun(clean.result)).toBe(0);
      expectMemory(clean.result.peakRssMb, 300, 'clean 1,000,000 lines');
      const flagged = await runBig(
        space,
        'flagged',
        1_000_000,
        (at) =>
          row(at, {
            modifiers: '50',
            prior_auth: '',
            member_id: `M${at % 50_000}`,
            claim_id: `C${at % 700_000}`,
          }),
        280_000,
      );
      expect(flagged.result.code, describeRun(flagged.result)).toBe(0);
      expectMemory(flagged.result.peakRssMb, 300, 'flagged 1,000,000 lines');
      expect((await readSummary(flagged.out)).counts.flaggedLines).toBe(1_000_000);
    },
    600_000,
  );
});
