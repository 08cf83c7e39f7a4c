/** The code sets the checks use come from the catalog: every list has a rule, every listed code is carried. */
import { describe, expect, it } from 'vitest';
import { FACT_CODES } from '../../../functions/core/engine/cross-facts.js';
import {
  CODES,
  type CodeListName,
  INDEX_CODE,
  RULE_IDS,
  RULES,
  type RuleDefinition,
  type RuleId,
} from '../../../functions/core/rules/catalog.js';
import { CROSS_LINE_CODES } from '../../../functions/core/rules/code-sets.js';
import { CODE_LIST_RULES } from '../../../functions/core/rules/session.js';

const listOf = (ruleId: RuleId): CodeListName | undefined => {
  const rule: RuleDefinition = RULES[ruleId];
  return rule.codes;
};
const listedRules = RULE_IDS.filter((ruleId) => listOf(ruleId) !== undefined);

describe('code lists', () => {
  it('each list of CODES is named by some rule of the catalog, or is the diagnosis exemption', () => {
    const named = new Set(listedRules.map(listOf));
    // 78630 (cisternography) on a claim exempts its 62323 lines from DX_AXIAL_ONLY and DX_NOT_COVERED:
    // a list no rule fires on.
    expect(named.has('cisternography')).toBe(false);
    expect(CODES.cisternography).toEqual(['78630']);
    expect([...named, 'cisternography'].sort()).toEqual(Object.keys(CODES).sort());
  });

  it('carries to the merge exactly the listed codes and the index code', () => {
    const listed = new Set([INDEX_CODE, ...listedRules.flatMap((ruleId) => CODES[listOf(ruleId)!])]);
    expect([...CROSS_LINE_CODES].sort()).toEqual([...listed].sort());
    expect(FACT_CODES).toEqual([...CROSS_LINE_CODES]);
  });

  it('has a check for every rule that names a list', () => {
    // The member rules (rules/history.ts) read frequencyCounted.
    const memberRules = ['FREQUENCY_EXCEEDED', 'REPEAT_TOO_SOON'];
    const checked = new Set<string>([...CODE_LIST_RULES.map((rule) => rule.ruleId), ...memberRules]);
    expect(listedRules.filter((ruleId) => !checked.has(ruleId))).toEqual([]);
  });
});
