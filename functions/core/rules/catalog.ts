/**
 * Rule set 62323/v2: every rule id, its severity, what to fix, the code lists and limits it uses and
 * where each fact comes from. This is the one place rule data lives; the checks read it, rule packs
 * adjust it (rules/packs), the docs and the `rules` / `explain` commands describe it.
 */

export const RULE_SET_ID = '62323/v2';
/** The built-in pack's version, as summary.json `rulePacks` records it. */
export const RULE_SET_VERSION = '2';

export type Severity = 'error' | 'warning' | 'info';
export const SEVERITIES = ['error', 'warning', 'info'] as const satisfies readonly Severity[];

export type RuleScope = 'data' | 'index';

/** The options a rule pack may set, by rule (packs.md); the catalog holds the built-in values. */
export interface FrequencyWindow {
  readonly limit: number;
  readonly days: number;
}
export interface RuleOptions {
  readonly TIMELY_FILING: { readonly days: number };
  readonly FREQUENCY_EXCEEDED: { readonly windows: readonly FrequencyWindow[] };
  readonly REPEAT_TOO_SOON: { readonly days: number };
}

export interface RuleDefinition {
  readonly severity: Severity;
  readonly scope: RuleScope;
  /** On unless a pack turns it off; a rule that is off by default says so. */
  readonly enabled?: false;
  /** One line for the auditor: what is wrong. */
  readonly title: string;
  /** One sentence for the biller: what to change on the claim. */
  readonly fix: string;
  /** Why payers deny it, for `explain` and the docs. */
  readonly why: string;
  /** Where the rule comes from; the first is the short primary source a finding carries. */
  readonly sources: readonly [string, ...string[]];
  /**
   * The code list (CODES) a cross-line rule looks for beside a 62323 line. A chunk carries to the
   * merge exactly the lines whose code is in some rule's list, so a rule reads its codes only here.
   */
  readonly codes?: CodeListName;
}

const LCD_L39240 = 'LCD L39240 / A58993';
const LCD_L33906 = 'LCD L33906 / A56651';
const CLAIM_FORM = 'CMS-1500 / 837P';
const NCCI_PTP = 'CMS NCCI procedure-to-procedure edits';

