/**
 * Rule set 62323/v1: every rule id, its severity, the code lists and limits it uses and where each
 * fact comes from. This is the one place rule data lives; the checks read it, the docs describe it.
 */

export const RULE_SET_ID = '62323/v1';

export type Severity = 'error' | 'warning' | 'info';
export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];

export type RuleScope = 'data' | 'index';

export interface RuleDefinition {
  readonly severity: Severity;
  readonly scope: RuleScope;
  /** One line for the auditor: what is wrong. */
  readonly title: string;
  /** Where the rule comes from. */
  readonly source: string;
  /**
   * The code list (CODES) a cross-line rule looks for beside a 62323 line. A chunk carries to the
   * merge exactly the lines whose code is in some rule's list, so a rule reads its codes only here.
   */
  readonly codes?: CodeListName;
}

const NCCI = 'CMS NCCI practitioner edits';
const LCD = 'Medicare ESI coverage: LCD L39240 / A58993, LCD L33906 / A56651';

export const RULES = {
  MISSING_FIELD: {
    severity: 'error',
    scope: 'data',
    title: 'Required field is empty',
    source: 'Claim form (837P) required elements',
  },
  INVALID_DATE: {
    severity: 'error',
    scope: 'data',
    title: 'Date is not a real calendar date',
    source: 'Claim form (837P) date formats',
  },
  DATE_OUT_OF_RANGE: {
    severity: 'error',
    scope: 'data',
    title: 'Date of service is in the future, before birth, or ends before it starts',
    source: 'Claim form (837P) date logic',
  },
  INVALID_NPI: {
    severity: 'error',
    scope: 'data',
    title: 'NPI fails the NPPES check digit',
    source: 'NPPES NPI standard (Luhn with prefix 80840)',
  },
  INVALID_PROCEDURE_CODE: {
    severity: 'error',
    scope: 'data',
    title: 'Procedure code is not CPT/HCPCS shaped',
    source: 'CPT / HCPCS Level II code formats',
  },
  INVALID_MODIFIER: {
    severity: 'error',
    scope: 'data',
    title: 'Modifier is malformed, or more than four',
    source: 'Claim form (837P): up to 4 two-character modifiers',
  },
  INVALID_DIAGNOSIS: {
    severity: 'error',
    scope: 'data',
    title: 'Diagnosis is not ICD-10-CM shaped',
    source: 'ICD-10-CM code format',
  },
  INVALID_UNITS: {
    severity: 'error',
    scope: 'data',
    title: 'Units are not a whole number of at least 1',
    source: 'Claim form (837P) service units',
  },
  INVALID_CHARGE: {
    severity: 'error',
    scope: 'data',
    title: 'Charge is not an amount above zero',
    source: 'Claim form (837P) line charge',
  },
  INVALID_POS: {
    severity: 'error',
    scope: 'data',
    title: 'Place of service is not a two-digit code',
    source: 'CMS place of service code set',
  },
  DUPLICATE_LINE: {
    severity: 'error',
    scope: 'data',
    title: 'Same claim and line number appear again',
    source: 'Batch integrity',
  },
  CODE_RETIRED: {
    severity: 'error',
    scope: 'data',
    title: 'Procedure code was deleted before the date of service',
    source: 'CPT and HCPCS quarterly updates',
  },
  DIAGNOSIS_RETIRED: {
    severity: 'error',
    scope: 'data',
    title: 'Diagnosis code was retired before the date of service',
    source: 'ICD-10-CM annual updates',
  },
  ABN_MODIFIER_CONFLICT: {
    severity: 'error',
    scope: 'data',
    title: 'Liability modifiers contradict each other',
    source: 'CMS ABN modifier instructions (GA, GY, GZ, KX)',
  },
  IMAGING_BUNDLED: {
    severity: 'error',
    scope: 'index',
    title: 'Imaging guidance billed separately from 62323',
    source: 'CPT descriptor of 62323; NCCI',
    codes: 'imaging',
  },
  NO_IMAGING_TWIN: {
    severity: 'error',
    scope: 'index',
    title: '62322 and 62323 billed together',
    source: 'CPT descriptor (62322 is the no-imaging twin); NCCI',
    codes: 'noImagingTwin',
  },
  CATHETER_TWIN: {
    severity: 'warning',
    scope: 'index',
    title: 'Catheter epidural billed with 62323',
    source: NCCI,
    codes: 'catheter',
  },
  UNITS_EXCEED_MUE: {
    severity: 'error',
    scope: 'index',
    title: 'More than one unit of 62323 in an encounter',
    source: 'CMS NCCI practitioner MUE 62323 = 1; LCD one level per session',
  },
  BILATERAL_MODIFIER: {
    severity: 'error',
    scope: 'index',
    title: '62323 is not a bilateral procedure',
    source: 'CMS physician fee schedule bilateral indicator',
  },
  MODIFIER_NOT_ALLOWED: {
    severity: 'error',
    scope: 'index',
    title: 'Modifier not allowed on 62323',
    source: 'CMS physician fee schedule indicators; NCCI',
  },
  KX_ON_INTERLAMINAR: {
    severity: 'warning',
    scope: 'index',
    title: 'KX (selective nerve root block) on an interlaminar code',
    source: `${LCD}; billing articles A58731, A58745`,
  },
  DX_AXIAL_ONLY: {
    severity: 'error',
    scope: 'index',
    title: 'Axial back pain only: not covered',
    source: LCD,
  },
  DX_NOT_COVERED: { severity: 'error', scope: 'index', title: 'No covered diagnosis for 62323', source: LCD },
  ONE_REGION_PER_SESSION: {
    severity: 'error',
    scope: 'index',
    title: 'Second spinal region in the same session',
    source: `${LCD}; article A58777`,
    codes: 'otherRegion',
  },
  SAME_SESSION_OTHER_SPINAL: {
    severity: 'warning',
    scope: 'index',
    title: 'Other spinal procedure in the same session',
    source: LCD,
    codes: 'otherSpinal',
  },
  EM_SAME_DAY_NO_25: {
    severity: 'error',
    scope: 'index',
    title: 'Same-day E/M without modifier 25',
    source: 'CMS global surgery: 62323 has a 000 global period',
    codes: 'evaluationAndManagement',
  },
  SEDATION_SAME_SESSION: {
    severity: 'warning',
    scope: 'index',
    title: 'Sedation billed with the injection',
    source: `${LCD} (sedation not routinely necessary)`,
    codes: 'sedation',
  },
  DRUG_IN_FACILITY: {
    severity: 'warning',
    scope: 'index',
    title: 'Steroid billed by the physician in a facility',
    source: 'CMS facility payment policy; seed document',
    codes: 'steroid',
  },
  FREQUENCY_EXCEEDED: {
    severity: 'error',
    scope: 'index',
    title: 'More than the allowed sessions in a rolling 12 months',
    source: `${LCD}: at most 4 sessions per region in 12 months`,
    codes: 'frequencyCounted',
  },
  PRIOR_AUTH_MISSING: {
    severity: 'warning',
    scope: 'index',
    title: 'No prior authorization number',
    source: 'Seed document; payer prior-authorization programs',
  },
  POS_UNUSUAL: {
    severity: 'warning',
    scope: 'index',
    title: 'Inpatient or emergency room setting',
    source: 'Seed document (outpatient procedure)',
  },
  POS_NOT_ALLOWED: {
    severity: 'error',
    scope: 'index',
    title: 'Place of service not allowed for 62323',
    source: 'Seed document; CMS place of service code set',
  },
  MULTI_DAY_SPAN: {
    severity: 'warning',
    scope: 'index',
    title: '62323 billed over more than one day',
    source: 'CMS global surgery: 000 global, one-day service',
  },
} as const satisfies Record<string, RuleDefinition>;

