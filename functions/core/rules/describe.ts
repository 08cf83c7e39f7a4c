/**
 * The user-facing rule reference, rendered from the catalog so that the docs never drift from what
 * the engine checks: docs/rules.md (`npm run docs`; a test fails if it is stale), and the text of the
 * `rules` and `explain` commands.
 */
import {
  ANESTHESIA_RANGE,
  AXIAL_DIAGNOSES,
  CODES,
  COVERED_DIAGNOSES,
  EXEMPT_DIAGNOSES,
  type ListedRuleId,
  MODIFIERS,
  PLACES_OF_SERVICE,
  RETIRED_DIAGNOSES,
  RETIRED_PROCEDURES,
  RULE_IDS,
  RULE_OPTIONS,
  RULE_SET_ID,
  RULES,
  type RuleDefinition,
  type RuleId,
  STEROID_DOSE_CEILING,
  sourceOf,
} from './catalog.js';

const list = (codes: readonly string[]): string => codes.join(', ');
/** The code list a rule's catalog entry names: the list its check reads. */
const listed = (ruleId: ListedRuleId): string => list(CODES[RULES[ruleId].codes]);
const anesthesia = `${String(ANESTHESIA_RANGE.from).padStart(5, '0')}–${String(ANESTHESIA_RANGE.to).padStart(5, '0')}`;
const { windows } = RULE_OPTIONS.FREQUENCY_EXCEEDED;
const ceilings = Object.entries(STEROID_DOSE_CEILING)
  .map(([code, { units, dose }]) => `${code} > ${units} (${dose})`)
  .join(', ');

/** What fires each rule, in words, built from the same lists the checks use. */
export const TRIGGERS: Record<RuleId, string> = {
  MISSING_FIELD:
    'A required field is empty (one finding per field; rendering NPI only when billing NPI is empty too), or a 62323 line has no diagnosis at all.',
  INVALID_DATE:
    'Date of service, date of birth or date of service to is not a real date in YYYY-MM-DD, MM/DD/YYYY or YYYYMMDD.',
  DATE_OUT_OF_RANGE:
    'Date of service after the as-of date or before the date of birth, or date of service to before date of service.',
  TIMELY_FILING: `Date of service more than ${RULE_OPTIONS.TIMELY_FILING.days} days before the as-of date (a pack sets its own days).`,
  INVALID_NPI:
    'Rendering NPI or billing NPI, when given, is not 10 digits starting with 1 or 2 with a valid Luhn check digit (prefix 80840).',
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
  IMAGING_BUNDLED: `Same encounter (member, date, encounter NPI) as a 62323 line: ${listed('IMAGING_BUNDLED')} (the imaging list of the line's pack). No modifier overrides it.`,
  NO_IMAGING_TWIN: `Same encounter as a 62323 line: ${listed('NO_IMAGING_TWIN')}.`,
  CATHETER_TWIN: `Same encounter as a 62323 line: ${listed('CATHETER_TWIN')}.`,
  UNITS_EXCEED_MUE:
    'Units of 62323 in one encounter add up to more than 1 (flags every 62323 line of the encounter).',
  BILATERAL_MODIFIER: `A 62323 line carries ${list(MODIFIERS.bilateral)}.`,
  MODIFIER_NOT_ALLOWED: `A 62323 line carries ${list(MODIFIERS.notAllowedOnIndex)}.`,
  KX_ON_INTERLAMINAR: 'A 62323 line carries KX (a selective nerve root block belongs on 64479–64484).',
  DX_AXIAL_ONLY: `Every diagnosis on a 62323 line is axial pain: ${list(AXIAL_DIAGNOSES)} — unless the line is exempt (${list(EXEMPT_DIAGNOSES)} on the line, or a ${list(CODES.cisternography)} cisternography line on its claim).`,
  DX_NOT_COVERED:
    'A 62323 line has diagnoses but none is covered (below), it is not exempt, and it is not axial-only.',
  ONE_REGION_PER_SESSION: `Same session (member, date, any provider) as a 62323 line: ${listed('ONE_REGION_PER_SESSION')}.`,
  SAME_SESSION_OTHER_SPINAL: `Same session as a 62323 line: ${listed('SAME_SESSION_OTHER_SPINAL')}.`,
  EM_SAME_DAY_NO_25: `Same encounter as a 62323 line: an E/M (${listed('EM_SAME_DAY_NO_25')}) without modifier 25.`,
  SEDATION_SAME_SESSION: `Same session as a 62323 line: ${listed('SEDATION_SAME_SESSION')}.`,
  ANESTHESIA_BY_PROCEDURALIST: `Same encounter as a 62323 line: an anesthesia code (${anesthesia}).`,
  DRUG_IN_FACILITY: `Same encounter as a 62323 line: a steroid (${listed('DRUG_IN_FACILITY')}) with place of service ${list(PLACES_OF_SERVICE.facility)}.`,
  DRUG_UNITS_HIGH: `Same encounter as a 62323 line: a steroid line above one epidural dose: ${ceilings}.`,
  FREQUENCY_EXCEEDED: `More than ${windows.map((w) => `${w.limit} distinct dates with ${listed('FREQUENCY_EXCEEDED')} in the ${w.days} days`).join(', or ')} ending on the 62323 date, for the member, counting earlier batches' history. A pack may set up to four windows.`,
  REPEAT_TOO_SOON: `Off unless a pack turns it on. A 62323 line fewer than ${RULE_OPTIONS.REPEAT_TOO_SOON.days} days (a pack sets its own) after another session date of the member (${listed('REPEAT_TOO_SOON')}), in this batch or history.`,
  PRIOR_BATCH_DUPLICATE:
    "History holds a 62323 line of an earlier batch with the same member, date of service and encounter NPI but another claim id, and this line's claim frequency is not 7 (replacement) or 8 (void).",
  PRIOR_AUTH_MISSING: 'A 62323 line has no prior authorization number (a missing column counts as empty).',
  POS_UNUSUAL: `A 62323 line in place of service ${list(PLACES_OF_SERVICE.unusualForIndex)} (inpatient, emergency room).`,
  POS_NOT_ALLOWED: `A 62323 line in a valid place of service other than ${list(PLACES_OF_SERVICE.allowedForIndex)} (the pack's allowed places).`,
  MULTI_DAY_SPAN: 'A 62323 line whose date of service to differs from its date of service.',
};

