import { readFile } from 'node:fs/promises';
// ajv is in node_modules through fauxqs (fastify), not a dependency of ours: a test-only check that
// the generated schema means what the zod schema means.
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import {
  RULE_PACK_SCHEMA_ID,
  renderRulePackJsonSchema,
  rulePackJsonSchema,
} from '../../../../functions/core/rules/packs/json-schema.js';
import { BUILT_IN_PACK } from '../../../../functions/core/rules/packs/pack-file.js';
import { pack, problemsFor, SPEC_EXAMPLE, withList, withRule } from './helpers.js';

it('docs/rule-pack.schema.json is what the pack schema renders (run `npm run docs` after changing it)', async () => {
  expect(await readFile('docs/rule-pack.schema.json', 'utf8')).toBe(renderRulePackJsonSchema());
});

it('is draft 2020-12 with our $id and a title', () => {
  expect(rulePackJsonSchema()).toMatchObject({
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: RULE_PACK_SCHEMA_ID,
    title: expect.stringContaining('rule pack'),
    additionalProperties: false,
    required: ['name', 'version', 'rules'],
  });
});

describe('validated with ajv, it agrees with the pack schema', () => {
  // The ISO date pattern in the schema checks dates; the `date` format itself is taken as known.
  const validate = new Ajv2020({ strict: true, allErrors: true, formats: { date: true } }).compile(
    rulePackJsonSchema(),
  );

  it.each([
    ['the packs.md example', JSON.parse(SPEC_EXAMPLE)],
    ['the built-in pack, renamed', { ...BUILT_IN_PACK.file, name: 'built-in' }],
    ['a dated list entry', withList('imagingCodes', [{ code: '77003', effectiveTo: '2024-02-29' }])],
  ])('accepts %s', (_label, value) => {
    expect(problemsFor(value)).toEqual([]);
    expect(validate(value), JSON.stringify(validate.errors)).toBe(true);
  });

  it.each([
    ['a window of 0 days', withRule('FREQUENCY_EXCEEDED', { windows: [{ limit: 3, days: 0 }] })],
    ['five windows', withRule('FREQUENCY_EXCEEDED', { windows: Array(5).fill({ limit: 1, days: 1 }) })],
    ['REPEAT_TOO_SOON days 366', withRule('REPEAT_TOO_SOON', { days: 366 })],
    ['an unknown rule id', withRule('NO_SUCH_RULE', {})],
    ['windows on TIMELY_FILING', withRule('TIMELY_FILING', { windows: [] })],
    ['an unknown list', withList('steroids', [])],
    ['an empty code', withList('imagingCodes', [' '])],
    ['an impossible date', withRule('TIMELY_FILING', { effectiveFrom: '2026-02-30' })],
    ['a bad name', pack({ name: 'a/b' })],
    ['another base', pack({ extends: '62323/v1' })],
    ['no version', { name: 'p', rules: {} }],
  ])('refuses %s', (_label, value) => {
    expect(problemsFor(value)).not.toEqual([]);
    expect(validate(value)).toBe(false);
  });
});
