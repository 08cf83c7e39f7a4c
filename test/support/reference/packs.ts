/**
 * Rule packs (packs.md), assumed valid: rule settings and code lists as a pack changes them, with
 * effective dating, and which pack judges a line.
 */
import {
  BASE_LISTS,
  BUILT_IN_PACK,
  DEFAULT_REPEAT_DAYS,
  DEFAULT_TIMELY_DAYS,
  DEFAULT_WINDOWS,
  type ListName,
  OFF_BY_DEFAULT,
  type RuleId,
  type Severity,
  V2_RULES,
} from './catalog.js';
import { normDiagnosis, parseDate } from './values.js';

export interface Window {
  readonly limit: number;
  readonly days: number;
}

type EntryJson = string | { code: string; effectiveFrom?: string; effectiveTo?: string };
type ListJson = EntryJson[] | { add?: EntryJson[]; remove?: EntryJson[] };

interface RuleJson {
  enabled?: boolean;
  severity?: Severity;
  windows?: Window[];
  days?: number;
  effectiveFrom?: string;
  effectiveTo?: string;
}

interface PackJson {
  name: string;
  payers?: string[];
  rules?: Partial<Record<RuleId, RuleJson>>;
  lists?: Partial<Record<ListName, ListJson>>;
}

export interface RuleSettings {
  readonly enabled: boolean;
  readonly severity: Severity;
  readonly windows: readonly Window[];
  /** TIMELY_FILING and REPEAT_TOO_SOON days (unused by other rules). */
  readonly days: number;
}

/** Both ends inclusive, either may be absent; a date-less line is in no dated range (packs.md lists). */
function inEffect(dos: number | undefined, from: string | undefined, to: string | undefined): boolean {
  if (from === undefined && to === undefined) return true;
  if (dos === undefined) return false;
  const start = from === undefined ? undefined : parseDate(from);
  const end = to === undefined ? undefined : parseDate(to);
  return (start === undefined || dos >= start) && (end === undefined || dos <= end);
}

const entryCounts = (entry: EntryJson, code: string, dos: number | undefined): boolean =>
  typeof entry === 'string'
    ? normDiagnosis(entry) === code
    : normDiagnosis(entry.code) === code && inEffect(dos, entry.effectiveFrom, entry.effectiveTo);

function baseSettings(rule: RuleId): RuleSettings {
  return {
    enabled: !OFF_BY_DEFAULT.has(rule),
    severity: V2_RULES[rule],
    windows: DEFAULT_WINDOWS,
    days: rule === 'REPEAT_TOO_SOON' ? DEFAULT_REPEAT_DAYS : DEFAULT_TIMELY_DAYS,
  };
}

const baseLists = new Map<ListName, ReadonlySet<string>>(
  Object.entries(BASE_LISTS).map(([name, codes]) => [name as ListName, new Set<string>(codes)]),
);

/** The settings one pack (or the built-in rule set, with no JSON) gives a line. */
export class Judge {
  constructor(
    readonly name: string,
    private readonly pack: PackJson | undefined,
  ) {}

  /**
   * A dated rule entry applies (wholly: enabled, severity, options — spec says "options", an auditor
   * reads the whole entry) only inside its range; elsewhere, and for a line without a valid date of
   * service, the base rule set's settings apply.
   */
  settings(rule: RuleId, dos: number | undefined): RuleSettings {
    const base = baseSettings(rule);
    const entry = this.pack?.rules?.[rule];
    if (entry === undefined || !inEffect(dos, entry.effectiveFrom, entry.effectiveTo)) return base;
    return {
      enabled: entry.enabled ?? base.enabled,
      severity: entry.severity ?? base.severity,
      windows: entry.windows ?? base.windows,
      days: entry.days ?? base.days,
    };
  }

  /** Whether a normalised code is on the list for a line with this date of service. */
  inList(list: ListName, code: string, dos: number | undefined): boolean {
    const base = baseLists.get(list)!;
    const change = this.pack?.lists?.[list];
    if (change === undefined) return base.has(code);
    if (Array.isArray(change)) return change.some((entry) => entryCounts(entry, code, dos));
    const added = base.has(code) || (change.add ?? []).some((entry) => entryCounts(entry, code, dos));
    // A code both added and removed is removed: `remove` is applied after `add` (spec silent).
    return added && !(change.remove ?? []).some((entry) => entryCounts(entry, code, dos));
  }
}

const payerKey = (payer: string): string => payer.trim().toLowerCase();

/** Every pack of a batch, and which judges a line. */
export class PackSet {
  private readonly byPayer = new Map<string, Judge>();
  private readonly fallback: Judge;

  constructor(packs: readonly unknown[], defaultPack: string | undefined) {
    const judges = new Map<string, Judge>();
    for (const json of packs as readonly PackJson[]) {
      const judge = new Judge(json.name, json);
      judges.set(json.name, judge);
      for (const payer of json.payers ?? []) this.byPayer.set(payerKey(payer), judge);
    }
    const name = defaultPack ?? BUILT_IN_PACK;
    const fallback = name === BUILT_IN_PACK ? new Judge(BUILT_IN_PACK, undefined) : judges.get(name);
    if (fallback === undefined) throw new Error(`referenceCheck: no pack named ${name}`);
    this.fallback = fallback;
  }

  judgeFor(payer: string): Judge {
    return this.byPayer.get(payerKey(payer)) ?? this.fallback;
  }
}
