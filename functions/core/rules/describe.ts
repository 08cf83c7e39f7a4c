/**
 * The user-facing rule reference (docs/rules.md), rendered from the catalog so that the docs never
 * drift from what the engine checks. `npm run docs` writes it; a test fails if it is stale.
 */
import {
  AXIAL_DIAGNOSES,
  CODES,
  COVERED_DIAGNOSES,
  EXEMPT_DIAGNOSES,
  FREQUENCY,
  type ListedRuleId,
  MODIFIERS,
  PLACES_OF_SERVICE,
  RETIRED_DIAGNOSES,
  RETIRED_PROCEDURES,
  RULE_IDS,
  RULE_SET_ID,
  RULES,
  type RuleId,
} from './catalog.js';

const list = (codes: readonly string[]): string => codes.join(', ');
/** The code list a rule's catalog entry names: the list its check reads. */
const listed = (ruleId: ListedRuleId): string => list(CODES[RULES[ruleId].codes]);

/** What fires each rule, in words, built from the same lists the checks use. */
const TRIGGERS: Record<RuleId, string> = {
  MISSING_FIELD:
    'A required field is empty (one finding per field), or a 62323 line has no diagnosis at all.',
  INVALID_DATE:
    'Date of service, date of birth or date of service to is not a real date in YYYY-MM-DD, MM/DD/YYYY or YYYYMMDD.',
  DATE_OUT_OF_RANGE:
    'Date of service after the as-of date or before the date of birth, or date of service to before date of service.',
  INVALID_NPI:
    'Rendering NPI (or billing NPI, when given) is not 10 digits starting with 1 or 2 with a valid Luhn check digit (prefix 80840).',
  INVALID_PROCEDURE_CODE: 'Procedure code is not 5 digits, 4 digits + F/T/U, or a letter + 4 digits.',
  INVALID_MODIFIER: `A modifier is not two letters/digits, or the line has more than ${MODIFIERS.maxPerLine}.`,
  INVALID_DIAGNOSIS:
    'A diagnosis is not ICD-10-CM shaped (letter, digit, 1–5 letters/digits; the dot is optional).',
  INVALID_UNITS: 'Units are not a whole number of at least 1.',
  INVALID_CHARGE: 'Charge is not an amount above zero (`$` and thousands commas are fine).',
  INVALID_POS: 'Place of service is not two digits, or is 00.',
  DUPLICATE_LINE:
    'The same claim id and line number appeared earlier in the file; every later copy is flagged.',
  CODE_RETIRED: RETIRED_PROCEDURES.map((entry) => `${list(entry.codes)} from ${entry.from}`).join('; ') + '.',
  DIAGNOSIS_RETIRED:
    RETIRED_DIAGNOSES.map((entry) => `${list(entry.codes)} from ${entry.from}`).join('; ') + '.',
  ABN_MODIFIER_CONFLICT: `Two or more of ${list(MODIFIERS.liability)} on one line, or GA with KX.`,
  IMAGING_BUNDLED: `Same encounter (member, date, rendering NPI) as a 62323 line: ${listed('IMAGING_BUNDLED')}. No modifier overrides it.`,
  NO_IMAGING_TWIN: `Same encounter as a 62323 line: ${listed('NO_IMAGING_TWIN')}.`,
  CATHETER_TWIN: `Same encounter as a 62323 line: ${listed('CATHETER_TWIN')}.`,
  UNITS_EXCEED_MUE:
    'Units of 62323 in one encounter add up to more than 1 (flags every 62323 line of the encounter).',
  BILATERAL_MODIFIER: `A 62323 line carries ${list(MODIFIERS.bilateral)}.`,
  MODIFIER_NOT_ALLOWED: `A 62323 line carries ${list(MODIFIERS.notAllowedOnIndex)}.`,
  KX_ON_INTERLAMINAR: 'A 62323 line carries KX (a selective nerve root block belongs on 64479–64484).',
  DX_AXIAL_ONLY: `Every diagnosis on a 62323 line is axial pain: ${list(AXIAL_DIAGNOSES)}.`,
  DX_NOT_COVERED:
    'A 62323 line has diagnoses but none is covered (below) or exempt, and it is not axial-only.',
  ONE_REGION_PER_SESSION: `Same session (member, date, any provider) as a 62323 line: ${listed('ONE_REGION_PER_SESSION')}.`,
  SAME_SESSION_OTHER_SPINAL: `Same session as a 62323 line: ${listed('SAME_SESSION_OTHER_SPINAL')}.`,
  EM_SAME_DAY_NO_25: `Same encounter as a 62323 line: an E/M (${listed('EM_SAME_DAY_NO_25')}) without modifier 25.`,
  SEDATION_SAME_SESSION: `Same session as a 62323 line: ${listed('SEDATION_SAME_SESSION')}.`,
  DRUG_IN_FACILITY: `Same encounter as a 62323 line: a steroid (${listed('DRUG_IN_FACILITY')}) with place of service ${list(PLACES_OF_SERVICE.facility)}.`,
  FREQUENCY_EXCEEDED: `More than ${FREQUENCY.maxSessions} distinct dates with ${listed('FREQUENCY_EXCEEDED')} for the member in the ${FREQUENCY.lookbackDays + 1} days ending on the 62323 date, counting earlier batches' history.`,
  PRIOR_AUTH_MISSING: 'A 62323 line has no prior authorization number (a missing column counts as empty).',
  POS_UNUSUAL: `A 62323 line in place of service ${list(PLACES_OF_SERVICE.unusualForIndex)} (inpatient, emergency room).`,
  POS_NOT_ALLOWED: `A 62323 line in a valid place of service other than ${list(PLACES_OF_SERVICE.allowedForIndex)}.`,
  MULTI_DAY_SPAN: 'A 62323 line whose date of service to differs from its date of service.',
};

export function renderRulesMarkdown(): string {
  const out: string[] = [
    `# Rules of rule set \`${RULE_SET_ID}\``,
    '',
    '<!-- Generated from functions/core/rules/catalog.ts by `npm run docs`; edit the catalog, not this file. -->',
    '',
    'Severity **error**: the payer is expected to deny the line. **warning**: a person should look.',
    'An *encounter* is lines with the same member, date of service and rendering NPI; a *session* is',
    'lines with the same member and date of service. Lines without a valid member id or date of service',
    'take no part in encounter, session or frequency rules.',
    '',
  ];
  for (const scope of ['data', 'index'] as const) {
    out.push(scope === 'data' ? '## Data rules (every line)' : '## 62323 rules', '');
    out.push('| rule | severity | fires when | source |', '|---|---|---|---|');
    for (const ruleId of RULE_IDS.filter((id) => RULES[id].scope === scope)) {
      const rule = RULES[ruleId];
      out.push(`| \`${ruleId}\` | ${rule.severity} | ${TRIGGERS[ruleId]} | ${rule.source} |`);
    }
    out.push('');
  }
  out.push('## Diagnoses that support 62323', '', '| codes | meaning | source |', '|---|---|---|');
  for (const group of COVERED_DIAGNOSES)
    out.push(`| ${group.codes.join(' ')} | ${group.meaning} | ${group.source} |`);
  out.push(
    '',
    `Exempt from the diagnosis rules: ${list(EXEMPT_DIAGNOSES)} (acute postprocedural pain, LCD article A56651).`,
    '',
  );
  return `${out.join('\n')}\n`;
}
