/**
 * The rule-pack file format (packs.md) as one zod schema: what `check --rules` and the pipeline's
 * `packs/*.json` accept, and the source of docs/rule-pack.schema.json. Every object is strict, so a
 * misspelt key is an error rather than a setting that silently does nothing.
 *
 * Two fields go beyond packs.md: `sources` (where the pack's limits come from, in words) and a rule's
 * `source` (the payer's own source for that rule, which findings then show instead of the catalog's).
 */
import { z } from 'zod';
import { DIAGNOSIS_SHAPE, POS_SHAPE, PROCEDURE_CODE_SHAPE, parseDate } from '../../engine/values.js';
import {
  normalListCode,
  type OptionRuleId,
  PACK_LIST_NAMES,
  PACK_LISTS,
  type PackListName,
  RULE_IDS,
  RULE_OPTIONS,
  RULE_SET_ID,
  RULES,
  type RuleId,
  SEVERITIES,
} from '../catalog.js';

/** Pack names: safe in file names, S3 prefixes (`incoming/<name>/`) and messages. */
export const PACK_NAME = /^[A-Za-z0-9._-]{1,64}$/;
/** Text that is not empty once trimmed. */
export const NOT_BLANK = /\S/;
export const DATE_WORDS = 'must be a real date YYYY-MM-DD';

const text = () => z.string().regex(NOT_BLANK);

/** A real calendar date, YYYY-MM-DD. */
const DATE = z.iso
  .date()
  // The ISO pattern already checks the calendar; parseDate also holds years to 1000–9999 as the
  // engine does, so a date that passes here is one the engine can compare.
  .refine((value) => parseDate(value) !== undefined, { message: DATE_WORDS })
  .meta({ id: 'date', description: 'A date of service, YYYY-MM-DD.' });

interface Dated {
  readonly effectiveFrom?: string | undefined;
  readonly effectiveTo?: string | undefined;
}

/**
 * Both ends inclusive; an end that is missing or not a date is judged on its own. It also runs when
 * another field of the entry is wrong (see ORDER), so it reads the two ends defensively.
 */
function inOrder({ effectiveFrom, effectiveTo }: Dated): boolean {
  const from = typeof effectiveFrom === 'string' ? parseDate(effectiveFrom) : undefined;
  const to = typeof effectiveTo === 'string' ? parseDate(effectiveTo) : undefined;
  return from === undefined || to === undefined || from <= to;
}
const ORDER = {
  message: 'must not be before effectiveFrom',
  path: ['effectiveTo'],
  // zod skips a refinement once a field has failed; every problem should be named at once.
  when: ({ value }: { readonly value: unknown }) => typeof value === 'object' && value !== null,
};

const dated = (what: string) => ({
  effectiveFrom: DATE.optional().describe(`First date of service (inclusive) ${what}.`),
  effectiveTo: DATE.optional().describe(`Last date of service (inclusive) ${what}.`),
});

const ENTRY_FIELDS = {
  enabled: z
    .boolean()
    .optional()
    .describe('Turn the rule on (true) or off (false) for the lines this pack judges.'),
  severity: z.enum(SEVERITIES).optional().describe('The severity findings of this rule get.'),
  ...dated('on which this entry applies; outside the range the built-in rule set applies'),
  source: text()
    .optional()
    .describe(
      'The payer’s own source for this rule (policy number, manual section); findings show it instead of the catalog’s.',
    ),
};

const dayCount = (max: number, description: string) => z.int().min(1).max(max).describe(description);

const WINDOW = z
  .strictObject({
    limit: z.int().min(0).describe('Most sessions allowed in the window.'),
    days: dayCount(3650, 'Length of the rolling window in days, counting the date of service.'),
  })
  .meta({ id: 'frequencyWindow', description: 'At most `limit` epidural session dates in any `days` days.' });

/** The options each option-taking rule accepts, and only that rule (packs.md). */
const OPTIONS = {
  FREQUENCY_EXCEEDED: {
    windows: z
      .array(WINDOW)
      .min(1)
      .max(4)
      .describe('1–4 rolling windows; the rule fires when any is exceeded.')
      .optional(),
  },
  REPEAT_TOO_SOON: {
    days: dayCount(365, 'Fewest days required between two epidural sessions.').optional(),
  },
  TIMELY_FILING: {
    days: dayCount(3650, 'Filing limit: days after the date of service.').optional(),
  },
} as const satisfies Record<OptionRuleId, z.core.$ZodLooseShape>;

