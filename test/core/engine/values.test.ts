/** Field parsing: dates, amounts, units, NPIs, code normalisation. */
import { describe, expect, it } from 'vitest';
import {
  formatCents,
  formatDay,
  isoDateOf,
  isValidNpi,
  normalizeDiagnosis,
  parseCents,
  parseDate,
  parseUnits,
  splitList,
} from '../../../functions/core/engine/values.js';
import { epochDay } from '../../support/dates.js';
import { npi } from '../../support/npi.js';
import { seeded } from '../../support/random.js';

describe('parseDate', () => {
  it.each([
    ['2026-11-28', '2026-11-28'],
    ['11/28/2026', '2026-11-28'],
    ['1/2/2026', '2026-01-02'],
    ['01/02/2026', '2026-01-02'],
    ['20261128', '2026-11-28'],
    ['2024-02-29', '2024-02-29'],
    ['2000-02-29', '2000-02-29'],
    ['1900-02-28', '1900-02-28'],
  ])('reads %s as %s', (text, iso) => {
    expect(parseDate(text)).toBe(epochDay(iso));
    expect(formatDay(parseDate(text)!)).toBe(iso);
    expect(isoDateOf(text)).toBe(iso);
  });

  it.each([
    '2023-02-29',
    '1900-02-29',
    '2026-02-30',
    '2026-04-31',
    '2026-00-10',
    '2026-13-01',
    '2026-11-00',
    '13/01/2026',
    '2026-11-2',
    '26-11-28',
    '',
    'today',
  ])('rejects %j', (text) => {
    expect(parseDate(text)).toBeUndefined();
    expect(isoDateOf(text)).toBeUndefined();
  });

  it('agrees with the calendar for every day of 2023–2025 in all three formats', () => {
    const wrong: string[] = [];
    for (let day = epochDay('2023-01-01'); day <= epochDay('2025-12-31'); day += 1) {
      const iso = new Date(day * 86_400_000).toISOString().slice(0, 10);
      const [year, month, dom] = iso.split('-');
      for (const text of [
        iso,
        `${month}/${dom}/${year}`,
        `${Number(month)}/${Number(dom)}/${year}`,
        `${year}${month}${dom}`,
      ]) {
        if (parseDate(text) !== day) wrong.push(text);
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe('parseCents and formatCents', () => {
  it.each([
    ['1250.00', 125000],
    ['$1,250.00', 125000],
    ['1,250', 125000],
    ['$1,000,000.01', 100000001],
    ['1250.5', 125050],
    ['0', 0],
    ['.5', 50],
  ])('reads %j as %i cents', (text, cents) => {
    expect(parseCents(text)).toBe(cents);
  });

  it.each(['-1', '1,25', '12,5000', '1.234', '$', '', 'abc', '1 250', '$-1'])('rejects %j', (text) => {
    expect(parseCents(text)).toBeUndefined();
  });

  it.each([
    [125000, '1250.00'],
    [5, '0.05'],
    [100000001, '1000000.01'],
  ])('writes %i cents as %s', (cents, text) => {
    expect(formatCents(cents)).toBe(text);
  });
});

describe('parseUnits', () => {
  it.each([
    ['1', 1],
    ['12', 12],
  ])('reads %j as %i', (text, units) => {
    expect(parseUnits(text)).toBe(units);
  });

  it.each(['0', '-1', '1.5', 'x', '', '1e2'])('rejects %j', (text) => {
    expect(parseUnits(text)).toBeUndefined();
  });
});

describe('isValidNpi', () => {
  it('agrees with an independent Luhn (80840 prefix) on 2000 random bases', () => {
    const random = seeded(62323);
    const disagree: string[] = [];
    for (let index = 0; index < 2000; index += 1) {
      const base = `${random.pick(['1', '2'])}${String(random.int(100_000_000)).padStart(8, '0')}`;
      const valid = npi(base);
      if (!isValidNpi(valid)) disagree.push(valid);
      const wrong = `${base}${(Number(valid[9]) + 1 + random.int(9)) % 10}`;
      if (isValidNpi(wrong)) disagree.push(wrong);
    }
    expect(disagree).toEqual([]);
  });

  it('requires 10 digits starting with 1 or 2', () => {
    expect(isValidNpi(npi('345678901'))).toBe(false);
    expect(isValidNpi('123456789')).toBe(false);
    expect(isValidNpi('12345678931')).toBe(false);
    expect(isValidNpi('123456789X')).toBe(false);
  });
});

describe('codes', () => {
  it('normalises diagnoses without the dot, upper-case, trimmed', () => {
    expect(normalizeDiagnosis(' m54.16 ')).toBe('M5416');
  });

  it('splits list cells on spaces, commas, colons, semicolons and pipes', () => {
    expect(splitList('50|KX')).toEqual(['50', 'KX']);
    expect(splitList('M54.16; M48.062')).toEqual(['M54.16', 'M48.062']);
    expect(splitList(' 25 , 59:XS|XU ;GA ')).toEqual(['25', '59', 'XS', 'XU', 'GA']);
  });
});

/** Straightforward readings of formats.md, to compare the engine's fast paths against. */
const reference = {
  date(text: string): number | undefined {
    let match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(text);
    let parts: [number, number, number] | undefined;
    if (match) parts = [Number(match[1]), Number(match[2]), Number(match[3])];
    match = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text);
    if (match) parts = [Number(match[3]), Number(match[1]), Number(match[2])];
    if (!parts) return undefined;
    const [year, month, day] = parts;
    if (year < 1000 || month < 1 || month > 12 || day < 1) return undefined;
    const date = new Date(Date.UTC(year, month - 1, day));
    if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
    return date.getTime() / 86_400_000;
  },
  cents(text: string): number | undefined {
    const match = /^\$?(\d{1,3}(?:,\d{3})+|\d+)?(?:\.(\d{1,2}))?$/.exec(text);
    if (!match || (match[1] === undefined && match[2] === undefined)) return undefined;
    const cents =
      Number((match[1] ?? '0').replaceAll(',', '')) * 100 + Number((match[2] ?? '0').padEnd(2, '0'));
    return Number.isSafeInteger(cents) ? cents : undefined;
  },
  // The one ICD-10-CM dot stands after the third character; any other dot is kept (and judged).
  diagnosis: (code: string): string => {
    const upper = code.trim().toUpperCase();
    return /^[^.]{3}\.[^.]+$/.test(upper) ? upper.replace('.', '') : upper;
  },
};

describe('fast paths agree with a plain reading of the formats (seeded fuzz)', () => {
  const random = seeded(20261128);
  const text = (alphabet: string, maxLength: number) =>
    Array.from({ length: random.int(maxLength + 1) }, () => alphabet[random.int(alphabet.length)]).join('');

  it('parseDate', () => {
    const differ: string[] = [];
    for (let index = 0; index < 20_000; index += 1) {
      const value = random.chance(0.5) ? text('0123456789-/', 10) : text('0123456789', 8);
      if (parseDate(value) !== reference.date(value)) differ.push(value);
    }
    expect(differ).toEqual([]);
    for (const value of ['2026-11-28', '20261128', '11/28/2026', '0999-01-01', '2026-1a-01', '2026+11+28']) {
      expect(parseDate(value), value).toBe(reference.date(value));
    }
  });

  it('parseCents', () => {
    const differ: string[] = [];
    for (let index = 0; index < 20_000; index += 1) {
      const value = text('0123456789.,$-+ ', 9);
      if (parseCents(value) !== reference.cents(value)) differ.push(value);
    }
    expect(differ).toEqual([]);
    for (const value of [
      '1250.',
      '.',
      '12.345',
      '9999999999999.99',
      '99999999999999999',
      '1,250.5',
      '00.50',
    ]) {
      expect(parseCents(value), value).toBe(reference.cents(value));
    }
  });

  it('normalizeDiagnosis', () => {
    const differ: string[] = [];
    for (let index = 0; index < 20_000; index += 1) {
      const value = text('Mm5416.G8 \t', 9);
      if (normalizeDiagnosis(value) !== reference.diagnosis(value)) differ.push(value);
    }
    expect(differ).toEqual([]);
  });
});
