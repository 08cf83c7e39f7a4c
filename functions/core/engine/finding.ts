import type { RuleId } from '../rules/catalog.js';

/** One rule firing on one line. */
export interface Finding {
  readonly line: number;
  readonly ruleId: RuleId;
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
  message,
  related,
});
