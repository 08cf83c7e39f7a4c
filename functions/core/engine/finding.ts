import type { Book } from '../rules/books.js';
import { RULES, type RuleId, type Severity } from '../rules/catalog.js';

/** One rule firing on one line. */
export interface Finding {
  readonly line: number;
  readonly ruleId: RuleId;
  /** As the book of the line judged it (the catalog's until then). */
  readonly severity: Severity;
  readonly message: string;
  /** Other lines involved, ascending. */
  readonly related: readonly number[];
}

const NONE: readonly number[] = [];

export const finding = (
  line: number,
  ruleId: RuleId,
  message: string,
  related: readonly number[] = NONE,
): Finding => ({
  line,
  ruleId,
  severity: RULES[ruleId].severity,
  message,
  related,
});

/** Judges `out[from]` … by one book (the findings of one line). */
export const judgeByBook = (out: Finding[], from: number, book: Book): void => judge(out, from, () => book);

/**
 * Judges `out[from]` … by the book of their line (`bookOf`): a finding of a rule the book turns off
 * is dropped, and each keeps the book's severity. Rules run as the catalog has them and the pack has
 * the last word, so no rule needs to know about packs beyond the options it reads.
 */
export function judge(out: Finding[], from: number, bookOf: (line: number) => Book): void {
  if (from >= out.length) return;
  let kept = from;
  for (let index = from; index < out.length; index += 1) {
    const item = out[index]!;
    const setting = bookOf(item.line).rules[item.ruleId];
    if (!setting.enabled) continue;
    out[kept++] = setting.severity === item.severity ? item : { ...item, severity: setting.severity };
  }
  out.length = kept;
}
