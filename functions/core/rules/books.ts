/**
 * Rule books: what a rule pack means for one line. A pack tunes rules and lists, some of them only
 * for dates of service in a range; a book is one pack's settings resolved for one stretch of dates,
 * so the rules never look at a pack, only at the book of the line they judge. Every line of a batch
 * gets a book id (its payer picks the pack, its date of service the stretch); findings carry no
 * pack, only the line they are on.
 */
import { parseDate } from '../engine/values.js';
import {
  normalListCode,
  PACK_LIST_NAMES,
  PACK_LISTS,
  type PackListName,
  RULE_IDS,
  RULE_OPTIONS,
  RULE_SET_ID,
  RULES,
  type RuleDefinition,
  type RuleId,
  type RuleOptions,
  type Severity,
} from './catalog.js';
import { BUILT_IN_PACK } from './packs/pack-file.js';
import { payerKey } from './packs/pack-set.js';

/** A list entry of a pack: a code, or a code that counts only for dates of service in a range. */
export type PackListEntry =
  | string
  | {
      readonly code: string;
      readonly effectiveFrom?: string | undefined;
      readonly effectiveTo?: string | undefined;
    };
export type PackListValue =
  | readonly PackListEntry[]
  | {
      readonly add?: readonly PackListEntry[] | undefined;
      readonly remove?: readonly PackListEntry[] | undefined;
    };

export interface PackRuleEntry {
  readonly enabled?: boolean | undefined;
  readonly severity?: Severity | undefined;
  readonly effectiveFrom?: string | undefined;
  readonly effectiveTo?: string | undefined;
  readonly windows?: readonly { readonly limit: number; readonly days: number }[] | undefined;
  readonly days?: number | undefined;
}

/** What the books read of a validated pack file (rules/packs/pack-file.ts parses it). */
export interface PackSettings {
  readonly name: string;
  readonly version: string;
  readonly payers?: readonly string[] | undefined;
  readonly rules: { readonly [K in RuleId]?: PackRuleEntry | undefined };
  readonly lists?: { readonly [K in PackListName]?: PackListValue | undefined } | undefined;
}

/** A pack as a batch records it (summary.json `rulePacks`). */
export interface PackIdentity {
  readonly name: string;
  readonly version: string;
  readonly sha256: string;
}

export interface RuleSetting {
  readonly enabled: boolean;
  readonly severity: Severity;
}

/** One pack's settings for the lines of one stretch of dates. */
export interface Book {
  readonly id: number;
  /** Index of the pack in RuleBooks.packs. */
  readonly pack: number;
  readonly packName: string;
  readonly rules: Readonly<Record<RuleId, RuleSetting>>;
  readonly options: RuleOptions;
  readonly lists: Readonly<Record<PackListName, ReadonlySet<string>>>;
}

/** A book id fits in the bits the packed cross-line fact gives it (cross-facts.ts). */
export const MAX_BOOKS = 1 << 13;

const dayOf = (date: string | undefined): number | undefined =>
  date === undefined ? undefined : parseDate(date);

/** Whether a dated item applies on `day` (undefined: a line without a valid date, where no dated item applies). */
function appliesOn(
  item: { effectiveFrom?: string | undefined; effectiveTo?: string | undefined },
  day: number | undefined,
): boolean {
  const from = dayOf(item.effectiveFrom);
  const to = dayOf(item.effectiveTo);
  if (from === undefined && to === undefined) return true;
  if (day === undefined) return false;
  return (from === undefined || day >= from) && (to === undefined || day <= to);
}

const entryCode = (entry: PackListEntry): string => (typeof entry === 'string' ? entry : entry.code);
const entryApplies = (entry: PackListEntry, day: number | undefined): boolean =>
  typeof entry === 'string' || appliesOn(entry, day);