export const RULES = {
  MISSING_FIELD: {
    severity: 'error',
    scope: 'data',
    title: 'Required field is empty',
    fix: 'Fill in the named field from the encounter record.',
    why: 'A claim line without its required elements is rejected before it is priced.',
    sources: [`${CLAIM_FORM} required elements`],
  },
  INVALID_DATE: {
    severity: 'error',
    scope: 'data',
    title: 'Date is not a real calendar date',
    fix: 'Correct the date to a real date in YYYY-MM-DD, MM/DD/YYYY or YYYYMMDD.',
    why: 'A date that does not exist cannot be adjudicated.',
    sources: [`${CLAIM_FORM} date formats`],
  },
  DATE_OUT_OF_RANGE: {
    severity: 'error',
    scope: 'data',
    title: 'Date of service is in the future, before birth, or ends before it starts',
    fix: 'Correct the date of service (or the date of birth or end date) to the day the injection was given.',
    why: 'A service cannot be billed before it happened, before the patient was born, or end before it starts.',
    sources: [`${CLAIM_FORM} date logic`],
  },
  TIMELY_FILING: {
    severity: 'error',
    scope: 'data',
    title: 'Past the timely filing limit',
    fix: 'Check the date of service; if it is right, the claim is past the filing limit and needs the payer’s late-filing exception.',
    why: 'Medicare claims must be filed within 12 months of the date of service; commercial payers often allow less.',
    sources: ['42 CFR 424.44', 'Payer filing limits (rule packs set their own)'],
  },
  INVALID_NPI: {
    severity: 'error',
    scope: 'data',
    title: 'NPI fails the NPPES check digit',
    fix: 'Correct the NPI from the NPPES registry.',
    why: 'An NPI with a wrong check digit matches no provider.',
    sources: ['NPPES NPI check digit (Luhn, prefix 80840)'],
  },
  INVALID_PROCEDURE_CODE: {
    severity: 'error',
    scope: 'data',
    title: 'Procedure code is not CPT/HCPCS shaped',
    fix: 'Correct the procedure code to a valid CPT or HCPCS code.',
    why: 'A code of the wrong shape is not in any fee schedule.',
    sources: ['CPT / HCPCS Level II code formats'],
  },
  INVALID_MODIFIER: {
    severity: 'error',
    scope: 'data',
    title: 'Modifier is malformed, or more than four',
    fix: 'Correct the modifiers to at most four two-character codes.',
    why: 'The claim form has room for four two-character modifiers per line.',
    sources: [`${CLAIM_FORM}: up to 4 modifiers`],
  },
  INVALID_DIAGNOSIS: {
    severity: 'error',
    scope: 'data',
    title: 'Diagnosis is not ICD-10-CM shaped',
    fix: 'Correct the diagnosis to a valid ICD-10-CM code.',
    why: 'A diagnosis of the wrong shape supports no service.',
    sources: ['ICD-10-CM code format'],
  },
  INVALID_UNITS: {
    severity: 'error',
    scope: 'data',
    title: 'Units are not a whole number of at least 1',
    fix: 'Enter the units as a whole number (1 for one injection).',
    why: 'Service units must be a whole count.',
    sources: [`${CLAIM_FORM} service units`],
  },
  INVALID_CHARGE: {
    severity: 'error',
    scope: 'data',
    title: 'Charge is not an amount above zero',
    fix: 'Enter the line charge from the fee schedule, above zero.',
    why: 'A line without a positive charge cannot be priced.',
    sources: [`${CLAIM_FORM} line charge`],
  },
  INVALID_POS: {
    severity: 'error',
    scope: 'data',
    title: 'Place of service is not a two-digit code',
    fix: 'Enter the two-digit place of service where the injection was given (e.g. 11 office, 22 hospital outpatient).',
    why: 'The place of service decides the rate and must be a code of the CMS list.',
    sources: ['CMS place of service code set'],
  },
  DUPLICATE_LINE: {
    severity: 'error',
    scope: 'data',
    title: 'Same claim and line number appear again',
    fix: 'Remove the repeated line, or give it its own line number if it is a different service.',
    why: 'A claim line billed twice is denied as a duplicate, or paid twice and recovered later.',
    sources: ['Batch integrity (one claim line, one row)'],
  },
  CODE_RETIRED: {
    severity: 'error',
    scope: 'data',
    title: 'Procedure code was deleted before the date of service',
    fix: 'Replace the deleted code with its successor (62320–62327 for the old epidural codes, 99151–99157 for moderate sedation, 01937–01942 for the anesthesia codes, J1010 for methylprednisolone).',
    why: 'A deleted code is not payable for services on or after its deletion date.',
    sources: ['CPT and HCPCS updates', 'CPT 2017, CPT 2022, HCPCS April 2024'],
  },
  DIAGNOSIS_RETIRED: {
    severity: 'error',
    scope: 'data',
    title: 'Diagnosis code was retired before the date of service',
    fix: 'Replace the retired diagnosis with its more specific successor (e.g. M48.061/M48.062 for M48.06, M54.50–M54.59 for M54.5).',
    why: 'ICD-10-CM codes that were split are invalid for dates of service after the split.',
    sources: ['ICD-10-CM annual updates', 'FY2018 (M48.06), FY2022 (M54.5), FY2025 (M51.36, M51.37)'],
  },
  ABN_MODIFIER_CONFLICT: {
    severity: 'error',
    scope: 'data',
    title: 'Liability modifiers contradict each other',
    fix: 'Keep the one liability modifier that matches the ABN on file (GA, GY or GZ); do not pair GA with KX.',
    why: 'GA, GY and GZ each state a different liability, and GA (not covered) contradicts KX (criteria met).',
    sources: ['CMS ABN modifier instructions'],
  },
  IMAGING_BUNDLED: {
    severity: 'error',
    scope: 'index',
    title: 'Imaging guidance billed separately from 62323',
    fix: 'Remove the imaging line: fluoroscopy or CT guidance is included in 62323.',
    why: 'The 62323 descriptor includes imaging guidance; no modifier unbundles it.',
    sources: ['CPT 62323 descriptor', NCCI_PTP],
    codes: 'imaging',
  },
  NO_IMAGING_TWIN: {
    severity: 'error',
    scope: 'index',
    title: '62322 and 62323 billed together',
    fix: 'Bill only 62323 (with imaging) or only 62322 (without imaging), whichever was performed.',
    why: 'The same injection cannot be both with and without imaging guidance.',
    sources: ['CPT 62322 / 62323 descriptors', NCCI_PTP],
    codes: 'noImagingTwin',
  },
  CATHETER_TWIN: {
    severity: 'warning',
    scope: 'index',
    title: 'Catheter epidural billed with 62323',
    fix: 'Check the procedure note: bill either the single injection (62323) or the catheter code, not both.',
    why: 'A catheter infusion and a single injection at one encounter are usually one procedure billed twice.',
    sources: [NCCI_PTP],
    codes: 'catheter',
  },
  UNITS_EXCEED_MUE: {
    severity: 'error',
    scope: 'index',
    title: 'More than one unit of 62323 in an encounter',
    fix: 'Bill 62323 once, with 1 unit, for the encounter.',
    why: '62323 is one level per session: the practitioner MUE is 1 unit per date of service.',
    sources: ['CMS NCCI practitioner MUE (62323 = 1)', LCD_L39240],
  },
  BILATERAL_MODIFIER: {
    severity: 'error',
    scope: 'index',
    title: '62323 is not a bilateral procedure',
    fix: 'Remove modifier 50, RT or LT from the 62323 line.',
    why: 'An interlaminar injection is one midline procedure; the fee schedule does not allow bilateral payment.',
    sources: ['CMS fee schedule bilateral indicator'],
  },
  MODIFIER_NOT_ALLOWED: {
    severity: 'error',
    scope: 'index',
    title: 'Modifier not allowed on 62323',
    fix: 'Remove the modifier from the 62323 line (25 belongs on the E/M line, and 76/77 repeats exceed the one-unit limit).',
    why: '62323 has no professional/technical split (26, TC), 25 is an E/M modifier, and repeat modifiers exceed the MUE.',
    sources: ['CMS fee schedule indicators', NCCI_PTP],
  },
  KX_ON_INTERLAMINAR: {
    severity: 'warning',
    scope: 'index',
    title: 'KX (selective nerve root block) on an interlaminar code',
    fix: 'Remove KX from the 62323 line; if a selective nerve root block was done, bill it with 64479–64484.',
    why: 'KX marks a diagnostic selective nerve root block, which is billed with the transforaminal codes.',
    sources: [LCD_L39240, 'billing articles A58731, A58745'],
  },
  DX_AXIAL_ONLY: {
    severity: 'error',
    scope: 'index',
    title: 'Axial back pain only: not covered',
    fix: 'Add the radicular or stenosis diagnosis documented in the note; axial back pain alone does not support 62323.',
    why: 'Epidural steroid injections are covered for radicular pain and stenosis, not for axial back pain alone.',
    sources: [LCD_L39240, LCD_L33906],
  },
  DX_NOT_COVERED: {
    severity: 'error',
    scope: 'index',
    title: 'No covered diagnosis for 62323',
    fix: 'Add the covered lumbar or sacral diagnosis documented in the note (radiculopathy, stenosis, disc displacement).',
    why: 'The coverage articles list the diagnoses that support a lumbar epidural; none is on the line.',
    sources: [LCD_L39240, LCD_L33906],
  },
  ONE_REGION_PER_SESSION: {
    severity: 'error',
    scope: 'index',
    title: 'Second spinal region in the same session',
    fix: 'Bill one spinal region per session; move the cervical/thoracic injection to its own session or remove it.',
    why: 'Coverage allows one spinal region per epidural session.',
    sources: [LCD_L39240, 'article A58777'],
    codes: 'otherRegion',
  },
  SAME_SESSION_OTHER_SPINAL: {
    severity: 'warning',
    scope: 'index',
    title: 'Other spinal procedure in the same session',
    fix: 'Check that the other spinal procedure is documented as separate and necessary, or remove it.',
    why: 'Another spinal injection at the same session is an audit target for medical necessity.',
    sources: [LCD_L39240],
    codes: 'otherSpinal',
  },
  EM_SAME_DAY_NO_25: {
    severity: 'error',
    scope: 'index',
    title: 'Same-day E/M without modifier 25',
    fix: 'Add modifier 25 to the E/M line if the note documents a separate evaluation; otherwise remove the E/M line.',
    why: '62323 has a 000 global period: a same-day E/M is part of it unless separately identifiable.',
    sources: ['CMS global surgery policy (000 global)'],
    codes: 'evaluationAndManagement',
  },
  SEDATION_SAME_SESSION: {
    severity: 'warning',
    scope: 'index',
    title: 'Sedation billed with the injection',
    fix: 'Check that the note documents why sedation was necessary; otherwise remove the sedation line.',
    why: 'Sedation is not routinely necessary for an epidural injection.',
    sources: [LCD_L39240],
    codes: 'sedation',
  },
  ANESTHESIA_BY_PROCEDURALIST: {
    severity: 'error',
    scope: 'index',
    title: 'Anesthesia billed by the physician who injected',
    fix: 'Remove the anesthesia line: the physician performing the injection cannot bill anesthesia for it.',
    why: 'The physician who performs a procedure does not report anesthesia for it; a separate anesthesia provider may.',
    sources: ['CPT anesthesia guidelines', NCCI_PTP],
  },
  DRUG_IN_FACILITY: {
    severity: 'warning',
    scope: 'index',
    title: 'Steroid billed by the physician in a facility',
    fix: 'Remove the steroid line from the physician claim: in a facility the facility bills the drug.',
    why: 'In a facility setting the drug is part of the facility payment, not the physician’s.',
    sources: ['CMS facility payment policy'],
    codes: 'steroid',
  },
  DRUG_UNITS_HIGH: {
    severity: 'warning',
    scope: 'index',
    title: 'Steroid units above one epidural dose',
    fix: 'Check the units against the dose given (J3301 is 10 mg a unit, J0702 6 mg, J1100 1 mg, J1010 1 mg) and correct them.',
    why: 'More than one epidural dose of steroid (e.g. triamcinolone over 80 mg) is usually a units error, and is reviewed.',
    sources: [
      'ESI coverage checklists (steroid dose)',
      'HCPCS units: J3301 10 mg, J0702 6 mg, J1100 1 mg, J1010 1 mg',
    ],
    codes: 'steroid',
  },
  FREQUENCY_EXCEEDED: {
    severity: 'error',
    scope: 'index',
    title: 'More sessions than allowed in a rolling window',
    fix: 'Check the member’s earlier sessions; if the count is right, the session needs the payer’s approval or is not billable.',
    why: 'Coverage allows at most 4 sessions per region in a rolling 12 months; some payers allow fewer.',
    sources: [LCD_L39240, 'article A58731 (4 sessions in 12 months)'],
    codes: 'frequencyCounted',
  },
  REPEAT_TOO_SOON: {
    severity: 'warning',
    scope: 'index',
    enabled: false,
    title: 'Repeat injection too soon after the last one',
    fix: 'Check the dates: the payer requires a minimum interval between injections; document why, or rebook.',
    why: 'Utilization-management guidelines of commercial payers require days between injections (often 14).',
    sources: ['Commercial utilization-management guidelines'],
    codes: 'frequencyCounted',
  },
  PRIOR_BATCH_DUPLICATE: {
    severity: 'warning',
    scope: 'index',
    title: 'Same service already billed in an earlier batch',
    fix: 'If this corrects the earlier claim, send it as a replacement (claim frequency 7) or void (8); otherwise remove it.',
    why: 'The same injection for the same member, date and provider on a new claim is a duplicate payers deny or recover.',
    sources: ['Claim frequency codes (837P CLM05-3)', 'Batch history'],
  },
  PRIOR_AUTH_MISSING: {
    severity: 'warning',
    scope: 'index',
    title: 'No prior authorization number',
    fix: 'Enter the prior authorization number from the payer, or get one before sending the claim.',
    why: 'Many payers require prior authorization for epidural injections.',
    sources: ['Payer prior-authorization programs'],
  },
  POS_UNUSUAL: {
    severity: 'warning',
    scope: 'index',
    title: 'Inpatient or emergency room setting',
    fix: 'Check the place of service: 62323 is normally an outpatient procedure.',
    why: 'An epidural injection in an inpatient or emergency room setting is unusual and reviewed.',
    sources: ['Outpatient procedure (CMS place of service codes)'],
  },
  POS_NOT_ALLOWED: {
    severity: 'warning',
    scope: 'index',
    title: 'Place of service unusual for 62323',
    fix: 'Check the place of service: 62323 is given in an office (11), ambulatory surgery center (24) or hospital (19, 21, 22, 23).',
    why: 'No coverage article restricts 62323 by place of service, but the setting changes the rate.',
    sources: ['CMS place of service codes'],
  },
  MULTI_DAY_SPAN: {
    severity: 'warning',
    scope: 'index',
    title: '62323 billed over more than one day',
    fix: 'Set the end date to the date of service: 62323 is a one-day service.',
    why: '62323 has a 000 global period and is given on one day.',
    sources: ['CMS global surgery policy (000 global)'],
  },
} as const satisfies Record<string, RuleDefinition>;

