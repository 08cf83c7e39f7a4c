import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  PACK_LIST_NAMES,
  PACK_LISTS,
  RULE_IDS,
  RULE_OPTIONS,
  RULE_SET_ID,
  RULE_SET_VERSION,
  RULES,
  sourceOf,
} from '../../../../functions/core/rules/catalog.js';
import {
  BUILT_IN_PACK,
  canonicalJson,
  RULE_PACK_SCHEMA,
} from '../../../../functions/core/rules/packs/pack-file.js';

const { file } = BUILT_IN_PACK;

describe('BUILT_IN_PACK', () => {
  it('is the rule set, by name and version', () => {
    expect(file.name).toBe(RULE_SET_ID);
    expect(file.version).toBe(RULE_SET_VERSION);
    expect(file.extends).toBe(RULE_SET_ID);
    expect(BUILT_IN_PACK.origin).toBe(`built-in rule set ${RULE_SET_ID}`);
  });

  it('spells out every rule as the catalog has it', () => {
    expect(Object.keys(file.rules).sort()).toEqual([...RULE_IDS].sort());
    const rules: Readonly<Record<string, unknown>> = file.rules;
    for (const id of RULE_IDS) {
      const rule: { readonly severity: string; readonly enabled?: false } = RULES[id];
      const options = Object.entries(RULE_OPTIONS).find(([key]) => key === id)?.[1] ?? {};
      expect(rules[id], id).toEqual({
        enabled: rule.enabled !== false,
        severity: rule.severity,
        source: sourceOf(id),
        ...options,
      });
    }
    expect(file.rules.REPEAT_TOO_SOON?.enabled).toBe(false);
    expect(file.rules.FREQUENCY_EXCEEDED?.windows).toEqual(RULE_OPTIONS.FREQUENCY_EXCEEDED.windows);
  });

  it('spells out every pack list as a whole list', () => {
    expect(Object.keys(file.lists ?? {})).toEqual(PACK_LIST_NAMES);
    for (const name of PACK_LIST_NAMES) expect(file.lists?.[name], name).toEqual(PACK_LISTS[name]);
  });

  it('passes the pack schema but for its name, which no user pack can take', () => {
    expect(RULE_PACK_SCHEMA.safeParse({ ...file, name: 'v2' }).success).toBe(true);
    expect(RULE_PACK_SCHEMA.safeParse(file).success).toBe(false);
  });

  it('hashes its canonical JSON, so the hash follows the catalog', () => {
    expect(BUILT_IN_PACK.sha256).toBe(createHash('sha256').update(canonicalJson(file)).digest('hex'));
  });

  it('is frozen and shares nothing with the catalog', () => {
    expect(Object.isFrozen(file.rules.FREQUENCY_EXCEEDED?.windows)).toBe(true);
    expect(file.rules.FREQUENCY_EXCEEDED?.windows).not.toBe(RULE_OPTIONS.FREQUENCY_EXCEEDED.windows);
    expect(file.lists?.coveredDiagnoses).not.toBe(PACK_LISTS.coveredDiagnoses);
  });
});