function listOn(
  name: PackListName,
  value: PackListValue | undefined,
  day: number | undefined,
): ReadonlySet<string> {
  const base: readonly string[] = PACK_LISTS[name];
  if (value === undefined) return new Set(base);
  const applying = (entries: readonly PackListEntry[] | undefined) =>
    (entries ?? [])
      .filter((entry) => entryApplies(entry, day))
      .map((entry) => normalListCode(name, entryCode(entry)));
  if (isWholeList(value)) return new Set(applying(value));
  const codes = new Set(base);
  for (const code of applying(value.add)) codes.add(code);
  for (const code of applying(value.remove)) codes.delete(code);
  return codes;
}

const isWholeList = (value: PackListValue): value is readonly PackListEntry[] => Array.isArray(value);

function bookOn(
  settings: PackSettings | undefined,
  day: number | undefined,
): Omit<Book, 'id' | 'pack' | 'packName'> {
  const rules = {} as Record<RuleId, RuleSetting>;
  let options: RuleOptions = RULE_OPTIONS;
  for (const ruleId of RULE_IDS) {
    const rule: RuleDefinition = RULES[ruleId];
    const entry = settings?.rules[ruleId];
    const applies = entry !== undefined && appliesOn(entry, day);
    rules[ruleId] = {
      enabled: (applies ? entry.enabled : undefined) ?? rule.enabled ?? true,
      severity: (applies ? entry.severity : undefined) ?? rule.severity,
    };
    if (applies) options = withOptions(options, ruleId, entry);
  }
  const lists = {} as Record<PackListName, ReadonlySet<string>>;
  for (const name of PACK_LIST_NAMES) lists[name] = listOn(name, settings?.lists?.[name], day);
  return { rules, options, lists };
}

function withOptions(options: RuleOptions, ruleId: RuleId, entry: PackRuleEntry): RuleOptions {
  if (ruleId === 'FREQUENCY_EXCEEDED' && entry.windows !== undefined)
    return { ...options, FREQUENCY_EXCEEDED: { windows: entry.windows } };
  if ((ruleId === 'TIMELY_FILING' || ruleId === 'REPEAT_TOO_SOON') && entry.days !== undefined)
    return { ...options, [ruleId]: { days: entry.days } };
  return options;
}

/** Day numbers where some dated item of the pack starts or stops applying, ascending. */
function boundariesOf(settings: PackSettings): number[] {
  const days = new Set<number>();
  const note = (item: { effectiveFrom?: string | undefined; effectiveTo?: string | undefined }) => {
    const from = dayOf(item.effectiveFrom);
    const to = dayOf(item.effectiveTo);
    if (from !== undefined) days.add(from);
    if (to !== undefined) days.add(to + 1);
  };
  for (const ruleId of RULE_IDS) {
    const entry = settings.rules[ruleId];
    if (entry !== undefined) note(entry);
  }
  for (const name of PACK_LIST_NAMES) {
    const value = settings.lists?.[name];
    if (value === undefined) continue;
    const entries = isWholeList(value) ? value : [...(value.add ?? []), ...(value.remove ?? [])];
    for (const entry of entries) if (typeof entry !== 'string') note(entry);
  }
  return [...days].sort((a, b) => a - b);
}

/** A pack's books: one for lines without a valid date, then one per stretch between boundaries. */
interface PackBooks {
  readonly undated: number;
  readonly boundaries: readonly number[];
  /** stretches[i] is the book of days before boundaries[i]; the last, of days from the last boundary. */
  readonly stretches: readonly number[];
}

export interface LoadedRulePack extends PackIdentity {
  readonly settings: PackSettings;
}

export class RuleBooks {
  readonly books: readonly Book[];
  /** The packs in book order; the default pack is `packs[defaultPack]`. */
  readonly packs: readonly PackIdentity[];
  readonly defaultPack: number;
  private readonly packBooks: readonly PackBooks[];
  private readonly packOfPayer: ReadonlyMap<string, number>;
  /** Payers as written → pack: payers repeat on every line, so the key is made once each. */
  private readonly payerCache = new Map<string, number>();

