import { describe, expect, it } from 'vitest';
import { formatCount, formatMoney } from '../../../functions/core/report/format.js';

describe('number formatting', () => {
  it('writes counts with thousands separators', () => {
    expect(formatCount(0)).toBe('0');
    expect(formatCount(1234567)).toBe('1,234,567');
  });

  it('writes dollars to the cent with thousands separators', () => {
    expect(formatMoney(0)).toBe('$0.00');
    expect(formatMoney(1234.5)).toBe('$1,234.50');
    expect(formatMoney(0.005)).toBe('$0.01');
    expect(formatMoney(1e6)).toBe('$1,000,000.00');
  });
});
