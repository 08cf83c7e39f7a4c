/** What the sample files are made of: claim lines with their expected findings, raw and blank lines, scenarios. */
import type { RuleId } from '../../functions/core/rules/catalog.js';
import type { StandardColumn } from '../../test/support/columns.js';

export type ClaimLineFields = Record<StandardColumn, string>;

export interface DataLine {
  readonly kind: 'line';
  readonly fields: ClaimLineFields;
  /** Every finding this line must get (MISSING_FIELD once per missing field). */
  readonly expect: RuleId[];
  /** Rules a near miss must not trigger, and why. */
  readonly mustNot: RuleId[];
  readonly why: string;
  /** Findings that only appear when prior-sessions.csv is loaded. */
  readonly needsHistory: RuleId[];
  readonly note: string;
  readonly scenario: Scenario | undefined;
}

export interface RawLine {
  readonly kind: 'raw';
  readonly text: string;
  readonly reason: string;
  readonly scenario: Scenario;
}

export interface BlankLine {
  readonly kind: 'blank';
}

export type Entry = DataLine | RawLine | BlankLine;

/** Lines that stay together in the file (a claim, or a claim and its duplicate). */
export interface Block {
  readonly entries: Entry[];
  /** Keep near the top or the bottom of the file, e.g. to put related lines far apart. */
  readonly pin?: 'early' | 'late';
}

export interface Scenario {
  readonly title: string;
  readonly why: string;
}

export interface HistoryRow {
  readonly member: string;
  readonly date: string;
  readonly code: string;
}

export interface Patient {
  readonly id: string;
  readonly dob: string;
  readonly payer: string;
  readonly dx: readonly string[];
  readonly auth: string;
}

export interface Provider {
  readonly npi: string;
  readonly billing: string;
}

export interface Batch {
  readonly blocks: Block[];
  readonly history: HistoryRow[];
}

export interface LineOptions {
  pos?: string;
  mods?: readonly string[];
  dx?: readonly string[];
  units?: string;
  charge?: string;
  auth?: string;
  dosTo?: string;
  /** Raw overrides applied last (e.g. an empty member_id). */
  set?: Partial<ClaimLineFields>;
  expect?: RuleId[];
  mustNot?: RuleId[];
  why?: string;
  needsHistory?: RuleId[];
  note?: string;
}