  /**
   * `packs`: the loaded packs (validated, checked as a set); `builtIn`: the built-in rule set's
   * identity; `defaultName`: the pack of lines no pack's payers claim (the built-in when absent).
   */
  constructor(builtIn: PackIdentity, packs: readonly LoadedRulePack[] = [], defaultName?: string) {
    const all: { identity: PackIdentity; settings: PackSettings | undefined }[] = [
      { identity: builtIn, settings: undefined },
      ...packs.map((pack) => ({
        identity: { name: pack.name, version: pack.version, sha256: pack.sha256 },
        settings: pack.settings,
      })),
    ];
    const books: Book[] = [];
    const packBooks: PackBooks[] = [];
    all.forEach(({ identity, settings }, pack) => {
      const add = (day: number | undefined): number => {
        books.push({ id: books.length, pack, packName: identity.name, ...bookOn(settings, day) });
        return books.length - 1;
      };
      const boundaries = settings === undefined ? [] : boundariesOf(settings);
      const undated = add(undefined);
      const stretches =
        boundaries.length === 0 ? [undated] : [add(boundaries[0]! - 1), ...boundaries.map(add)];
      packBooks.push({ undated, boundaries, stretches });
    });
    if (books.length > MAX_BOOKS) throw new RangeError(`${books.length} rule books; at most ${MAX_BOOKS}`);
    this.books = books;
    this.packs = all.map(({ identity }) => identity);
    this.packBooks = packBooks;
    const found =
      defaultName === undefined || defaultName === RULE_SET_ID
        ? 0
        : this.packs.findIndex((p) => p.name === defaultName);
    if (found < 0) throw new RangeError('the default pack is not loaded');
    this.defaultPack = found;
    const packOfPayer = new Map<string, number>();
    packs.forEach((pack, index) => {
      for (const payer of pack.settings.payers ?? []) packOfPayer.set(payerKey(payer), index + 1);
    });
    this.packOfPayer = packOfPayer;
  }

  private lastPayer: string | undefined;
  private lastPack = 0;

  /** The pack that judges lines of this payer (as written). */
  packOf(payer: string): number {
    // No pack names a payer: every line is the default pack's.
    if (this.packOfPayer.size === 0) return this.defaultPack;
    // Lines of one payer come in runs: most lookups are the payer of the line before.
    if (payer === this.lastPayer) return this.lastPack;
    const pack = this.lookUpPack(payer);
    this.lastPayer = payer;
    this.lastPack = pack;
    return pack;
  }

  private lookUpPack(payer: string): number {
    const cached = this.payerCache.get(payer);
    if (cached !== undefined) return cached;
    const pack = this.packOfPayer.get(payerKey(payer)) ?? this.defaultPack;
    if (this.payerCache.size < 100_000) this.payerCache.set(payer, pack);
    return pack;
  }

  /** The book of a line: its payer's pack, at its date of service (undefined: no valid date). */
  bookOf(payer: string, dos: number | undefined): Book {
    return this.bookOfPack(this.packOf(payer), dos);
  }

  /** The book of pack `pack` (index into `packs`) for a line dated `dos`. */
  bookOfPack(pack: number, dos: number | undefined): Book {
    const { undated, boundaries, stretches } = this.packBooks[pack]!;
    if (dos === undefined) return this.books[undated]!;
    if (boundaries.length === 0) return this.books[stretches[0]!]!;
    let stretch = 0;
    while (stretch < boundaries.length && dos >= boundaries[stretch]!) stretch += 1;
    return this.books[stretches[stretch]!]!;
  }

  /** Procedure codes some book lists for a cross-line rule beyond the catalog's (packs may add imaging codes). */
  listedProcedureCodes(): ReadonlySet<string> {
    const codes = new Set<string>();
    for (const book of this.books) for (const code of book.lists.imagingCodes) codes.add(code);
    return codes;
  }
}

/** The built-in rule set as a pack a batch records (summary.json `rulePacks`). */
export const BUILT_IN_IDENTITY: PackIdentity = {
  name: BUILT_IN_PACK.file.name,
  version: BUILT_IN_PACK.file.version,
  sha256: BUILT_IN_PACK.sha256,
};

/** Books of a batch judged by the built-in rule set alone. */
export const BUILT_IN_BOOKS = new RuleBooks(BUILT_IN_IDENTITY);
