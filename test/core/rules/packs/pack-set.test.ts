import { describe, expect, it } from 'vitest';
import {
  BUILT_IN_PACK,
  type LoadedPack,
  parseRulePack,
  RulePackError,
} from '../../../../functions/core/rules/packs/pack-file.js';
import { checkPackSet, MAX_PACKS, payerKey } from '../../../../functions/core/rules/packs/pack-set.js';

const loaded = (name: string, payers: string[] = [], origin = `packs/${name}.json`): LoadedPack =>
  parseRulePack(JSON.stringify({ name, version: '1', payers, rules: {} }), origin);

function setProblems(packs: readonly LoadedPack[], defaultName?: string): readonly string[] {
  try {
    checkPackSet(packs, defaultName);
    return [];
  } catch (error) {
    if (error instanceof RulePackError) return error.problems;
    throw error;
  }
}

describe('payerKey', () => {
  it.each([
    ['Acme Health', 'acme health'],
    ['  Acme Health ', 'acme health'],
    ['ACME HEALTH\n', 'acme health'],
    // Inside the name, spaces are as written.
    ['Acme  Health', 'acme  health'],
    ['', ''],
  ])('%j → %j', (payer, key) => {
    expect(payerKey(payer)).toBe(key);
  });

  it('keeps payers apart that differ in more than case and spacing', () => {
    expect(payerKey('Acme Health')).not.toBe(payerKey('AcmeHealth'));
  });
});

describe('checkPackSet', () => {
  it('accepts distinct names and payers, and no packs at all', () => {
    expect(setProblems([loaded('a', ['Acme Health']), loaded('b', ['Bluebird'])], 'b')).toEqual([]);
    expect(setProblems([])).toEqual([]);
  });

  it('accepts the built-in rule set as the default, loaded or not', () => {
    expect(setProblems([loaded('a')], '62323/v2')).toEqual([]);
    expect(setProblems([BUILT_IN_PACK, loaded('a')], '62323/v2')).toEqual([]);
  });

  it('refuses two packs with one name', () => {
    expect(setProblems([loaded('a', [], 'packs/one.json'), loaded('a', [], 'packs/two.json')])).toEqual([
      'packs packs/one.json and packs/two.json are both named "a"',
    ]);
  });

  it('refuses a payer claimed by two packs, however it is spelt', () => {
    expect(setProblems([loaded('a', ['Acme Health']), loaded('b', ['Bluebird', ' ACME health'])])).toEqual([
      'packs packs/a.json and packs/b.json both claim payer " ACME health"',
    ]);
  });

  it('lets one pack name a payer twice', () => {
    expect(setProblems([loaded('a', ['Acme Health', 'acme health'])])).toEqual([]);
  });

  it('refuses a default that names no loaded pack', () => {
    expect(setProblems([loaded('a')], 'b')).toEqual(['default pack "b" is not among the loaded packs']);
  });

  it('does not print a default name that could be no pack name', () => {
    expect(setProblems([loaded('a')], 'SECRET 4711/x')).toEqual([
      'the default pack name is not a pack name (letters, digits, -, _ or ., at most 64)',
    ]);
  });

  it(`refuses more than ${MAX_PACKS} packs, and accepts ${MAX_PACKS}`, () => {
    const packs = Array.from({ length: MAX_PACKS + 1 }, (_, index) => loaded(`p${index}`));
    expect(setProblems(packs.slice(0, MAX_PACKS))).toEqual([]);
    expect(setProblems(packs)).toEqual([`${MAX_PACKS + 1} packs loaded, at most ${MAX_PACKS} allowed`]);
  });

  it('names every problem in one RulePackError', () => {
    const packs = [loaded('a', ['Acme']), loaded('a', ['acme'], 'packs/a2.json')];
    let caught: unknown;
    try {
      checkPackSet(packs, 'missing');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(RulePackError);
    expect(caught).toMatchObject({
      code: 'BAD_RULE_PACK',
      name: 'RulePackError',
      message:
        'rule packs: packs packs/a.json and packs/a2.json are both named "a"; ' +
        'packs packs/a.json and packs/a2.json both claim payer "acme"; ' +
        'default pack "missing" is not among the loaded packs',
    });
  });
});