export type RuleId = keyof typeof RULES;
/** Rules whose catalog entry names a code list. */
export type ListedRuleId = {
  [K in RuleId]: (typeof RULES)[K] extends { readonly codes: CodeListName } ? K : never;
}[RuleId];
export const RULE_IDS = Object.keys(RULES) as RuleId[];
export type OptionRuleId = keyof RuleOptions;

/** The rule's primary source, short: what a finding carries. */
export const sourceOf = (ruleId: RuleId): string => RULES[ruleId].sources[0];

/** The built-in options of the rules that take options (packs.md). */
export const RULE_OPTIONS: RuleOptions = {
  TIMELY_FILING: { days: 365 },
  FREQUENCY_EXCEEDED: { windows: [{ limit: 4, days: 365 }] },
  REPEAT_TOO_SOON: { days: 14 },
};

/** The index code: the procedure this product scrubs. */
export const INDEX_CODE = '62323';

/** Anesthesia codes: five digits from 00100 to 01999 (CPT anesthesia section). */
export const ANESTHESIA_RANGE = { from: 100, to: 1999 } as const;

/** Procedure code lists used by the cross-line rules. */
export const CODES = {
  imaging: ['77003', '77012', '76000', '72275'],
  noImagingTwin: ['62322'],
  catheter: ['62324', '62325', '62326', '62327'],
  otherRegion: ['62320', '62321', '64479', '64480'],
  otherSpinal: [
    '64483',
    '64484',
    '64490',
    '64491',
    '64492',
    '64493',
    '64494',
    '64495',
    '64633',
    '64634',
    '64635',
    '64636',
    '27096',
    'G0260',
    '20552',
    '20553',
  ],
  evaluationAndManagement: [
    '99202',
    '99203',
    '99204',
    '99205',
    '99211',
    '99212',
    '99213',
    '99214',
    '99215',
    '99221',
    '99222',
    '99223',
    '99231',
    '99232',
    '99233',
    '99238',
    '99239',
    '99242',
    '99243',
    '99244',
    '99245',
    '99281',
    '99282',
    '99283',
    '99284',
    '99285',
  ],
  sedation: ['99152', '99153', '99155', '99156', '99157', '01937', '01938'],
  steroid: ['J1010', 'J1020', 'J1030', 'J1040', 'J3301', 'J1100', 'J0702'],
  /** Lines that count as an epidural session (lumbar ESI and transforaminal). */
  frequencyCounted: ['62323', '64483', '64484'],
  /** A cisternography line on the claim exempts its 62323 lines from the diagnosis rules. */
  cisternography: ['78630'],
} as const;

