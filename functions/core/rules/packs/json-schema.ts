/**
 * The pack format as JSON Schema (draft 2020-12), for editors: docs/rule-pack.schema.json, written by
 * `npm run docs`. It is generated from RULE_PACK_SCHEMA, so it cannot drift from what the scrubber
 * accepts; the few checks JSON Schema cannot say (effectiveFrom ≤ effectiveTo, `add` or `remove`
 * present) are still made when a pack is loaded.
 */
import { z } from 'zod';
import { RULE_SET_ID } from '../catalog.js';
import { RULE_PACK_SCHEMA } from './schema.js';

export const RULE_PACK_SCHEMA_ID = 'https://github.com/scrub62323/scrub62323/docs/rule-pack.schema.json';

export function rulePackJsonSchema(): Record<string, unknown> {
  // io 'input': what a file may say, so defaulted fields (`extends`) are optional, as in the file.
  const { $schema, ...generated } = z.toJSONSchema(RULE_PACK_SCHEMA, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'throw',
  });
  return {
    $schema,
    $id: RULE_PACK_SCHEMA_ID,
    title: `scrub62323 rule pack (rule set ${RULE_SET_ID})`,
    ...generated,
  };
}

/** The file as `npm run docs` writes it: 2-space JSON and a final newline. */
export const renderRulePackJsonSchema = (): string => `${JSON.stringify(rulePackJsonSchema(), null, 2)}\n`;
