import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson, parseRulePack } from '../../../../functions/core/rules/packs/pack-file.js';
import { ORIGIN, SPEC_EXAMPLE } from './helpers.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('canonicalJson', () => {
  it('sorts keys at every level and writes no white space', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: true, y: null }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}',
    );
  });

  it('keeps the order of arrays', () => {
    expect(canonicalJson([3, 1, 2])).toBe('[3,1,2]');
  });

  it('orders keys by UTF-16 code units (upper case before lower, astral before U+FFFF)', () => {
    const keys = Object.keys(
      JSON.parse(canonicalJson({ '\uffff': 1, a: 1, '\u{1f600}': 1, B: 1, é: 1, '': 1 })),
    );
    expect(keys).toEqual(['', 'B', 'a', 'é', '\u{1f600}', '\uffff']);
  });

  it('writes strings and numbers as JSON.stringify does (RFC 8785 for ECMAScript)', () => {
    expect(canonicalJson(['line\n"q"\u0007', 1e21, 0.1, -0, 100, 1.5e-7])).toBe(
      '["line\\n\\"q\\"\\u0007",1e+21,0.1,0,100,1.5e-7]',
    );
  });

  it('leaves out undefined members and refuses what JSON cannot hold', () => {
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
    expect(() => canonicalJson(Number.NaN)).toThrow(TypeError);
    expect(() => canonicalJson(Number.POSITIVE_INFINITY)).toThrow(TypeError);
    expect(() => canonicalJson(() => 1)).toThrow(TypeError);
  });

  it('is what JSON.stringify writes for a value whose keys are already sorted', () => {
    const value = { a: [1, 'two', { b: false }], c: { d: null } };
    expect(canonicalJson(value)).toBe(JSON.stringify(value));
  });
});

describe('a pack’s sha256', () => {
  const reordered = JSON.stringify(
    {
      lists: { coveredDiagnoses: { remove: ['M5430', 'M5431', 'M5432'] } },
      rules: {
        TIMELY_FILING: { days: 90 },
        KX_ON_INTERLAMINAR: { enabled: false },
        PRIOR_AUTH_MISSING: { severity: 'error' },
        REPEAT_TOO_SOON: { days: 14, enabled: true },
        FREQUENCY_EXCEEDED: {
          windows: [
            { days: 183, limit: 3 },
            { days: 365, limit: 4 },
          ],
        },
      },
      payers: ['Acme Health', 'Bluebird Commercial'],
      description: 'Utilization-management guideline used by several commercial plans',
      extends: '62323/v2',
      version: '3',
      name: 'commercial-um',
    },
    null,
    4,
  );

  it('is the SHA-256 of the canonical JSON of the file as written', () => {
    expect(parseRulePack(SPEC_EXAMPLE, ORIGIN).sha256).toBe(sha256(canonicalJson(JSON.parse(SPEC_EXAMPLE))));
  });

  it('does not change with key order, layout or origin', () => {
    expect(parseRulePack(reordered, 'elsewhere.json').sha256).toBe(
      parseRulePack(SPEC_EXAMPLE, ORIGIN).sha256,
    );
  });

  it('changes with any value, and with a default written out', () => {
    const base = parseRulePack(SPEC_EXAMPLE, ORIGIN).sha256;
    expect(parseRulePack(SPEC_EXAMPLE.replace('"days": 90', '"days": 91'), ORIGIN).sha256).not.toBe(base);
    // The hash is of the file as written: leaving out `extends` is another file, though it means the same.
    expect(parseRulePack(SPEC_EXAMPLE.replace('"extends": "62323/v2",', ''), ORIGIN).sha256).not.toBe(base);
  });
});
