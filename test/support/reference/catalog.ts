/**
 * Rule set 62323/v2 as data, copied by hand from the specification (rules.md) — never imported from
 * the engine, so that the reference checker stays an independent oracle.
 */

export type Severity = 'error' | 'warning' | 'info';

/** Every rule id of 62323/v2 with its default severity (rules.md sections A and B). */
export const V2_RULES = {
  // A. Data rules
  MISSING_FIELD: 'error',
  INVALID_DATE: 'error',
  DATE_OUT_OF_RANGE: 'error',
  TIMELY_FILING: 'error',
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
  ANESTHESIA_BY_PROCEDURALIST: 'error',
  DRUG_IN_FACILITY: 'warning',
  DRUG_UNITS_HIGH: 'warning',
  FREQUENCY_EXCEEDED: 'error',
  REPEAT_TOO_SOON: 'warning',
  PRIOR_BATCH_DUPLICATE: 'warning',
  PRIOR_AUTH_MISSING: 'warning',
  POS_UNUSUAL: 'warning',
  POS_NOT_ALLOWED: 'warning',
  MULTI_DAY_SPAN: 'warning',
} as const satisfies Record<string, Severity>;

export type RuleId = keyof typeof V2_RULES;
export const V2_RULE_IDS = Object.keys(V2_RULES) as RuleId[];

/** Off in the default pack (rules.md: "REPEAT_TOO_SOON (off in the default pack)"). */
export const OFF_BY_DEFAULT: ReadonlySet<RuleId> = new Set<RuleId>(['REPEAT_TOO_SOON']);

export const BUILT_IN_PACK = '62323/v2';
export const DEFAULT_WINDOWS = [{ limit: 4, days: 365 }] as const;
export const DEFAULT_TIMELY_DAYS = 365;
export const DEFAULT_REPEAT_DAYS = 14;

export const INDEX_CODE = '62323';
/** Codes whose dates are a member's epidural session dates. */
export const SESSION_CODES: ReadonlySet<string> = new Set(['62323', '64483', '64484']);

/** `from`..`to` as five-digit code strings (both included). */
const span = (from: number, to: number): string[] =>
  Array.from({ length: to - from + 1 }, (_, offset) => String(from + offset).padStart(5, '0'));

/** The lists a pack may set (packs.md), with their built-in contents. */
export const BASE_LISTS = {
  coveredDiagnoses: [
    ...['M5416', 'M5417', 'M5418', 'M5116', 'M5117', 'M5126', 'M5127'],
    ...['M51361', 'M51362', 'M51371', 'M51372', 'M48061', 'M48062', 'M4807', 'M4808'],
    ...['M4726', 'M4727', 'M4728', 'M5430', 'M5431', 'M5432', 'M5440', 'M5441', 'M5442'],
    ...['M961', 'B0223', 'B0229'],
  ],
  axialDiagnoses: ['M5450', 'M5451', 'M5459', 'M545', 'M47816', 'M47817', 'M51360', 'M51370'],
  exemptDiagnoses: ['G8912', 'G8918'],
  imagingCodes: ['77003', '77012', '76000', '72275'],
  allowedPlacesOfService: ['11', '19', '21', '22', '23', '24'],
} as const satisfies Record<string, readonly string[]>;

export type ListName = keyof typeof BASE_LISTS;

/** Procedure codes deleted from a date of service on (CODE_RETIRED). */
export const RETIRED_CODES: ReadonlyMap<string, string> = new Map([
  ...['62310', '62311', '62318', '62319'].map((code) => [code, '2017-01-01'] as const),
  ...['99143', '99144', '99145', '99148', '99149', '99150'].map((code) => [code, '2017-01-01'] as const),
  ...['01935', '01936'].map((code) => [code, '2022-01-01'] as const),
  ...['J1020', 'J1030', 'J1040'].map((code) => [code, '2024-04-01'] as const),
]);

/** Diagnoses deleted from a date of service on (DIAGNOSIS_RETIRED). */
export const RETIRED_DIAGNOSES: ReadonlyMap<string, string> = new Map([
  ['M4806', '2017-10-01'],
  ['M545', '2021-10-01'],
  ['M5136', '2024-10-01'],
  ['M5137', '2024-10-01'],
]);

export const NO_IMAGING_TWIN_CODES: ReadonlySet<string> = new Set(['62322']);
export const CATHETER_CODES: ReadonlySet<string> = new Set(['62324', '62325', '62326', '62327']);
export const OTHER_REGION_CODES: ReadonlySet<string> = new Set(['62320', '62321', '64479', '64480']);
export const OTHER_SPINAL_CODES: ReadonlySet<string> = new Set([
  '64483',
  '64484',
  ...span(64490, 64495),
  ...span(64633, 64636),
  '27096',
  'G0260',
  '20552',
  '20553',
]);
export const EM_CODES: ReadonlySet<string> = new Set([
  ...span(99202, 99205),
  ...span(99211, 99215),
  ...span(99221, 99223),
  ...span(99231, 99233),
  '99238',
  '99239',
  ...span(99242, 99245),
  ...span(99281, 99285),
]);
export const SEDATION_CODES: ReadonlySet<string> = new Set([
  '99152',
  '99153',
  '99155',
  '99156',
  '99157',
  '01937',
  '01938',
]);
/** Anesthesia: five-digit codes 00100–01999. */
export const isAnesthesiaCode = (code: string): boolean =>
  /^\d{5}$/.test(code) && Number(code) >= 100 && Number(code) <= 1999;

export const STEROID_CODES: ReadonlySet<string> = new Set([
  'J1010',
  'J1020',
  'J1030',
  'J1040',
  'J3301',
  'J1100',
  'J0702',
]);
/** Units for one epidural dose; more is DRUG_UNITS_HIGH. J1020/J1030/J1040 have no ceiling in rules.md. */
export const STEROID_CEILINGS: ReadonlyMap<string, number> = new Map([
  ['J3301', 8],
  ['J0702', 2],
  ['J1100', 15],
  ['J1010', 80],
]);
export const FACILITY_POS: ReadonlySet<string> = new Set(['19', '21', '22', '23', '24']);
export const UNUSUAL_POS: ReadonlySet<string> = new Set(['21', '23']);

export const BILATERAL_MODIFIERS = ['50', 'RT', 'LT'] as const;
export const NOT_ALLOWED_MODIFIERS = ['26', 'TC', '25', '76', '77'] as const;
export const ABN_MODIFIERS = ['GA', 'GY', 'GZ'] as const;
export const CISTERNOGRAPHY_CODE = '78630';