export type CodeListName = keyof typeof CODES;

/** Units above which a steroid line is more than one epidural dose (HCPCS units; see sources). */
export const STEROID_DOSE_CEILING: Readonly<Record<string, { units: number; dose: string }>> = {
  J3301: { units: 8, dose: 'triamcinolone 80 mg' },
  J0702: { units: 2, dose: 'betamethasone 12 mg' },
  J1100: { units: 15, dose: 'dexamethasone 15 mg' },
  J1010: { units: 80, dose: 'methylprednisolone 80 mg' },
};

/** Claim frequency codes (837P CLM05-3) that correct an earlier claim: not a new service. */
export const CORRECTING_FREQUENCIES = ['7', '8'] as const;

export const MODIFIERS = {
  bilateral: ['50', 'RT', 'LT'],
  notAllowedOnIndex: ['26', 'TC', '25', '76', '77'],
  selectiveNerveRootBlock: 'KX',
  separateEvaluation: '25',
  /** ABN liability modifiers: two of these together contradict each other. */
  liability: ['GA', 'GY', 'GZ'],
  maxPerLine: 4,
} as const;

export const PLACES_OF_SERVICE = {
  allowedForIndex: ['11', '19', '21', '22', '23', '24'],
  unusualForIndex: ['21', '23'],
  facility: ['19', '21', '22', '23', '24'],
} as const;