type PlainRuleId = Exclude<RuleId, OptionRuleId>;
const isPlain = (id: RuleId): id is PlainRuleId => !Object.hasOwn(OPTIONS, id);

function ruleDescription(id: RuleId): string {
  const rule: { readonly severity: string; readonly enabled?: false; readonly title: string } = RULES[id];
  const state = rule.enabled === false ? 'off' : 'on';
  const options = isPlain(id) ? '' : `; built-in options ${JSON.stringify(RULE_OPTIONS[id])}`;
  return `${rule.title}. Built in: ${state}, ${rule.severity}${options}.`;
}

const PLAIN_ENTRY = z.strictObject(ENTRY_FIELDS).refine(inOrder, ORDER).meta({ id: 'ruleEntry' });
const FREQUENCY_ENTRY = z
  .strictObject({ ...ENTRY_FIELDS, ...OPTIONS.FREQUENCY_EXCEEDED })
  .refine(inOrder, ORDER);
const REPEAT_ENTRY = z.strictObject({ ...ENTRY_FIELDS, ...OPTIONS.REPEAT_TOO_SOON }).refine(inOrder, ORDER);
const TIMELY_ENTRY = z.strictObject({ ...ENTRY_FIELDS, ...OPTIONS.TIMELY_FILING }).refine(inOrder, ORDER);

function plainRuleShape(): Record<PlainRuleId, z.ZodOptional<typeof PLAIN_ENTRY>> {
  const shape = Object.fromEntries(
    RULE_IDS.filter(isPlain).map((id) => [id, PLAIN_ENTRY.optional().describe(ruleDescription(id))]),
  );
  // The catalog's ids as keys: a schema built from our own data, not a parsed value.
  return shape as Record<PlainRuleId, z.ZodOptional<typeof PLAIN_ENTRY>>;
}

const RULES_SCHEMA = z
  .strictObject({
    ...plainRuleShape(),
    FREQUENCY_EXCEEDED: FREQUENCY_ENTRY.optional().describe(ruleDescription('FREQUENCY_EXCEEDED')),
    REPEAT_TOO_SOON: REPEAT_ENTRY.optional().describe(ruleDescription('REPEAT_TOO_SOON')),
    TIMELY_FILING: TIMELY_ENTRY.optional().describe(ruleDescription('TIMELY_FILING')),
  })
  .describe('Settings by rule id (rule set 62323/v2); a rule left out keeps its built-in settings.');

export const LIST_ENTRY = z
  .union([
    text().describe('A code, normalised as rules.md says (trimmed, upper-case; diagnoses without the dot).'),
    z
      .strictObject({ code: text().describe('The code.'), ...dated('for which the entry counts') })
      .refine(inOrder, ORDER)
      .describe('A code that counts only for lines whose date of service falls in the range.'),
  ])
  .meta({ id: 'listEntry' });
const ENTRIES = z.array(LIST_ENTRY);

export const LIST_VALUE = z
  .union([
    ENTRIES.describe('The whole list: replaces the built-in one.'),
    z
      .strictObject({
        add: ENTRIES.optional().describe('Entries added to the built-in list.'),
        remove: ENTRIES.optional().describe('Entries taken out of the built-in list.'),
      })
      .refine((edit) => edit.add !== undefined || edit.remove !== undefined, {
        message: 'must have add or remove',
      })
      .describe('An edit of the built-in list.'),
  ])
  .meta({ id: 'listValue' });

const LIST_MEANINGS = {
  coveredDiagnoses: 'Diagnoses that support 62323 (DX_NOT_COVERED); ICD-10-CM, with or without the dot',
  axialDiagnoses:
    'Axial back pain, not covered on its own (DX_AXIAL_ONLY); ICD-10-CM, with or without the dot',
  exemptDiagnoses:
    'Diagnoses that exempt a 62323 line from the diagnosis rules; ICD-10-CM, with or without the dot',
  imagingCodes: 'Imaging guidance included in 62323 (IMAGING_BUNDLED); CPT codes',
  allowedPlacesOfService: 'Places of service usual for 62323 (POS_NOT_ALLOWED); two-digit codes',
} as const satisfies Record<PackListName, string>;

function listDescription(name: PackListName): string {
  return `${LIST_MEANINGS[name]}. Built in: ${PACK_LISTS[name].join(' ')}.`;
}

