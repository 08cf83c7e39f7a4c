import { describe, expect, it } from 'vitest';
import { isScrubError } from '../../../../functions/core/errors.js';
import { RULE_SET_ID } from '../../../../functions/core/rules/catalog.js';
import { parseRulePack, RulePackError } from '../../../../functions/core/rules/packs/pack-file.js';
import { ORIGIN, pack, problemsFor, refusal, SPEC_EXAMPLE, withList, withRule } from './helpers.js';

const FREQ = 'FREQUENCY_EXCEEDED';
const windows = (...list: unknown[]) => withRule(FREQ, { windows: list });
const win = (limit: unknown, days: unknown) => ({ limit, days });

describe('the packs.md example', () => {
  it('validates, with extends kept and everything the file says', () => {
    const loaded = parseRulePack(SPEC_EXAMPLE, ORIGIN);
    expect(loaded.origin).toBe(ORIGIN);
    expect(loaded.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(loaded.file.name).toBe('commercial-um');
    expect(loaded.file.extends).toBe(RULE_SET_ID);
    expect(loaded.file.payers).toEqual(['Acme Health', 'Bluebird Commercial']);
    expect(loaded.file.rules.FREQUENCY_EXCEEDED?.windows).toEqual([win(3, 183), win(4, 365)]);
    expect(loaded.file.rules.REPEAT_TOO_SOON).toEqual({ enabled: true, days: 14 });
    expect(loaded.file.rules.TIMELY_FILING?.days).toBe(90);
    expect(loaded.file.lists?.coveredDiagnoses).toEqual({ remove: ['M5430', 'M5431', 'M5432'] });
  });

  it('names the error of its own example exactly', () => {
    const error = refusal(JSON.stringify(windows(win(3, 0))));
    expect(error?.message).toBe(`${ORIGIN}: rules.FREQUENCY_EXCEEDED.windows[0].days: must be 1–3650, got 0`);
    expect(error?.problems).toEqual(['rules.FREQUENCY_EXCEEDED.windows[0].days: must be 1–3650, got 0']);
  });
});

describe('accepted at the edges', () => {
  it.each([
    ['the smallest pack', pack()],
    ['extends 62323/v2', pack({ extends: '62323/v2' })],
    ['empty payers', pack({ payers: [] })],
    ['sources and a description', pack({ sources: ['Acme UM policy 7.01'], description: '' })],
    ['a 64-character name', pack({ name: 'a'.repeat(64) })],
    ['a name of every allowed character', pack({ name: 'Az09._-' })],
    ['one window', windows(win(0, 1))],
    ['four windows', windows(win(1, 1), win(2, 3650), win(3, 30), win(4, 365))],
    [
      'REPEAT_TOO_SOON days 1 and 365',
      pack({ rules: { REPEAT_TOO_SOON: { days: 1 }, TIMELY_FILING: { days: 1 } } }),
    ],
    [
      'REPEAT_TOO_SOON 365, TIMELY_FILING 3650',
      pack({ rules: { REPEAT_TOO_SOON: { days: 365 }, TIMELY_FILING: { days: 3650 } } }),
    ],
    [
      'every entry field',
      withRule('PRIOR_AUTH_MISSING', {
        enabled: false,
        severity: 'info',
        source: 'Acme PA list',
        effectiveFrom: '2026-01-01',
        effectiveTo: '2026-01-01',
      }),
    ],
    ['an open-ended range', withRule('TIMELY_FILING', { days: 90, effectiveTo: '2024-02-29' })],
    ['an empty rule entry', withRule('MISSING_FIELD', {})],
    ['a whole list', withList('imagingCodes', ['77003', { code: '77012', effectiveFrom: '2026-01-01' }])],
    ['an empty whole list', withList('allowedPlacesOfService', [])],
    ['add only', withList('axialDiagnoses', { add: ['M54.50'] })],
    ['add and remove', withList('exemptDiagnoses', { add: [], remove: ['G8912'] })],
    [
      'every list',
      pack({
        lists: {
          coveredDiagnoses: [],
          axialDiagnoses: [],
          exemptDiagnoses: [],
          imagingCodes: [],
          allowedPlacesOfService: [],
        },
      }),
    ],
  ])('%s', (_label, value) => {
    expect(problemsFor(value)).toEqual([]);
  });
});

describe('refused, each problem named by path', () => {
  it.each([
    ['no windows', windows(), 'rules.FREQUENCY_EXCEEDED.windows: must have 1–4 entries, got 0'],
    [
      'five windows',
      windows(...Array.from({ length: 5 }, () => win(1, 30))),
      'rules.FREQUENCY_EXCEEDED.windows: must have 1–4 entries, got 5',
    ],
    [
      'windows not a list',
      withRule(FREQ, { windows: win(1, 30) }),
      'rules.FREQUENCY_EXCEEDED.windows: must be a list, got an object',
    ],
    [
      'limit -1',
      windows(win(-1, 30)),
      'rules.FREQUENCY_EXCEEDED.windows[0].limit: must be at least 0, got -1',
    ],
    [
      'limit 1.5',
      windows(win(1.5, 30)),
      'rules.FREQUENCY_EXCEEDED.windows[0].limit: must be a whole number, got 1.5',
    ],
    [
      'limit beyond safe integers',
      windows(win(1e300, 30)),
      'rules.FREQUENCY_EXCEEDED.windows[0].limit: is too large, got 1e+300',
    ],
    [
      'window days 3651',
      windows(win(1, 30), win(2, 3651)),
      'rules.FREQUENCY_EXCEEDED.windows[1].days: must be 1–3650, got 3651',
    ],
    [
      'window days as text',
      windows(win(1, '30')),
      'rules.FREQUENCY_EXCEEDED.windows[0].days: must be a number, got text',
    ],
    ['window without days', windows({ limit: 1 }), 'rules.FREQUENCY_EXCEEDED.windows[0].days: required'],
    [
      'a window with a stray field',
      windows({ limit: 1, days: 30, months: 1 }),
      'rules.FREQUENCY_EXCEEDED.windows[0].months: unknown field',
    ],
    [
      'REPEAT_TOO_SOON days 0',
      withRule('REPEAT_TOO_SOON', { days: 0 }),
      'rules.REPEAT_TOO_SOON.days: must be 1–365, got 0',
    ],
    [
      'REPEAT_TOO_SOON days 366',
      withRule('REPEAT_TOO_SOON', { days: 366 }),
      'rules.REPEAT_TOO_SOON.days: must be 1–365, got 366',
    ],
    [
      'TIMELY_FILING days 0',
      withRule('TIMELY_FILING', { days: 0 }),
      'rules.TIMELY_FILING.days: must be 1–3650, got 0',
    ],
    [
      'TIMELY_FILING days 3651',
      withRule('TIMELY_FILING', { days: 3651 }),
      'rules.TIMELY_FILING.days: must be 1–3650, got 3651',
    ],
    [
      'TIMELY_FILING days null',
      withRule('TIMELY_FILING', { days: null }),
      'rules.TIMELY_FILING.days: must be a number, got null',
    ],
    ['an unknown rule id', withRule('NO_SUCH_RULE', {}), 'rules.NO_SUCH_RULE: unknown rule id'],
    ['a rule id in lower case', withRule('timely_filing', {}), 'rules.timely_filing: unknown rule id'],
    [
      'an unknown option',
      withRule('PRIOR_AUTH_MISSING', { days: 3 }),
      'rules.PRIOR_AUTH_MISSING.days: unknown option',
    ],
    [
      'windows on TIMELY_FILING',
      withRule('TIMELY_FILING', { windows: [win(1, 30)] }),
      'rules.TIMELY_FILING.windows: unknown option',
    ],
    [
      'windows on REPEAT_TOO_SOON',
      withRule('REPEAT_TOO_SOON', { windows: [win(1, 30)] }),
      'rules.REPEAT_TOO_SOON.windows: unknown option',
    ],
    [
      'days on FREQUENCY_EXCEEDED',
      withRule(FREQ, { days: 365 }),
      'rules.FREQUENCY_EXCEEDED.days: unknown option',
    ],
    [
      'enabled as text',
      withRule('KX_ON_INTERLAMINAR', { enabled: 'no' }),
      'rules.KX_ON_INTERLAMINAR.enabled: must be true or false, got text',
    ],
    [
      'an unknown severity',
      withRule('PRIOR_AUTH_MISSING', { severity: 'fatal' }),
      'rules.PRIOR_AUTH_MISSING.severity: must be error, warning or info',
    ],
    [
      'a rule entry that is not an object',
      withRule('PRIOR_AUTH_MISSING', true),
      'rules.PRIOR_AUTH_MISSING: must be an object, got true',
    ],
    [
      'an empty source',
      withRule('PRIOR_AUTH_MISSING', { source: ' ' }),
      'rules.PRIOR_AUTH_MISSING.source: must not be empty',
    ],
    [
      'an impossible date',
      withRule('TIMELY_FILING', { effectiveFrom: '2026-02-30' }),
      'rules.TIMELY_FILING.effectiveFrom: must be a real date YYYY-MM-DD',
    ],
    [
      'not a leap year',
      withRule('TIMELY_FILING', { effectiveTo: '2100-02-29' }),
      'rules.TIMELY_FILING.effectiveTo: must be a real date YYYY-MM-DD',
    ],
    [
      'a US date',
      withRule('TIMELY_FILING', { effectiveFrom: '01/31/2026' }),
      'rules.TIMELY_FILING.effectiveFrom: must be a real date YYYY-MM-DD',
    ],
    [
      'a year before 1000',
      withRule('TIMELY_FILING', { effectiveFrom: '0999-01-01' }),
      'rules.TIMELY_FILING.effectiveFrom: must be a real date YYYY-MM-DD',
    ],
    [
      'a date as a number',
      withRule('TIMELY_FILING', { effectiveFrom: 20260101 }),
      'rules.TIMELY_FILING.effectiveFrom: must be text, got 20260101',
    ],
    [
      'dates out of order',
      withRule('TIMELY_FILING', { effectiveFrom: '2026-02-01', effectiveTo: '2026-01-31' }),
      'rules.TIMELY_FILING.effectiveTo: must not be before effectiveFrom',
    ],
    ['an unknown list', withList('steroidCodes', []), 'lists.steroidCodes: unknown list'],
    [
      'a list as text',
      withList('coveredDiagnoses', 'M5416'),
      'lists.coveredDiagnoses: must be a list or an object, got text',
    ],
    [
      'an edit with neither add nor remove',
      withList('coveredDiagnoses', {}),
      'lists.coveredDiagnoses: must have add or remove',
    ],
    [
      'an edit with a stray field',
      withList('coveredDiagnoses', { add: [], replace: [] }),
      'lists.coveredDiagnoses.replace: unknown field',
    ],
    [
      'add as text',
      withList('coveredDiagnoses', { add: 'M5416' }),
      'lists.coveredDiagnoses.add: must be a list, got text',
    ],
    ['an empty code', withList('imagingCodes', ['77003', '']), 'lists.imagingCodes[1]: must not be empty'],
    [
      'a diagnosis no line can carry (a letter O for a zero)',
      withList('coveredDiagnoses', { remove: ['M54.16', 'M543O!'] }),
      'lists.coveredDiagnoses.remove[1]: must be an ICD-10-CM code (such as M54.16)',
    ],
    [
      'a dated entry with a bad code',
      withList('exemptDiagnoses', { add: [{ code: '<script>', effectiveFrom: '2026-01-01' }] }),
      'lists.exemptDiagnoses.add[0].code: must be an ICD-10-CM code (such as M54.16)',
    ],
    [
      'an imaging code of four digits',
      withList('imagingCodes', ['7700']),
      'lists.imagingCodes[0]: must be a CPT/HCPCS code (such as 77003)',
    ],
    [
      'a place of service of one digit',
      withList('allowedPlacesOfService', ['11', '1']),
      'lists.allowedPlacesOfService[1]: must be a two-digit place of service (such as 11)',
    ],
    [
      'a code as a number',
      withList('allowedPlacesOfService', [11]),
      'lists.allowedPlacesOfService[0]: must be text or an object, got 11',
    ],
    [
      'an entry without code',
      withList('coveredDiagnoses', { remove: [{ effectiveFrom: '2026-01-01' }] }),
      'lists.coveredDiagnoses.remove[0].code: required',
    ],
    [
      'an entry with a bad date',
      withList('coveredDiagnoses', { add: [{ code: 'M5416', effectiveTo: 'soon' }] }),
      'lists.coveredDiagnoses.add[0].effectiveTo: must be a real date YYYY-MM-DD',
    ],
    [
      'an entry out of order',
      withList('imagingCodes', [{ code: '77003', effectiveFrom: '2026-01-02', effectiveTo: '2026-01-01' }]),
      'lists.imagingCodes[0].effectiveTo: must not be before effectiveFrom',
    ],
    [
      'an entry with a stray field',
      withList('imagingCodes', [{ code: '77003', note: 'x' }]),
      'lists.imagingCodes[0].note: unknown field',
    ],
    ['lists not an object', pack({ lists: [] }), 'lists: must be an object, got a list'],
    ['an empty name', pack({ name: '' }), 'name: must be letters, digits, -, _ or . (at most 64)'],
    [
      'a 65-character name',
      pack({ name: 'a'.repeat(65) }),
      'name: must be letters, digits, -, _ or . (at most 64)',
    ],
    [
      'a name with a space',
      pack({ name: 'acme health' }),
      'name: must be letters, digits, -, _ or . (at most 64)',
    ],
    [
      'a name with a slash',
      pack({ name: '62323/v2' }),
      'name: must be letters, digits, -, _ or . (at most 64)',
    ],
    ['a name as a number', pack({ name: 7 }), 'name: must be text, got 7'],
    ['no name', { version: '1', rules: {} }, 'name: required'],
    ['no version', { name: 'p', rules: {} }, 'version: required'],
    ['an empty version', pack({ version: '' }), 'version: must not be empty'],
    ['a version as a number', pack({ version: 3 }), 'version: must be text, got 3'],
    ['no rules', { name: 'p', version: '1' }, 'rules: required'],
    ['rules as a list', pack({ rules: [] }), 'rules: must be an object, got a list'],
    ['another base', pack({ extends: '62323/v1' }), 'extends: must be 62323/v2'],
    ['extends null', pack({ extends: null }), 'extends: must be 62323/v2'],
    ['payers as text', pack({ payers: 'Acme Health' }), 'payers: must be a list, got text'],
    ['a blank payer', pack({ payers: ['Acme', '  '] }), 'payers[1]: must not be empty'],
    ['a blank source', pack({ sources: [''] }), 'sources[0]: must not be empty'],
    ['a description as a number', pack({ description: 1 }), 'description: must be text, got 1'],
    ['an unknown field', pack({ rule: {} }), 'rule: unknown field'],
    [
      'a key that is no identifier',
      withRule('NO SUCH "RULE"', {}),
      'rules["NO SUCH \\"RULE\\""]: unknown rule id',
    ],
    [
      '__proto__ as a rule id',
      { ...pack(), rules: JSON.parse('{"__proto__": {}}') },
      'rules.__proto__: unknown rule id',
    ],
    ['constructor as a rule id', withRule('constructor', {}), 'rules.constructor: unknown rule id'],
    [
      'toString as an option',
      withRule('TIMELY_FILING', { toString: 1 }),
      'rules.TIMELY_FILING.toString: unknown option',
    ],
    ['a list at the top', [], '(top level): must be an object, got a list'],
    ['null at the top', null, '(top level): must be an object, got null'],
  ])('%s', (_label, value, problem) => {
    expect(problemsFor(value)).toEqual([problem]);
  });

  it('cuts a long unknown key short', () => {
    expect(problemsFor(withRule('X'.repeat(100), {}))).toEqual([
      `rules["${'X'.repeat(40)}…"]: unknown rule id`,
    ]);
  });
});

describe('a pack with several problems', () => {
  const bad = {
    name: 'bad name',
    extends: '62323/v1',
    payers: [''],
    rules: {
      FREQUENCY_EXCEEDED: { windows: [win(3, 0), win(-1, 365)] },
      TIMELY_FILING: { days: 3651, windows: [] },
      NO_SUCH_RULE: {},
      PRIOR_AUTH_MISSING: { severity: 'fatal', effectiveFrom: '2026-02-01', effectiveTo: '2026-01-01' },
    },
    lists: { coveredDiagnoses: { add: [''] }, steroids: [] },
    colour: 'red',
  };

  it('names every one of them in one message, in the order of the schema', () => {
    const error = refusal(JSON.stringify(bad));
    expect(error?.problems).toEqual([
      'name: must be letters, digits, -, _ or . (at most 64)',
      'version: required',
      'extends: must be 62323/v2',
      'payers[0]: must not be empty',
      'rules.PRIOR_AUTH_MISSING.severity: must be error, warning or info',
      'rules.PRIOR_AUTH_MISSING.effectiveTo: must not be before effectiveFrom',
      'rules.FREQUENCY_EXCEEDED.windows[0].days: must be 1–3650, got 0',
      'rules.FREQUENCY_EXCEEDED.windows[1].limit: must be at least 0, got -1',
      'rules.TIMELY_FILING.days: must be 1–3650, got 3651',
      'rules.TIMELY_FILING.windows: unknown option',
      'rules.NO_SUCH_RULE: unknown rule id',
      'lists.coveredDiagnoses.add[0]: must not be empty',
      'lists.steroids: unknown list',
      'colour: unknown field',
    ]);
    expect(error?.message).toBe(`${ORIGIN}: ${error?.problems.join('; ')}`);
  });

  it('is a ScrubError with code BAD_RULE_PACK', () => {
    const error = refusal(JSON.stringify(bad));
    expect(error).toBeInstanceOf(RulePackError);
    expect(isScrubError(error)).toBe(true);
    expect(error?.code).toBe('BAD_RULE_PACK');
    expect(error?.name).toBe('RulePackError');
    expect(error?.origin).toBe(ORIGIN);
  });

  it('quotes no text value of the file', () => {
    const secret = 'SECRET-4711';
    const text = JSON.stringify({
      name: `${secret} x`,
      version: 1,
      extends: secret,
      rules: {
        PRIOR_AUTH_MISSING: { severity: secret, effectiveFrom: secret, enabled: secret, source: 5 },
        TIMELY_FILING: { days: secret },
      },
      lists: {
        imagingCodes: secret,
        coveredDiagnoses: [{ code: 1, effectiveTo: secret }],
        axialDiagnoses: { add: secret },
      },
      payers: secret,
      description: [secret],
    });
    const error = refusal(text);
    expect(error?.problems.length).toBeGreaterThan(10);
    expect(error?.message).not.toContain('SECRET');
    expect(error?.message).not.toContain('4711');
  });
});

describe('JSON that does not parse', () => {
  it.each([
    ['{"name": }', 'not valid JSON at line 1, column 10: expected a value'],
    [
      '{\n  "name": "p",\n  "version": "1"\n  "rules": {}\n}',
      "not valid JSON at line 4, column 3: expected ',' or '}'",
    ],
    ['{"name": "p",}', 'not valid JSON at line 1, column 14: expected a property name in double quotes'],
    ['{"name": "secret', 'not valid JSON at line 1, column 10: string is never closed'],
    ['{"rules": {"A": [1, 2}}', "not valid JSON at line 1, column 22: expected ',' or ']'"],
    ['{} {}', 'not valid JSON at line 1, column 4: unexpected text after the JSON value'],
    ['{"a": 1', 'not valid JSON at line 1, column 8: the file ends before the JSON does'],
    ['', 'the file is empty'],
    [' \n\t', 'the file is empty'],
  ])('%j', (text, problem) => {
    const error = refusal(text);
    expect(error?.problems).toEqual([problem]);
    expect(error?.message).toBe(`${ORIGIN}: ${problem}`);
  });

  it('does not echo the text around the fault', () => {
    expect(refusal('{"member": "SECRET-4711" x}')?.message).not.toContain('SECRET');
  });

  it('refuses a property given twice in one object (JSON.parse would keep the last silently)', () => {
    const text =
      '{\n  "name": "p", "version": "1",\n  "rules": {\n    "PRIOR_AUTH_MISSING": { "severity": "error" },\n    "PRIOR_AUTH_MISSING": { "enabled": false }\n  }\n}';
    const problem = 'line 5, column 5: a property name given twice in one object (only the last would count)';
    expect(refusal(text)?.problems).toEqual([problem]);
    // The same name in two objects, or an escaped spelling of another name, is fine.
    const fine =
      '{"name": "p", "version": "1", "rules": {"A\\u0042": {}, "AB\\u0043": {}}, "x": {"name": 1}}';
    expect(refusal(fine)?.problems).not.toContainEqual(expect.stringMatching(/given twice/));
    expect(
      refusal('{"name": "p", "version": "1", "rules": {"TIMELY_FILING": {}, "TIMELY_\\u0046ILING": {}}}')
        ?.problems,
    ).toEqual(['line 1, column 62: a property name given twice in one object (only the last would count)']);
  });

  it('accepts a byte order mark', () => {
    expect(parseRulePack(`\uFEFF${JSON.stringify(pack())}`, ORIGIN).file.name).toBe('p');
  });
});

describe('the loaded pack', () => {
  it('is frozen, so one consumer cannot change it under another', () => {
    const loaded = parseRulePack(SPEC_EXAMPLE, ORIGIN);
    expect(Object.isFrozen(loaded)).toBe(true);
    expect(Object.isFrozen(loaded.file.rules.FREQUENCY_EXCEEDED?.windows?.[0])).toBe(true);
  });

  it('leaves out what the file leaves out', () => {
    const loaded = parseRulePack(JSON.stringify(pack()), ORIGIN);
    expect(loaded.file).toEqual({ name: 'p', version: '1', extends: RULE_SET_ID, rules: {} });
  });
});
