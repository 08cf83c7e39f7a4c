import { describe, expect, it } from 'vitest';
import { isValidNpi } from '../../functions/core/engine/values.js';
import { batch, defaultLine, headerOf, lineOf } from './batch.js';
import { addDays, epochDay } from './dates.js';
import { NPI_A, NPI_B, NPI_BAD_CHECK, NPI_C, npi, npiCheckDigit } from './npi.js';
import { seeded } from './random.js';
import { scrub } from './run.js';

describe('test factory', () => {
  it('computes NPI check digits independently (NPPES example 123456789 → 3)', () => {
    expect(npiCheckDigit('123456789')).toBe(3);
    expect(npi('123456789')).toBe(NPI_A);
    for (const valid of [NPI_A, NPI_B, NPI_C]) expect(isValidNpi(valid)).toBe(true);
    expect(isValidNpi(NPI_BAD_CHECK)).toBe(false);
  });

  it('builds a batch whose default lines are clean', async () => {
    const run = await scrub(batch([{}, {}, {}]));
    expect(run.rows).toEqual([]);
    expect(run.summary.counts).toMatchObject({
      lines: 3,
      checked: 3,
      rejected: 0,
      indexLines: 3,
      flaggedLines: 0,
    });
  });

  it('puts the i-th record on physical line i + 2', () => {
    const text = batch([{ claim_id: 'FIRST' }, { claim_id: 'SECOND' }]);
    const physical = text.split('\n');
    expect(physical[0]).toBe(headerOf());
    expect(physical[lineOf(1) - 1]).toContain('SECOND');
  });

  it('quotes cells that need it and fills defaults', () => {
    const text = batch([{ payer: 'Plan, "East"', modifiers: ['59'] }]);
    expect(text.split('\n')[1]).toContain('"Plan, ""East"""');
    expect(defaultLine(7).claim_id).toBe('CLM007');
  });

  it('does date arithmetic in UTC', () => {
    expect(addDays('2026-11-28', -364)).toBe('2025-11-29');
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(epochDay('1970-01-02')).toBe(1);
  });

  it('has a reproducible PRNG', () => {
    const a = seeded(42);
    const b = seeded(42);
    const draws = Array.from({ length: 20 }, () => a.next());
    expect(Array.from({ length: 20 }, () => b.next())).toEqual(draws);
    expect(draws.every((value) => value >= 0 && value < 1)).toBe(true);
    expect(seeded(7).shuffle([1, 2, 3, 4, 5]).sort()).toEqual([1, 2, 3, 4, 5]);
  });
});