interface CodeForm {
  readonly shape: RegExp;
  readonly words: string;
}
const DIAGNOSIS_FORM: CodeForm = {
  shape: DIAGNOSIS_SHAPE,
  words: 'must be an ICD-10-CM code (such as M54.16)',
};
/** The form a list's codes must have once normalised (trimmed, upper-case; diagnoses without the dot). */
const LIST_CODE_FORMS: Readonly<Record<PackListName, CodeForm>> = {
  coveredDiagnoses: DIAGNOSIS_FORM,
  axialDiagnoses: DIAGNOSIS_FORM,
  exemptDiagnoses: DIAGNOSIS_FORM,
  imagingCodes: { shape: PROCEDURE_CODE_SHAPE, words: 'must be a CPT/HCPCS code (such as 77003)' },
  allowedPlacesOfService: { shape: POS_SHAPE, words: 'must be a two-digit place of service (such as 11)' },
};

/**
 * A code no line can carry (a typo, `M543O`) would make a list silently replace or remove nothing:
 * every entry of every list must have its list's form.
 */
function checkListCodes(lists: Partial<Record<PackListName, ListValue>>, context: z.RefinementCtx): void {
  for (const name of PACK_LIST_NAMES) {
    const value = lists[name];
    const form = LIST_CODE_FORMS[name];
    if (value === undefined) continue;
    const parts: [readonly (string | number)[], readonly ListEntry[] | undefined][] = Array.isArray(value)
      ? [[[], value]]
      : [
          [['add'], value.add],
          [['remove'], value.remove],
        ];
    for (const [prefix, entries] of parts) {
      for (const [index, entry] of (entries ?? []).entries()) {
        const code = typeof entry === 'string' ? entry : entry.code;
        // A blank code is already named as such.
        if (code.trim() === '' || form.shape.test(normalListCode(name, code))) continue;
        const path = [name, ...prefix, index, ...(typeof entry === 'string' ? [] : ['code'])];
        context.addIssue({ code: 'custom', message: form.words, path });
      }
    }
  }
}

function listShape(): Record<PackListName, z.ZodOptional<typeof LIST_VALUE>> {
  const shape = Object.fromEntries(
    PACK_LIST_NAMES.map((name) => [name, LIST_VALUE.optional().describe(listDescription(name))]),
  );
  // The catalog's list names as keys: a schema built from our own data, not a parsed value.
  return shape as Record<PackListName, z.ZodOptional<typeof LIST_VALUE>>;
}

export const RULE_PACK_SCHEMA = z
  .strictObject({
    // Editors find a file's schema here; it says nothing about the rules.
    $schema: z
      .string()
      .optional()
      .describe('The JSON Schema editors validate the pack with (docs/rule-pack.schema.json).'),
    name: z
      .string()
      .regex(PACK_NAME)
      .describe('The pack’s name: letters, digits, -, _ or . (at most 64). Unique among the loaded packs.'),
    version: text().describe('The pack’s version, as summary.json records it.'),
    extends: z
      .literal(RULE_SET_ID)
      .default(RULE_SET_ID)
      .describe('The rule set the pack adjusts; 62323/v2 is the only base today.'),
    description: z.string().optional().describe('What the pack is for.'),
    payers: z
      .array(text())
      .optional()
      .describe('Payers whose lines this pack judges (compared trimmed and case-insensitive). May be empty.'),
    sources: z
      .array(text())
      .optional()
      .describe('Where the pack’s limits come from (payer policies, manuals), in words.'),
    rules: RULES_SCHEMA,
    lists: z
      .strictObject(listShape())
      .superRefine(checkListCodes)
      .optional()
      .describe('Code lists: an array replaces the built-in list, {add, remove} edits it.'),
  })
  .describe('A scrub62323 rule pack: tunes rule set 62323/v2 for a payer.');

export type RulePackFile = z.output<typeof RULE_PACK_SCHEMA>;
export type ListEntry = z.output<typeof LIST_ENTRY>;
export type ListValue = z.output<typeof LIST_VALUE>;
/** The settings every rule entry may carry. */
export type RuleEntry = z.output<typeof PLAIN_ENTRY>;
/** One rule's entry, with that rule's own options. */
export type RuleEntryOf<Id extends RuleId> = NonNullable<RulePackFile['rules'][Id]>;