/** Deletions: the code may not be billed on or after `from`. */
export const RETIRED_PROCEDURES: readonly { codes: readonly string[]; from: string; source: string }[] = [
  {
    codes: ['62310', '62311', '62318', '62319'],
    from: '2017-01-01',
    source: 'CPT 2017 (replaced by 62320–62327)',
  },
  {
    codes: ['99143', '99144', '99145', '99148', '99149', '99150'],
    from: '2017-01-01',
    source: 'CPT 2017 (moderate sedation replaced by 99151–99157)',
  },
  { codes: ['01935', '01936'], from: '2022-01-01', source: 'CPT 2022 (replaced by 01937–01942)' },
  { codes: ['J1020', 'J1030', 'J1040'], from: '2024-04-01', source: 'HCPCS April 2024 (replaced by J1010)' },
];

export const RETIRED_DIAGNOSES: readonly { codes: readonly string[]; from: string; source: string }[] = [
  { codes: ['M4806'], from: '2017-10-01', source: 'ICD-10-CM FY2018 (M48.06 split into M48.061, M48.062)' },
  { codes: ['M545'], from: '2021-10-01', source: 'ICD-10-CM FY2022 (M54.5 split into M54.50–M54.59)' },
  { codes: ['M5136', 'M5137'], from: '2024-10-01', source: 'ICD-10-CM FY2025 (expanded to six characters)' },
];

