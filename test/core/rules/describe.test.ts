import { readFile } from 'node:fs/promises';
import { expect, it } from 'vitest';
import { RULE_IDS } from '../../../functions/core/rules/catalog.js';
import { renderRulesMarkdown } from '../../../functions/core/rules/describe.js';

it('docs/rules.md is what the catalog renders (run `npm run docs` after changing the catalog)', async () => {
  expect(await readFile('docs/rules.md', 'utf8')).toBe(renderRulesMarkdown());
});

it('documents every rule id', () => {
  const text = renderRulesMarkdown();
  for (const ruleId of RULE_IDS) expect(text).toContain(`\`${ruleId}\``);
});