export type RuleId = keyof typeof RULES;
/** Rules whose catalog entry names a code list. */
export type ListedRuleId = {
  [K in RuleId]: (typeof RULES)[K] extends { readonly codes: CodeListName } ? K : never;
}[RuleId];
export const RULE_IDS = Object.keys(RULES) as RuleId[];

/** The index code: the procedure this product scrubs. */
export const INDEX_CODE = '62323';

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
    '99242',
    '99243',
    '99244',
    '99245',
  ],
  sedation: ['99152', '99153', '99155', '99156', '99157', '01937', '01938'],
  steroid: ['J1010', 'J1020', 'J1030', 'J1040', 'J3301', 'J1100', 'J0702'],
  /** Lines that count as a session toward FREQUENCY_EXCEEDED (lumbar ESI and transforaminal). */
  frequencyCounted: ['62323', '64483', '64484'],
} as const;

export type CodeListName = keyof typeof CODES;

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
  { codes: ['01935', '01936'], from: '2022-01-01', source: 'CPT 2022 (replaced by 01937–01942)' },
  { codes: ['J1020', 'J1030', 'J1040'], from: '2024-04-01', source: 'HCPCS April 2024 (replaced by J1010)' },
];

export const RETIRED_DIAGNOSES: readonly { codes: readonly string[]; from: string; source: string }[] = [
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
    codes: ['B0222', 'B0223', 'B0229'],
    meaning: 'Acute herpes zoster with nerve involvement',
    source: 'LCD indications',
  },
];

/** Rolling-window frequency limit: more than `maxSessions` distinct dates in `windowDays` + 1 days. */
export const FREQUENCY = {
  maxSessions: 4,
  /** The window is [d - lookbackDays, d]: 365 calendar days including d. */
  lookbackDays: 364,
} as const;

/** Everything a check may vary by payer: a rule pack. The default pack is the catalog above. */
export interface RulePack {
  readonly frequencyLimit: number;
}

export const DEFAULT_RULE_PACK: RulePack = { frequencyLimit: FREQUENCY.maxSessions };
