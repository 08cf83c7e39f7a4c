import { parseRulePack, RulePackError } from '../../../../functions/core/rules/packs/pack-file.js';

export const ORIGIN = 'packs/p.json';

/** The smallest valid pack, with `extra` merged in at the top level. */
export const pack = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  name: 'p',
  version: '1',
  rules: {},
  ...extra,
});

/** A pack with one rule entry. */
export const withRule = (id: string, entry: unknown): Record<string, unknown> =>
  pack({ rules: { [id]: entry } });

/** A pack with one list. */
export const withList = (name: string, value: unknown): Record<string, unknown> =>
  pack({ lists: { [name]: value } });

/** The RulePackError thrown for `text`, or undefined when the pack is accepted. */
export function refusal(text: string): RulePackError | undefined {
  try {
    parseRulePack(text, ORIGIN);
    return undefined;
  } catch (error) {
    if (error instanceof RulePackError) return error;
    throw error;
  }
}

/** The problems named for `value` (written as JSON); empty when the pack is accepted. */
export const problemsFor = (value: unknown): readonly string[] =>
  refusal(JSON.stringify(value))?.problems ?? [];

/** The pack of packs.md, as written there. */
export const SPEC_EXAMPLE = `{
  "name": "commercial-um",
  "version": "3",
  "extends": "62323/v2",
  "description": "Utilization-management guideline used by several commercial plans",
  "payers": ["Acme Health", "Bluebird Commercial"],
  "rules": {
    "FREQUENCY_EXCEEDED": { "windows": [ { "limit": 3, "days": 183 }, { "limit": 4, "days": 365 } ] },
    "REPEAT_TOO_SOON": { "enabled": true, "days": 14 },
    "PRIOR_AUTH_MISSING": { "severity": "error" },
    "KX_ON_INTERLAMINAR": { "enabled": false },
    "TIMELY_FILING": { "days": 90 }
  },
  "lists": {
    "coveredDiagnoses": { "remove": ["M5430", "M5431", "M5432"] }
  }
}
`;
