/** Findings as the oracle gives them, and the one place where a pack decides whether and how one is given. */
import type { RuleId, Severity } from './catalog.js';
import type { Line } from './lines.js';

export interface ReferenceFinding {
  readonly line: number;
  readonly rule_id: string;
  readonly severity: Severity;
  /** Ascending, at most the 20 lowest, never the finding's own line. */
  readonly related: readonly number[];
  readonly rule_pack: string;
  readonly provider_npi: string;
  readonly payer: string;
}

const MAX_RELATED = 20;

/** The 20 lowest distinct lines of an ascending list, without `own`. */
function lowestOthers(ascending: readonly number[], own: number): number[] {
  const picked: number[] = [];
  for (const other of ascending) {
    if (picked.length === MAX_RELATED) break;
    if (other !== own && other !== picked[picked.length - 1]) picked.push(other);
  }
  return picked;
}

export class FindingList {
  private readonly findings: ReferenceFinding[] = [];
  private readonly given = new Set<string>();

  /**
   * A finding on `line`, judged (enabled? severity?) by that line's pack for that line's date.
   * `related` must be ascending (callers sort once per group, so big encounters stay fast).
   */
  add(line: Line, rule: RuleId, related: readonly number[] = []): void {
    const settings = line.judge.settings(rule, line.dos);
    if (!settings.enabled) return;
    const key = `${line.line} ${rule}`;
    // At most one finding per line per rule, except MISSING_FIELD (one per missing field).
    if (rule !== 'MISSING_FIELD' && this.given.has(key)) return;
    this.given.add(key);
    this.findings.push({
      line: line.line,
      rule_id: rule,
      severity: settings.severity,
      related: lowestOthers(related, line.line),
      rule_pack: line.judge.name,
      provider_npi: line.encounterNpi,
      payer: line.text.payer,
    });
  }

  /** Sorted by line, then rule id (plain string order). */
  sorted(): ReferenceFinding[] {
    return [...this.findings].sort((a, b) => {
      if (a.line !== b.line) return a.line - b.line;
      if (a.rule_id === b.rule_id) return 0;
      return a.rule_id < b.rule_id ? -1 : 1;
    });
  }
}
