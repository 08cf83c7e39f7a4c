/** What the sample files are made of: claim lines with their expected findings, raw and blank lines, scenarios. */
import type { StandardColumn } from '../../test/support/columns.js';
import type { RuleId, Severity } from '../../test/support/reference/catalog.js';

export type { RuleId, Severity };

export type ClaimLineFields = Record<StandardColumn, string>;

export interface DataLine {
  readonly kind: 'line';
  readonly fields: ClaimLineFields;
  /** Every finding this line must get (MISSING_FIELD once per missing field). */
  readonly expect: RuleId[];
  /** Severities a pack gives some of those findings (the others keep the rule's default). */
  readonly severities: Partial<Record<RuleId, Severity>>;
  /** Rules a near miss must not trigger, and why. */
  readonly mustNot: RuleId[];
  readonly why: string;
  /** Findings that only appear when prior-history.csv is loaded. */
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

/** One row of prior-history.csv: a session line an earlier batch recorded (packs.md "Member history"). */
export interface HistoryRow {
  readonly member: string;
  readonly date: string;
  readonly code: string;
  /** The encounter NPI of the earlier line. */
  readonly npi: string;
  readonly claimId: string;
  readonly lineNo: string;
  readonly frequency: string;
  readonly batchId: string;
  /** The line of the earlier batch's file. */
  readonly line: number;
}

export interface Patient {
  readonly id: string;
  readonly dob: string;
  readonly payer: string;
  readonly dx: readonly string[];
  readonly auth: string;
}

/** A provider as a claim names it: rendering NPI (may be empty: the billing provider rendered it) and billing NPI. */
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
  severities?: Partial<Record<RuleId, Severity>>;
  mustNot?: RuleId[];
  why?: string;
  needsHistory?: RuleId[];
  note?: string;
}