const onOff = (rule: RuleDefinition): string => (rule.enabled === false ? 'off' : 'on');

export function renderRulesMarkdown(): string {
  const out: string[] = [
    `# Rules of rule set \`${RULE_SET_ID}\``,
    '',
    '<!-- Generated from functions/core/rules/catalog.ts by `npm run docs`; edit the catalog, not this file. -->',
    '',
    'Severity **error**: the payer is expected to deny the line. **warning**: a person should look.',
    '**info**: noted only. A rule pack (see the README) may turn rules on or off, change severities,',
    'limits and lists; it never changes what a rule id means.',
    '',
    'The *encounter NPI* is the rendering NPI, or the billing NPI when the rendering NPI is empty.',
    'An *encounter* is lines with the same member, date of service and encounter NPI; a *session* is',
    'lines with the same member and date of service; a *claim* is lines with the same claim id. Lines',
    'without a valid member id or date of service take no part in encounter, session, frequency or',
    'history rules.',
    '',
  ];
  for (const scope of ['data', 'index'] as const) {
    out.push(scope === 'data' ? '## Data rules (every line)' : '## 62323 rules', '');
    out.push('| rule | severity | default | fires when | fix | source |', '|---|---|---|---|---|---|');
    for (const ruleId of RULE_IDS.filter((id) => RULES[id].scope === scope)) {
      const rule: RuleDefinition = RULES[ruleId];
      out.push(
        `| \`${ruleId}\` | ${rule.severity} | ${onOff(rule)} | ${TRIGGERS[ruleId]} | ${rule.fix} | ${sourceOf(ruleId)} |`,
      );
    }
    out.push('');
  }
  out.push('## Diagnoses that support 62323', '', '| codes | meaning | source |', '|---|---|---|');
  for (const group of COVERED_DIAGNOSES)
    out.push(`| ${group.codes.join(' ')} | ${group.meaning} | ${group.source} |`);
  out.push(
    '',
    `Exempt from the diagnosis rules: ${list(EXEMPT_DIAGNOSES)} (acute postprocedural pain), and every 62323 line of a claim with a ${list(CODES.cisternography)} (cisternography) line — LCD articles A58993, A56651.`,
    '',
    '## Sources',
    '',
  );
  for (const ruleId of RULE_IDS) out.push(`- \`${ruleId}\`: ${RULES[ruleId].sources.join('; ')}.`);
  out.push(
    ...RETIRED_PROCEDURES.map((entry) => `- Deleted codes ${list(entry.codes)}: ${entry.source}.`),
    ...RETIRED_DIAGNOSES.map((entry) => `- Retired diagnoses ${list(entry.codes)}: ${entry.source}.`),
    '',
  );
  return `${out.join('\n')}\n`;
}

/** `explain RULE_ID`: the rule's title, why, trigger, fix and sources, as plain text. */
export function explainRule(ruleId: RuleId): string {
  const rule: RuleDefinition = RULES[ruleId];
  return [
    `${ruleId} — ${rule.title}`,
    `Severity: ${rule.severity} (${onOff(rule)} in ${RULE_SET_ID}); ${rule.scope === 'data' ? 'checked on every line' : 'checked around 62323 lines'}.`,
    '',
    `Why: ${rule.why}`,
    `Fires when: ${TRIGGERS[ruleId]}`,
    `Fix: ${rule.fix}`,
    `Sources: ${rule.sources.join('; ')}.`,
    '',
  ].join('\n');
}
