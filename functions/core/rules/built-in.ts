/** The built-in rule set as a pack identity (summary.json `rulePacks`). */
import { createHash } from 'node:crypto';
import { RULE_OPTIONS, RULE_SET_ID, RULE_SET_VERSION, RULES } from './catalog.js';

export const BUILT_IN_IDENTITY = {
  name: RULE_SET_ID,
  version: RULE_SET_VERSION,
  sha256: createHash('sha256').update(JSON.stringify({ RULES, RULE_OPTIONS })).digest('hex'),
} as const;
