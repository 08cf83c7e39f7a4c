/**
 * The contract as tests see it: the 38 rule ids of rule set 62323/v2 and their severities (held by
 * the independent reference checker, copied from rules.md) and the report columns of formats.md —
 * deliberately not imported from the engine, so that a drift in the engine's catalog or report shows
 * up as a failing test.
 */
import { V2_RULE_IDS, V2_RULES } from './reference/index.js';

export type SpecSeverity = 'error' | 'warning' | 'info';
export const SPEC_RULES = V2_RULES;
export type SpecRuleId = keyof typeof SPEC_RULES;
export const SPEC_RULE_IDS: readonly SpecRuleId[] = V2_RULE_IDS;

/** findings.csv columns, in order (formats.md). */
export const FINDINGS_COLUMNS = [
  'line',
  'claim_id',
  'line_no',
  'member_id',
  'date_of_service',
  'procedure_code',
  'rule_id',
  'severity',
  'message',
  'related_lines',
  'charge',
  'provider_npi',
  'payer',
  'rule_pack',
  'fix',
  'source',
] as const;

/** rejected.csv columns, in order (formats.md). */
export const REJECTED_COLUMNS = ['line', 'end_line', 'reason', 'raw'] as const;

/** The as-of date the tests use unless a case needs another. */
export const AS_OF = '2026-11-28';
