/**
 * Bounded related lines: a finding lists the 20 lowest other lines of its group and, when there
 * are more, its message gives how many in all; groups of 20 or fewer read exactly as before.
 */
import { describe, expect, it } from 'vitest';
import {
  lowestOfBoth,
  RELATED_LIMIT,
  RelatedLines,
  withTotal,
} from '../../../functions/core/engine/related.js';
import { batch, type LineInput, lineOf } from '../../support/batch.js';
import { expectFinding, rowsOf, scrub } from '../../support/run.js';

const range = (from: number, count: number): number[] => Array.from({ length: count }, (_, at) => from + at);

describe('RelatedLines', () => {
  it('lists every other line of a group of up to 21, and shares one list for lines outside the lowest 21', () => {
    const small = new RelatedLines([3, 5, 9]);
    expect(small.of(5)).toEqual([3, 9]);
    expect(small.of()).toEqual([3, 5, 9]);
    expect(small.total(5)).toBe(2);
    expect(small.message('m', 5)).toBe('m');

    const big = new RelatedLines(range(10, 1000));
    expect(big.of(10)).toEqual(range(11, 20));
    expect(big.of(29)).toEqual(range(10, 19).concat(30));
    expect(big.of(30)).toEqual(range(10, 20));
    expect(big.of(500)).toBe(big.of(900));
    expect(big.of()).toBe(big.of(500));
    expect(big.total(500)).toBe(999);
    expect(big.total()).toBe(1000);
  });

  it('gives the total in the message, thousands separated, only when more lines are involved than listed', () => {
    expect(withTotal('m', RELATED_LIMIT)).toBe('m');
    expect(withTotal('m', 1203)).toBe('m (1,203 related lines; the 20 lowest are listed)');
    expect(new RelatedLines(range(2, 22)).message('m', 2)).toBe(
      'm (21 related lines; the 20 lowest are listed)',
    );
  });

  it('merges the lowest lines of two groups', () => {
    expect(lowestOfBoth([1, 4], [2, 3])).toEqual([1, 2, 3, 4]);
    expect(lowestOfBoth(range(0, 20), range(100, 20))).toEqual(range(0, 20));
    expect(lowestOfBoth([], [7])).toEqual([7]);
  });
});

describe('cross-line rules over big groups', () => {
  const ENC = { member_id: 'M-BIG', date_of_service: '2026-11-02' } as const;

  it('UNITS_EXCEED_MUE over 30 lines of one encounter: each lists the 20 lowest others and says 29', async () => {
    const run = await scrub(batch(Array.from({ length: 30 }, () => ({ ...ENC }) satisfies LineInput)));
    const lines = range(0, 30).map(lineOf);
    const first = expectFinding(run, 'UNITS_EXCEED_MUE', lines[0]!, lines.slice(1, 21));
    expect(first.message).toMatch(
      /^30 units of 62323 in one encounter.* \(29 related lines; the 20 lowest are listed\)$/,
    );
    expectFinding(run, 'UNITS_EXCEED_MUE', lines[29]!, lines.slice(0, 20));
    expectFinding(run, 'UNITS_EXCEED_MUE', lines[5]!, [...lines.slice(0, 5), ...lines.slice(6, 21)]);
  });

  it('IMAGING_BUNDLED beside 25 index lines lists the lowest 20 and says 25', async () => {
    const run = await scrub(
      batch([...Array.from({ length: 25 }, () => ({ ...ENC })), { ...ENC, procedure_code: '77003' }]),
    );
    const row = expectFinding(run, 'IMAGING_BUNDLED', lineOf(25), range(0, 20).map(lineOf));
    expect(row.message).toMatch(/\(25 related lines; the 20 lowest are listed\)$/);
  });

  it('FREQUENCY_EXCEEDED relates the lowest lines of the window, whatever order dates come in', async () => {
    // 40 weekly dates, written newest first: the earliest dates are the highest lines.
    const dates = Array.from({ length: 40 }, (_, at) =>
      new Date(Date.UTC(2025, 11, 1) + (39 - at) * 7 * 86_400_000).toISOString().slice(0, 10),
    );
    const run = await scrub(batch(dates.map((date) => ({ member_id: 'M-FREQ', date_of_service: date }))));
    const rows = rowsOf(run, 'FREQUENCY_EXCEEDED');
    expect(rows.length).toBeGreaterThan(20);
    for (const row of rows) {
      const index = row.line - lineOf(0);
      const day = Date.parse(dates[index]!);
      // Brute force: index lines of earlier dates within 365 days.
      const expected = dates
        .map((date, at) => ({ at, day: Date.parse(date) }))
        .filter((other) => other.day < day && other.day >= day - 365 * 86_400_000)
        .map((other) => lineOf(other.at))
        .sort((a, b) => a - b);
      expect(row.related_lines, `line ${row.line}`).toBe(expected.slice(0, 20).join(' '));
      if (expected.length > 20) expect(row.message).toContain(`(${expected.length} related lines;`);
      else expect(row.message).not.toContain('related lines');
    }
  });
});
