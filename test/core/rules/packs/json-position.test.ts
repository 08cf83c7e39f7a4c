import { describe, expect, it } from 'vitest';
import { jsonFault } from '../../../../functions/core/rules/packs/json-position.js';

const parses = (text: string): boolean => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

const TEXTS = [
  '{}',
  '[]',
  ' {"a" : [1, -2.5e+3, 0, true, false, null, "x\\u00e9\\n\\"\\/"]}\r\n',
  '"\\uD83D\\uDE00"',
  '-0',
  '1E5',
  '0.5',
  '01',
  '1.',
  '.5',
  '-',
  '+1',
  '1e',
  '[1,]',
  '{"a":1,}',
  '{"a" 1}',
  '{a:1}',
  "{'a':1}",
  '"tab\there"',
  '"bad \\x escape"',
  '"\\u12G4"',
  'nul',
  'true false',
  '[[[]]]',
  '[[[]]',
  '{"a":{"b":[{}]}}',
  '{"a":{"b":[{}]]}',
  '',
  '   ',
  '\u00a0{}',
  '{}\u00a0',
  'NaN',
  '[1 2]',
  '{"a":1 "b":2}',
  '{,}',
  '[,1]',
  '"unterminated',
];

describe('jsonFault', () => {
  it.each(TEXTS)('agrees with JSON.parse on %j', (text) => {
    expect(jsonFault(text) === undefined).toBe(parses(text));
  });

  it('agrees with JSON.parse on damaged copies of a pack', () => {
    const source = JSON.stringify(
      {
        name: 'p',
        version: '1',
        rules: { TIMELY_FILING: { days: 90, source: 'a "quoted" \\ text' } },
        payers: [],
      },
      null,
      2,
    );
    // A fixed linear congruential sequence: the same damage on every run.
    let seed = 42;
    const next = (below: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % below;
    };
    const pieces = ['', '"', '\\', ',', ':', '{', '}', '[', ']', '1', '-', 'e', ' ', '\n', 't', '\u0001'];
    for (let round = 0; round < 3000; round += 1) {
      const at = next(source.length);
      const text = source.slice(0, at) + pieces[next(pieces.length)] + source.slice(at + next(3));
      expect(jsonFault(text) === undefined, text).toBe(parses(text));
    }
  });

  it('names line and column', () => {
    expect(jsonFault('{\n  "a": 1,\n  "b" 2\n}')).toEqual({
      offset: 18,
      line: 3,
      column: 7,
      reason: "expected ':' after the property name",
    });
    expect(jsonFault('"a\u0001"')).toMatchObject({
      line: 1,
      column: 3,
      reason: expect.stringContaining('control character'),
    });
    expect(jsonFault('["a\\q"]')).toMatchObject({ column: 4, reason: 'bad escape in a string' });
  });

  it('survives nesting deeper than the call stack', () => {
    expect(jsonFault('['.repeat(200_000))).toMatchObject({
      offset: 200_000,
      reason: 'the file ends before the JSON does',
    });
    expect(jsonFault(`${'['.repeat(200_000)}${']'.repeat(200_000)}`)).toBeUndefined();
  });
});
