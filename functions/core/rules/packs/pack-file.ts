/**
 * Reading one rule-pack file (packs.md): JSON text → a validated pack with the SHA-256 of its
 * canonical JSON, or a RulePackError that names every problem. Also the built-in rule set written
 * out as a pack, so summary.json can record it like any other.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ScrubError } from '../../errors.js';
import {
  type OptionRuleId,
  PACK_LIST_NAMES,
  PACK_LISTS,
  RULE_IDS,
  RULE_OPTIONS,
  RULE_SET_ID,
  RULE_SET_VERSION,
  RULES,
  type RuleId,
  sourceOf,
} from '../catalog.js';
import { canonicalJson } from './canonical-json.js';
import { duplicateKey, jsonFault } from './json-position.js';
import { problemsOf } from './problems.js';
import { RULE_PACK_SCHEMA, type RulePackFile } from './schema.js';

export { canonicalJson } from './canonical-json.js';
export {
  LIST_ENTRY,
  LIST_VALUE,
  type ListEntry,
  type ListValue,
  RULE_PACK_SCHEMA,
  type RuleEntry,
  type RuleEntryOf,
  type RulePackFile,
} from './schema.js';

/**
 * A pack that was refused. The message is `<origin>: <problem>; <problem>; …`, each problem
 * `<JSON path>: <what is wrong>`; it quotes no text from the file, so it is safe to log.
 */
export class RulePackError extends ScrubError {
  declare readonly code: 'BAD_RULE_PACK';

  constructor(
    readonly origin: string,
    readonly problems: readonly string[],
  ) {
    super('BAD_RULE_PACK', `${origin}: ${problems.join('; ')}`);
    this.name = 'RulePackError';
  }
}

export interface LoadedPack {
  readonly file: RulePackFile;
  /** SHA-256 (hex) of the canonical JSON of the file as written, before defaults. */
  readonly sha256: string;
  /** Where it came from (a path or an S3 key), for messages. */
  readonly origin: string;
}

/** Parses and validates one pack file; throws RulePackError naming every problem. */
export function parseRulePack(text: string, origin: string): LoadedPack {
  const json = parseJson(text, origin);
  const result = RULE_PACK_SCHEMA.safeParse(json, { reportInput: true });
  if (!result.success) throw new RulePackError(origin, problemsOf(result.error.issues, RULE_PACK_SCHEMA));
  return deepFreeze({ file: result.data, sha256: sha256Of(json), origin });
}

function parseJson(text: string, origin: string): unknown {
  // Editors on Windows may start a UTF-8 file with a byte order mark; JSON.parse refuses it.
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    // JSON.parse's own message quotes the file; ours names only the place.
    if (body.trim() === '') throw new RulePackError(origin, ['the file is empty']);
    const fault = jsonFault(body);
    throw new RulePackError(origin, [
      fault === undefined
        ? 'not valid JSON'
        : `not valid JSON at line ${fault.line}, column ${fault.column}: ${fault.reason}`,
    ]);
  }
  const twice = duplicateKey(body);
  if (twice !== undefined)
    throw new RulePackError(origin, [`line ${twice.line}, column ${twice.column}: ${twice.reason}`]);
  return json;
}

const sha256Of = (json: unknown): string => createHash('sha256').update(canonicalJson(json)).digest('hex');

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const member of Object.values(value)) deepFreeze(member);
    Object.freeze(value);
  }
  return value;
}

const takesOptions = (id: RuleId): id is OptionRuleId => Object.hasOwn(RULE_OPTIONS, id);

/** The built-in settings of one rule, all spelled out. */
function builtInRule(id: RuleId): Record<string, unknown> {
  const rule: { readonly severity: string; readonly enabled?: false } = RULES[id];
  return {
    enabled: rule.enabled !== false,
    severity: rule.severity,
    source: sourceOf(id),
    ...(takesOptions(id) ? RULE_OPTIONS[id] : {}),
  };
}

/** The built-in rule set as a pack file: every rule and every list, so its hash follows the catalog. */
function builtInJson(): Record<string, unknown> {
  return {
    name: RULE_SET_ID,
    version: RULE_SET_VERSION,
    extends: RULE_SET_ID,
    description: `The built-in rule set ${RULE_SET_ID}: the rule catalog's settings and lists.`,
    rules: Object.fromEntries(RULE_IDS.map((id) => [id, builtInRule(id)])),
    lists: Object.fromEntries(PACK_LIST_NAMES.map((name) => [name, [...PACK_LISTS[name]]])),
  };
}

/**
 * Its name is the rule set id, which contains `/`: no user pack can take it (their names may not),
 * so this is the one place the name pattern is waived. Everything else passes the pack schema.
 */
const BUILT_IN_SCHEMA = RULE_PACK_SCHEMA.extend({ name: z.literal(RULE_SET_ID) });

function builtInPack(): LoadedPack {
  const json = builtInJson();
  const origin = `built-in rule set ${RULE_SET_ID}`;
  const result = BUILT_IN_SCHEMA.safeParse(json, { reportInput: true });
  // Only a catalog this schema does not fit can fail here: a programming error, caught by the tests.
  if (!result.success) throw new RulePackError(origin, problemsOf(result.error.issues, BUILT_IN_SCHEMA));
  return deepFreeze({ file: result.data, sha256: sha256Of(json), origin });
}

export const BUILT_IN_PACK: LoadedPack = builtInPack();
