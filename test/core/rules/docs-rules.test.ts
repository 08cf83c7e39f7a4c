/**
 * docs/rules.md as users read it (rules.md: "Every finding has a fix … and the rule's source"): every
 * rule id of rule set 62323/v2 has a row with its severity, default, fix sentence and primary source,
 * and the sources section lists all of its sources.
 */
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { RULES, sourceOf } from '../../../functions/core/rules/catalog.js';
import { SPEC_RULE_IDS, SPEC_RULES } from '../../support/spec.js';

let docs: string;
beforeAll(async () => {
  docs = await readFile('docs/rules.md', 'utf8');
});

/** The table cells of the row of `ruleId` (`| \`ID\` | severity | default | fires when | fix | source |`). */
function rowCells(ruleId: string): string[] {
  const rows = docs.split('\n').filter((line) => line.startsWith(`| \`${ruleId}\` |`));
  expect(rows, `one table row for ${ruleId}`).toHaveLength(1);
  return rows[0]!.split(' | ').map((cell) => cell.replace(/^\| |\s\|$/g, '').trim());
}

describe('docs/rules.md', () => {
  it.each(SPEC_RULE_IDS.map((id) => [id]))('%s: severity, default, fix sentence and source', (ruleId) => {
    const [id, severity, onOff, trigger, fix, source] = rowCells(ruleId);
    expect(id).toBe(`\`${ruleId}\``);
    expect(severity).toBe(SPEC_RULES[ruleId]);
    expect(onOff).toBe(ruleId === 'REPEAT_TOO_SOON' ? 'off' : 'on');
    expect(trigger!.length).toBeGreaterThan(10);
    expect(fix).toBe(RULES[ruleId].fix);
    expect(fix).toMatch(/^[A-Z].*\.$/);
    expect(source).toBe(sourceOf(ruleId));
  });

  it.each(SPEC_RULE_IDS.map((id) => [id]))('%s: every source in the sources section', (ruleId) => {
    const line = docs.split('\n').find((text) => text.startsWith(`- \`${ruleId}\`: `));
    expect(line, `sources of ${ruleId}`).toBeDefined();
    for (const source of RULES[ruleId].sources) expect(line).toContain(source);
  });

  it('documents no rule id outside rule set 62323/v2', () => {
    const ids = new Set([...docs.matchAll(/^\| `([A-Z0-9_]+)` \|/gm)].map((match) => match[1]));
    expect([...ids].sort()).toEqual([...SPEC_RULE_IDS].sort());
  });
});
