/**
 * The contract as tests see it: the 33 rule ids of rule set 62323/v1 and their severities, copied from
 * the rule catalog in the specification (rules.md), and the report columns of formats.md — deliberately
 * not imported from the engine, so that a drift in the engine's catalog or report shows up as a failing
 * test.
 */

export type SpecSeverity = 'error' | 'warning' | 'info';

export const SPEC_RULES = {
  // A. Data rules
  MISSING_FIELD: 'error',
  INVALID_DATE: 'error',
  DATE_OUT_OF_RANGE: 'error',
  INVALID_NPI: 'error',
  INVALID_PROCEDURE_CODE: 'error',
  INVALID_MODIFIER: 'error',
  INVALID_DIAGNOSIS: 'error',
  INVALID_UNITS: 'error',
  INVALID_CHARGE: 'error',
  INVALID_POS: 'error',
  DUPLICATE_LINE: 'error',
  CODE_RETIRED: 'error',
  DIAGNOSIS_RETIRED: 'error',
  ABN_MODIFIER_CONFLICT: 'error',
  // B. 62323 rules
  IMAGING_BUNDLED: 'error',
  NO_IMAGING_TWIN: 'error',
  CATHETER_TWIN: 'warning',
  UNITS_EXCEED_MUE: 'error',
  BILATERAL_MODIFIER: 'error',
  MODIFIER_NOT_ALLOWED: 'error',
  KX_ON_INTERLAMINAR: 'warning',
  DX_AXIAL_ONLY: 'error',
  DX_NOT_COVERED: 'error',
  ONE_REGION_PER_SESSION: 'error',
  SAME_SESSION_OTHER_SPINAL: 'warning',
  EM_SAME_DAY_NO_25: 'error',
  SEDATION_SAME_SESSION: 'warning',
  DRUG_IN_FACILITY: 'warning',
  FREQUENCY_EXCEEDED: 'error',
  PRIOR_AUTH_MISSING: 'warning',
  POS_UNUSUAL: 'warning',
  POS_NOT_ALLOWED: 'error',
  MULTI_DAY_SPAN: 'warning',
} as const satisfies Record<string, SpecSeverity>;

export type SpecRuleId = keyof typeof SPEC_RULES;
export const SPEC_RULE_IDS = Object.keys(SPEC_RULES) as SpecRuleId[];

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
] as const;

/** rejected.csv columns, in order (formats.md). */
export const REJECTED_COLUMNS = ['line', 'end_line', 'reason', 'raw'] as const;

/** The as-of date the tests use unless a case needs another. */
export const AS_OF = '2026-11-28';