/** Axial (non-radicular) back pain: on its own it does not support 62323. */
export const AXIAL_DIAGNOSES = [
  'M5450',
  'M5451',
  'M5459',
  'M545',
  'M47816',
  'M47817',
  'M51360',
  'M51370',
] as const;

/** Acute postprocedural pain: exempt from the diagnosis checks (LCD article A56651). */
export const EXEMPT_DIAGNOSES = ['G8912', 'G8918'] as const;

/** Diagnoses that support 62323 in the default rule pack, grouped with their meaning and source. */
export const COVERED_DIAGNOSES: readonly { codes: readonly string[]; meaning: string; source: string }[] = [
  {
    codes: ['M5416', 'M5417', 'M5418'],
    meaning: 'Radiculopathy, lumbar / lumbosacral / sacral',
    source: 'LCD L33906, L39240 indications',
  },
  {
    codes: ['M5116', 'M5117'],
    meaning: 'Disc disorder with radiculopathy, lumbar / lumbosacral',
    source: 'LCD indications (disc herniation)',
  },
  {
    codes: ['M5126', 'M5127'],
    meaning: 'Other disc displacement, lumbar / lumbosacral',
    source: 'Seed document: herniated disc',
  },
  {
    codes: ['M51361', 'M51362', 'M51371', 'M51372'],
    meaning: 'Disc degeneration, lumbar / lumbosacral, with lower-extremity pain',
    source: 'ICD-10-CM FY2025; LCD indications (radicular pain from degenerative disease)',
  },
  {
    codes: ['M48061', 'M48062', 'M4807', 'M4808'],
    meaning: 'Spinal stenosis, lumbar (without / with neurogenic claudication), lumbosacral, sacral',
    source: 'LCD indications; seed document: stenosis',
  },
  {
    codes: ['M4726', 'M4727', 'M4728'],
    meaning: 'Spondylosis with radiculopathy, lumbar / lumbosacral / sacral',
    source: 'LCD (osteophyte with stenosis)',
  },
  {
    codes: ['M5430', 'M5431', 'M5432', 'M5440', 'M5441', 'M5442'],
    meaning: 'Sciatica; lumbago with sciatica',
    source: 'Seed document: sciatica',
  },
  { codes: ['M961'], meaning: 'Postlaminectomy syndrome', source: 'LCD indications' },
  {
    codes: ['B0223', 'B0229'],
    meaning: 'Herpes zoster with polyneuropathy / other nervous system involvement',
    source: 'LCD indications (acute herpes zoster)',
  },
];

/**
 * The lists a rule pack may replace or edit (packs.md), with their built-in entries. A pack's list
 * applies to the lines it judges; the rules read these through the line's pack, never directly.
 */
export const PACK_LISTS = {
  coveredDiagnoses: COVERED_DIAGNOSES.flatMap((group) => group.codes),
  axialDiagnoses: AXIAL_DIAGNOSES,
  exemptDiagnoses: EXEMPT_DIAGNOSES,
  imagingCodes: CODES.imaging,
  allowedPlacesOfService: PLACES_OF_SERVICE.allowedForIndex,
} as const satisfies Record<string, readonly string[]>;

export type PackListName = keyof typeof PACK_LISTS;
export const PACK_LIST_NAMES = Object.keys(PACK_LISTS) as PackListName[];
/** Diagnosis lists are normalised as diagnoses (no dot); the others as procedure or place codes. */
export const DIAGNOSIS_LISTS: ReadonlySet<PackListName> = new Set([
  'coveredDiagnoses',
  'axialDiagnoses',
  'exemptDiagnoses',
]);

/** A list entry's code as the rules compare it: trimmed, upper-case, diagnoses without the dot. */
export const normalListCode = (list: PackListName, code: string): string => {
  const upper = code.trim().toUpperCase();
  return DIAGNOSIS_LISTS.has(list) ? upper.replaceAll('.', '') : upper;
};
